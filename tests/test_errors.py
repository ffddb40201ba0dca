"""Errors raised on purpose name the culprit; the CLI prints them as one line and exits 2, without a traceback."""

import subprocess
import sys

from smolcorpus.errors import ConfigError, InputFileError, SmolcorpusError


def test_input_file_error_names_the_file_and_the_reason():
    error = InputFileError("s3://bucket/part-0.jsonl.gz", "truncated gzip stream")
    assert str(error) == "cannot read input file s3://bucket/part-0.jsonl.gz: truncated gzip stream"
    assert (error.path, error.reason) == ("s3://bucket/part-0.jsonl.gz", "truncated gzip stream")
    assert isinstance(error, SmolcorpusError) and issubclass(ConfigError, ValueError)


def test_the_cli_reports_them_without_a_traceback(tmp_path):
    missing = tmp_path / "missing.html"
    result = subprocess.run([sys.executable, "-m", "smolcorpus.cli", "extract", str(missing)], capture_output=True,
                            text=True)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: cannot read input file {missing}: no such file"
