"""Flags shared by the commands that run stages."""

from __future__ import annotations

import argparse

QUIET_HELP = "no progress bars and no logs on the console (logs/ keeps them)"
VERBOSE_HELP = "datatrove's logs and per-task stats on the console too (by default they go to logs/ only)"


def add_quiet_flag(parser: argparse.ArgumentParser) -> None:
    """`--quiet` after the command too (`smolcorpus mix --quiet`); SUPPRESS keeps the top-level value otherwise."""
    parser.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help=QUIET_HELP)


def add_console_flags(parser: argparse.ArgumentParser) -> None:
    """`--quiet` and `--verbose` after a command that runs stages (`smolcorpus demo --verbose`)."""
    add_quiet_flag(parser)
    parser.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP)


def add_executor_flags(parser: argparse.ArgumentParser, default_executor: str | None = None) -> None:
    add_console_flags(parser)
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
