"""Flags shared by the commands that run stages."""

from __future__ import annotations

import argparse


def add_quiet_flag(parser: argparse.ArgumentParser) -> None:
    """`--quiet` after the command too (`smolcorpus demo --quiet`); SUPPRESS keeps the top-level value otherwise."""
    parser.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="no progress bars and no datatrove logs on the console (logs/ keeps them)")  # fmt: skip


def add_executor_flags(parser: argparse.ArgumentParser, default_executor: str | None = None) -> None:
    add_quiet_flag(parser)
    parser.add_argument("--executor", choices=["local", "slurm", "ray"], default=default_executor,
                        help="override executor.kind")  # fmt: skip
    parser.add_argument("--tasks", type=int, help="override executor.tasks (shards of the input)")
    parser.add_argument("--workers", type=int, help="override executor.workers (tasks at once)")
    parser.add_argument("--dry-run", action="store_true", help="validate and print the stages, run nothing")
    parser.add_argument("--no-wait", action="store_true", help="Slurm: return after submitting the jobs")


def executor_overrides(args: argparse.Namespace) -> dict:
    overrides = {}
    for flag, key in (("executor", "executor.kind"), ("tasks", "executor.tasks"), ("workers", "executor.workers")):
        if getattr(args, flag, None) is not None:
            overrides[key] = getattr(args, flag)
    return overrides
