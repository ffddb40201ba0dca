"""The `smolcorpus` parser: every command and subcommand is listed and answers --help."""

import subprocess
import sys

import pytest

from smolcorpus.cli import build_parser

SUBCOMMANDS = [
    "run",
    "tokenize",
    "demo",
    "extract",
    "mix",
    "publish",
    "report",
    "annotate",
    "classifier",
    "local-judge",
    "version",
]
NESTED = [["classifier", "train"], ["classifier", "evaluate"], ["classifier", "score"], ["classifier", "distill"]]


def smolcorpus(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smolcorpus.cli", *args], capture_output=True, text=True)


@pytest.mark.parametrize("command", [[], *[[c] for c in SUBCOMMANDS], *NESTED])
def test_help_on_every_subcommand(command):
    result = smolcorpus(*command, "--help")
    assert result.returncode == 0
    assert "usage: smolcorpus" in result.stdout


def test_parser_lists_every_subcommand():
    help_text = build_parser().format_help()
    assert all(command in help_text for command in SUBCOMMANDS)
