"""`smolcorpus classifier train | evaluate | score | distill`: argument parsing and calls into `classifiers/`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from smolcorpus.classifiers.kinds import KINDS, TRAINABLE
from smolcorpus.config.base import default_of
from smolcorpus.config.stack_edu import CodeScoringConfig


def add_commands(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("classifier", help="train, evaluate and run educational-value classifiers",
                            description="Train, evaluate, score with and distil classifiers.")  # fmt: skip
    commands = parser.add_subparsers(dest="classifier_command", required=True, metavar="COMMAND")

    train = commands.add_parser(
        "train",
        help="train a classifier of one of the kinds (--kind) on labels",
        description="Train on labelled data (Parquet/JSONL/CSV/datasets folder with text and score columns), hold "
        "out a stratified validation split, save a model folder.",
    )
    kinds = "; ".join(f"{name}: {KINDS[name].summary}" for name in TRAINABLE)
    train.add_argument("--kind", choices=TRAINABLE, default="linear", help=f"{kinds} (default: linear)")
    train.add_argument("--data", required=True, help="labels: file or folder")
    train.add_argument("--output", required=True, help="model folder to write")
    train.add_argument("--name", help="classifier name, the metadata key prefix (default: output folder name)")
    _add_label_flags(train)
    train.add_argument("--validation-fraction", type=float, default=0.1)
    train.add_argument("--seed", type=int, default=42, help="split seed")
    train.add_argument("--config", help="YAML of the kind's hyper-parameters (see README)")
    train.add_argument("--mode", choices=["grades", "binary"], help="fastText: one class per grade, or binary")
    train.add_argument("--threshold", type=float, help="grade counted as positive (default 3)")
    train.add_argument("--encoder", help="embedding: folder or Hub id (default: all-MiniLM-L6-v2, offline)")
    train.add_argument("--pooling", choices=["mean", "cls"], help="embedding: default as the model expects")
    train.add_argument("--max-length", type=int, help="embedding: tokens per text (default: the encoder's own, "
                       "256 for all-MiniLM-L6-v2; at most 512)")  # fmt: skip
    train.add_argument("--head", choices=["ridge", "logistic"], help="embedding: scikit-learn head (default ridge)")
    train.set_defaults(func=cmd_train)

    evaluate = commands.add_parser("evaluate", help="metrics.json and plots of a model on labels",
                                   description="Score labelled data with a model folder; write metrics.json, "
                                   "confusion_matrix.png and score_histogram.png into --report.")  # fmt: skip
    evaluate.add_argument("model_dir")
    evaluate.add_argument("--data", required=True)
    evaluate.add_argument("--report", required=True, help="folder for metrics.json and the PNG plots")
    evaluate.add_argument("--folds", type=int, default=5,
                          help="folds of the cross-validation that trains and tests the baselines (constant, "
                          "document length, TF-IDF) on the same data (default: 5)")  # fmt: skip
    evaluate.add_argument("--threshold", type=float, action="append", dest="thresholds", metavar="GRADE",
                          help="graded models: also report binary P/R/F1 and ROC-AUC of grade ≥ GRADE for the "
                          "model and the baselines; repeatable (the model's own threshold is always "
                          "reported)")  # fmt: skip
    _add_label_flags(evaluate)
    evaluate.set_defaults(func=cmd_evaluate)

    score = commands.add_parser("score", help="add <name>_score / <name>_int_score to documents",
                                description="Score Parquet/JSONL documents and write Parquet with the scores "
                                "(the same step pipelines use).")  # fmt: skip
    score.add_argument("model_dir", help="a folder from `classifier train`, or a transformers sequence-classification "
                       "model (folder or Hub id, e.g. HuggingFaceFW/fineweb-edu-classifier)")  # fmt: skip
    score.add_argument("inputs", nargs="+", metavar="INPUT")
    score.add_argument("--output", required=True)
    score.add_argument("--name", help="metadata key prefix (default: the classifier's name)")
    score.add_argument("--threshold", type=float, help="keep only documents with int score ≥ this")
    score.add_argument("--text-column", default="text")
    score.add_argument(
        "--batch-size",
        type=int,
        default=default_of(CodeScoringConfig, "batch_size"),
        help="documents per scoring call (default: %(default)s, as the pipelines' scoring)",
    )
    score.add_argument("--device", default="auto", help="embedding and transformers classifiers: auto (default: a "
                       "GPU when torch sees one), cpu, cuda[:N]")  # fmt: skip
    score.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"],
                       help="embedding and transformers classifiers (default: float32; half types: GPUs)")  # fmt: skip
    score.add_argument("--tasks", type=int, default=1)
    score.add_argument("--workers", type=int, default=-1)
    score.set_defaults(func=cmd_score)
    _add_distill_command(commands)


def _add_distill_command(commands: argparse._SubParsersAction) -> None:
    distill = commands.add_parser(
        "distill",
        help="train a fast fastText student on a teacher classifier's labels",
        description="Label documents with TEACHER_DIR, train a fastText student on those labels, and report "
        "its agreement with the teacher (binary F1 at the threshold, held-out) and its speed-up.",
    )
    distill.add_argument("teacher_dir")
    distill.add_argument("--data", nargs="+", required=True, help="unlabelled Parquet/JSONL documents")
    distill.add_argument("--output", required=True, help="student model folder")
    distill.add_argument("--sample", type=int, help="use a seeded sample of N documents")
    distill.add_argument("--text-column", default="text")
    distill.add_argument("--config", help="YAML of fastText settings for the student")
    distill.set_defaults(func=cmd_distill)


def cmd_distill(args: argparse.Namespace) -> int:
    from smolcorpus.classifiers.distill import distill_files
    from smolcorpus.classifiers.train import training_params

    params = training_params("fasttext", args.config, {}) if args.config else None
    _, report = distill_files(args.teacher_dir, args.data, args.output, args.sample, args.text_column, params)
    speeds = f"{report.student_docs_per_s:,.0f} vs {report.teacher_docs_per_s:,.1f} docs/s"
    print(f"student → {args.output}: agreement F1 {report.agreement_f1:.3f} with the teacher, "
          f"{report.speedup:.0f}x faster ({speeds})")  # fmt: skip
    return 0


def _add_label_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--labels", choices=["graded", "binary"], default="graded", help="0–5 grades or 0/1")
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--score-column", default="score")


def _load(args: argparse.Namespace):
    from smolcorpus.classifiers.labels import load_labels

    return load_labels(args.data, text_column=args.text_column, score_column=args.score_column, kind=args.labels)


def cmd_train(args: argparse.Namespace) -> int:
    from smolcorpus.classifiers.evaluate import format_comparison, summary_numbers
    from smolcorpus.classifiers.kinds import KINDS
    from smolcorpus.classifiers.train import train_classifier, training_params

    # the flags of the chosen kind (kinds.KINDS: its train_flags); other kinds' flags are left out
    overrides = {"threshold": args.threshold, **{flag: getattr(args, flag) for flag in KINDS[args.kind].train_flags}}
    params = training_params(args.kind, args.config, overrides)
    data = _load(args)
    for warning in data.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    name = args.name or Path(args.output).name
    _, metrics = train_classifier(args.kind, data, args.output, name, params, args.validation_fraction, args.seed)
    validation = metrics.get("validation", {})
    print(f"trained {args.kind} classifier '{name}' on {metrics['train_examples']} examples → {args.output}")
    print(f"validation: {json.dumps(summary_numbers(validation))}")
    if "baselines" in validation:
        print(format_comparison(validation))
    if "warning" in validation:
        print(f"warning: {validation['warning']}", file=sys.stderr)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from smolcorpus.classifiers.base import load_classifier
    from smolcorpus.classifiers.evaluate import evaluate, format_comparison, summary_numbers

    metrics = evaluate(load_classifier(args.model_dir), _load(args), args.report, folds=args.folds,
                       thresholds=tuple(args.thresholds or ()))  # fmt: skip
    print(json.dumps(summary_numbers(metrics), indent=1))
    if "baselines" in metrics:
        print(format_comparison(metrics))
    if "warning" in metrics:
        print(f"warning: {metrics['warning']}", file=sys.stderr)
    print(f"report: {args.report}/metrics.json, confusion_matrix.png, score_histogram.png")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from smolcorpus.pipelines.score import run_score
    from smolcorpus.run import format_counters

    output = str(Path(args.output).resolve())
    result = run_score(
        args.model_dir, args.inputs, output, args.tasks, args.workers, name=args.name, threshold=args.threshold,
        batch_size=args.batch_size, text_column=args.text_column, device=args.device, dtype=args.dtype,
    )  # fmt: skip
    print("\n".join(format_counters(result.counters)))
    print(f"scored documents → {output}")
    return 0
