"""The config tests' shared run config: a valid `tokenize` run, written to a file."""

from pathlib import Path

import pytest

VALID = """\
pipeline: tokenize
name: trial
output_dir: {out}
input:
  paths: [{inp}]
tokenize:
  pack_length: 2048
executor:
  kind: local
  tasks: 3
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(text)
    return path


@pytest.fixture
def valid_text(tmp_path):
    (tmp_path / "docs").mkdir()
    return VALID.format(out=tmp_path / "out", inp=tmp_path / "docs")
