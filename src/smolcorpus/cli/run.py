"""`smolcorpus run`, `tokenize` and `demo`: the commands that run a pipeline, all through `smolcorpus.run`
(provenance, progress, report)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from smolcorpus.cli.flags import add_console_flags, add_executor_flags, executor_overrides
from smolcorpus.errors import SmolcorpusError


def cmd_run(args: argparse.Namespace) -> int:
    from smolcorpus.config import load_config

    config = load_config(args.config, overrides=executor_overrides(args))
    return run_or_plan(config, args, config_file=args.config)


def _given(**flags) -> dict:
    """The flags a user set: one left unset is left out of the config, so the config's default applies (written once,
    in config/)."""
    return {key: value for key, value in flags.items() if value is not None}


def cmd_tokenize(args: argparse.Namespace) -> int:
    from smolcorpus.config import validate_config

    data = {
        "pipeline": "tokenize",
        "name": "tokenize",
        "output_dir": args.output,
        "input": {"paths": args.inputs, **_given(text_column=args.text_column, id_column=args.id_column)},
        "tokenize": {
            "tokenizer": args.tokenizer,
            **_given(eos_token=args.eos_token),
            "pack_length": args.pack_length,
            "carry_columns": args.carry or [],
            "nanotron": args.nanotron,
        },
        "executor": {"kind": args.executor or "local", "tasks": args.tasks or _default_tasks(args.inputs)},
    }
    if args.workers is not None:
        data["executor"]["workers"] = args.workers
    if data["executor"]["kind"] == "slurm":
        raise SmolcorpusError("tokenize --executor slurm needs a partition: write a config and use `smolcorpus run`")
    config = validate_config(data, source="smolcorpus tokenize")
    return run_or_plan(config, args, config_file=None)


def _default_tasks(inputs: list[str]) -> int:
    """One task per input file, at most one per CPU."""
    from smolcorpus.readers import list_document_files

    try:
        n_files = len(list_document_files(inputs))
    except SmolcorpusError:
        return 1  # the config validation that follows reports the bad path
    return max(1, min(n_files, os.cpu_count() or 1))


def run_or_plan(config, args: argparse.Namespace, config_file: str | None) -> int:
    from smolcorpus.run import format_plan, plan_config, run_config

    if getattr(args, "estimate", False):
        from smolcorpus.estimate import estimate_run

        print(estimate_run(config, sample_count=args.sample).render())
        return 0
    if args.dry_run:
        print(format_plan(*plan_config(config)))
        return 0
    summary = run_config(
        config, config_file=config_file, wait=not args.no_wait, quiet=args.quiet, verbose=args.verbose
    )
    print(summary.render())
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from smolcorpus.demo.run import run_demo

    print(run_demo(Path(args.output), tasks=args.tasks, workers=args.workers, quiet=args.quiet, verbose=args.verbose))
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="run the pipeline a YAML config describes",
                         description="Run the pipeline described by CONFIG on the local, Slurm or Ray executor. "
                         "Rerunning skips completed tasks.")  # fmt: skip
    run.add_argument("config", help="YAML config file (see configs/)")
    run.add_argument("--estimate", action="store_true",
                     help="run the pipeline on a sample of the input (one task, one core, a temporary folder) and "
                     "print per-stage CPU time, pass rates, and the CPU-hours, records, output bytes and tokens "
                     "extrapolated to the whole input by size, with error bars from N ≥ 2 units; writes nothing to "
                     "output_dir")  # fmt: skip
    run.add_argument(
        "--sample",
        type=int,
        default=1,
        metavar="N",
        help="--estimate: input units to measure, picked by size (WARC files, files or repositories; default 1)",
    )
    add_executor_flags(run)
    run.set_defaults(func=cmd_run)

    tok = sub.add_parser("tokenize", help="tokenize Parquet/JSONL documents into Parquet token shards",
                         description="Tokenize documents into Parquet token shards with a manifest.json "
                         "(one row per document, end-of-text appended; or packed fixed-length rows).")  # fmt: skip
    tok.add_argument("inputs", nargs="+", metavar="INPUT", help="Parquet, JSONL(.gz) or CSV/TSV files, or folders")
    tok.add_argument("--output", required=True, help="output folder for shards and manifest.json")
    tok.add_argument("--tokenizer", help="Hub id, folder, tokenizer.json or .gguf (default: SmolLM2, offline)")
    tok.add_argument("--eos-token", help="appended to each document (default: <|endoftext|>, SmolLM2's)")
    tok.add_argument("--text-column", help="default: text")
    tok.add_argument("--id-column", help="default: id")
    tok.add_argument("--carry", action="append", metavar="COLUMN", help="copy this input column into the shards")
    tok.add_argument("--pack-length", type=int, help="write fixed rows of N+1 tokens instead of documents")
    tok.add_argument("--nanotron", action="store_true", help="also write nanotron .ds files (datatrove)")
    add_executor_flags(tok)
    tok.set_defaults(func=cmd_tokenize)

    demo = sub.add_parser("demo", help="a first end-to-end run on documents and models that install offline",
                          description="Collect real documents shipped with this Python installation, tokenize "
                          "them with the SmolLM2 tokenizer, read them back as training sequences, and print a "
                          "summary.")  # fmt: skip
    demo.add_argument("--output", default="out/demo", help="output folder (default: out/demo)")
    add_console_flags(demo)
    demo.add_argument("--tasks", type=int, default=4)
    demo.add_argument("--workers", type=int, default=2)
    demo.set_defaults(func=cmd_demo)
