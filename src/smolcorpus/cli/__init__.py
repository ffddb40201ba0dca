"""The `smolcorpus` command. Thin by design: each module of this package parses one group of commands and calls
into the packages below it (`build_parser` lists the modules)."""

from __future__ import annotations

import argparse
import sys

from smolcorpus import __version__
from smolcorpus.cli import annotate, classifier, extract, mix, publish, report, run
from smolcorpus.cli.flags import QUIET_HELP, VERBOSE_HELP
from smolcorpus.errors import SmolcorpusError
from smolcorpus.runtime.interrupt import stop_tree_on_signals


def cmd_version(args: argparse.Namespace) -> int:
    print(f"smolcorpus {__version__}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smolcorpus",
        description="Build FineMath- and Stack-Edu-style pretraining corpora on datatrove.",
    )
    parser.add_argument("--version", action="version", version=f"smolcorpus {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", help=QUIET_HELP)
    parser.add_argument("-v", "--verbose", action="store_true", help=VERBOSE_HELP)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (run, extract, mix, report, publish, annotate, classifier):
        group.add_commands(sub)
    version = sub.add_parser("version", help="print the version")
    version.set_defaults(func=cmd_version)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        # SIGTERM/SIGINT: the command and every process it started end, with one line and exit code 143/130
        with stop_tree_on_signals():
            return args.func(args)
    except SmolcorpusError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
