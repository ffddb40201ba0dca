"""A run writes only into its own output folder, one run at a time (`output_claim`), on real documents."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from smolcorpus.config import pipeline_sections, validate_config
from smolcorpus.errors import ConfigError
from smolcorpus.output_claim import LOCK, MARKER, check_output_folder
from smolcorpus.run import run_config
from tests.config.path_fields import config_with_every_path


@pytest.fixture
def articles(shared_data, tmp_path):
    """A folder with one JSONL file of five real article bodies."""
    folder = tmp_path / "articles"
    folder.mkdir()
    truth = json.loads(
        (shared_data / "extraction_gt" / "article_extraction_benchmark" / "ground-truth.json").read_text()
    )
    with open(folder / "articles.jsonl", "w") as f:
        for key, value in list(truth.items())[:5]:
            f.write(json.dumps({"id": key, "text": value["articleBody"]}) + "\n")
    return folder


def tokenize(inputs, output, **extra):
    return validate_config({"pipeline": "tokenize", "output_dir": str(output), "input": {"paths": [str(inputs)]},
                            "executor": {"tasks": 1, "workers": 1}, **extra})  # fmt: skip


def test_a_folder_of_someone_elses_files_is_refused_untouched(articles, tmp_path):
    output = tmp_path / "theirs"
    output.mkdir()
    (output / "manifest.json").write_text('{"mine": true}')
    (output / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="not empty and no smolcorpus run made it"):
        run_config(tokenize(articles, output), quiet=True)
    assert sorted(p.name for p in output.iterdir()) == ["manifest.json", "notes.txt"]
    assert (output / "manifest.json").read_text() == '{"mine": true}'


def test_the_same_config_resumes_and_another_run_is_refused(articles, tmp_path, shared_data):
    output = tmp_path / "out"
    run_config(tokenize(articles, output), quiet=True)
    assert json.loads((output / MARKER).read_text())["pipeline"] == "tokenize"
    again = run_config(tokenize(articles, output), quiet=True)  # a rerun: every stage already complete
    assert all(stage.skipped for stage in again.stages)
    other = tokenize(articles, output, tokenize={"pack_length": 128})
    with pytest.raises(ConfigError, match="outputs of a different run"):
        run_config(other, quiet=True)
    finemath = validate_config(
        {
            "pipeline": "finemath",
            "output_dir": str(output),
            "finemath": {"warc": {"paths": [str(shared_data / "warc" / "warcio_example.warc.gz")]}},
        }
    )
    with pytest.raises(ConfigError, match="outputs of a different run"):
        run_config(finemath, quiet=True)


def test_inputs_and_output_may_not_nest(articles, tmp_path):
    with pytest.raises(ConfigError, match="inside the output folder"):
        run_config(tokenize(articles, articles), quiet=True)  # output = the input folder: it read its own outputs
    with pytest.raises(ConfigError, match="is inside the input"):
        run_config(tokenize(articles, articles / "out"), quiet=True)
    with pytest.raises(ConfigError, match="inside the output folder"):
        run_config(tokenize(articles, tmp_path), quiet=True)
    assert sorted(p.name for p in articles.iterdir()) == ["articles.jsonl"]


def test_a_second_run_of_the_same_output_is_refused_and_a_dead_holders_lock_is_taken_over(articles, tmp_path):
    """Another process holds the folder's lock: the run is refused with its pid; once that process is killed
    (kill -9, no cleanup), the next run takes the lock over and completes."""
    output = tmp_path / "out"
    output.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, os, sys, time\n"
         f"fd = os.open({str(output / LOCK)!r}, os.O_RDWR | os.O_CREAT)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX)\n"
         "os.pwrite(fd, f'pid {os.getpid()} on testhost'.encode(), 0)\n"
         "print('locked', flush=True)\n"
         "time.sleep(600)\n"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(ConfigError, match=f"in use by another run \\(pid {holder.pid} on testhost\\)"):
            run_config(tokenize(articles, output), quiet=True)
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    time.sleep(0.1)
    run_config(tokenize(articles, output), quiet=True)
    assert json.loads((output / "manifest.json").read_text())["num_documents"] == 5


def test_cli_refusal_exits_2_naming_the_folder(articles, tmp_path):
    output = tmp_path / "theirs"
    output.mkdir()
    (output / "data.parquet").write_bytes(b"PAR1")
    config = tmp_path / "run.yaml"
    config.write_text(f"pipeline: tokenize\noutput_dir: {output}\ninput: {{paths: [{articles}]}}\n")
    result = subprocess.run([sys.executable, "-m", "smolcorpus.cli", "run", str(config)], capture_output=True,
                            text=True)  # fmt: skip
    assert result.returncode == 2 and str(output) in result.stderr and "choose another output_dir" in result.stderr


@pytest.mark.parametrize("pipeline", list(pipeline_sections()))
def test_every_input_field_is_kept_apart_from_the_output(pipeline, tmp_path, monkeypatch):
    """Whatever input fields a pipeline's section has (enumerated from the models, so a new one is covered), an
    output folder inside any of them is refused before any work."""
    monkeypatch.chdir(tmp_path)
    data, written = config_with_every_path(pipeline, tmp_path)
    inputs = [key for key, marker, _value in written if marker.kind == "input"]
    assert inputs
    for key in inputs:
        config = validate_config({**data, "output_dir": f"{key}/out"})
        with pytest.raises(ConfigError, match=f"the output folder .* is inside the input {re.escape(key)}"):
            check_output_folder(config)
