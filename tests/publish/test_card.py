"""The dataset card and the published config of a real run: no credential reaches them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from smolcorpus.provenance import RUN_INFO_NAME
from smolcorpus.publish.staging import (
    read_run_output,
    stage,
)


@pytest.mark.slow
def test_credentials_in_the_config_are_not_published(demo_output, tmp_path, monkeypatch):
    """A run that read WARCs from S3 with keys in its config: the card and config file say where, not who."""
    run_folder = tmp_path / "run"
    shutil.copytree(demo_output / "web" / "corpus", run_folder)
    info = json.loads((run_folder / RUN_INFO_NAME).read_text())
    info["config"]["finemath"]["warc"]["storage_options"] = {
        "key": "AKIAEXAMPLEKEY", "secret": "example-secret-1",
        "client_kwargs": {"endpoint_url": "http://127.0.0.1:9000", "aws_session_token": "example-secret-2"},
    }  # fmt: skip
    env_command = "export HF_TOKEN=hf_examplesecret3 && source .venv/bin/activate"
    info["config"]["executor"]["slurm"] = {"partition": "cpu", "env_command": env_command}
    (run_folder / RUN_INFO_NAME).write_text(json.dumps(info))
    staged = stage(read_run_output(run_folder), tmp_path / "staged", "org/x")
    published = "".join(p.read_text() for p in (staged / "README.md", staged / "smolcorpus_config.yaml"))
    for secret in ("AKIAEXAMPLEKEY", "example-secret-1", "example-secret-2", "hf_examplesecret3"):
        assert secret not in published
    assert "http://127.0.0.1:9000" in published and "<redacted>" in published
    assert str(Path.home()) + "/" not in published
