"""Flags shared by the commands (cli/flags.py)."""

from smolcorpus.cli import build_parser


def test_quiet_goes_before_or_after_the_command():
    parser = build_parser()
    assert parser.parse_args(["--quiet", "demo"]).quiet and parser.parse_args(["demo", "-q"]).quiet
    assert not parser.parse_args(["demo"]).quiet and parser.parse_args(["run", "x.yaml", "--quiet"]).quiet
