import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from smolcorpus.config import validate_config
from smolcorpus.errors import ConfigError, StageFailedError
from smolcorpus.run import run_config
from tests.pipelines.helpers import comparable_manifest, token_rows, tokenize_config, write_config


@pytest.fixture(scope="module")
def reference(real_corpus, tmp_path_factory):
    """The uninterrupted local run every other run is compared with."""
    output = tmp_path_factory.mktemp("reference")
    run_config(validate_config(tokenize_config([real_corpus], output, tasks=8, workers=2)))
    return output


def test_rerun_of_a_finished_run_changes_nothing(real_corpus, reference, tmp_path):
    before = {p: p.stat().st_mtime_ns for p in reference.glob("*.parquet")}
    summary = run_config(validate_config(tokenize_config([real_corpus], reference, tasks=8, workers=2)))
    assert all(stage.skipped for stage in summary.stages)
    assert {p: p.stat().st_mtime_ns for p in reference.glob("*.parquet")} == before


def test_changing_the_task_count_of_a_started_run_is_refused(real_corpus, reference):
    with pytest.raises(ConfigError, match="started with tasks=8, now tasks=3"):
        run_config(validate_config(tokenize_config([real_corpus], reference, tasks=3)))


def test_corrupt_file_fails_its_task_only_and_rerun_completes(real_corpus, reference, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(real_corpus, corpus)
    good = (corpus / "code" / "code-2.jsonl.gz").read_bytes()
    (corpus / "code" / "code-2.jsonl.gz").write_bytes(good[: len(good) // 3])  # truncated gzip
    output = tmp_path / "out"
    with pytest.raises(StageFailedError) as err:
        run_config(validate_config(tokenize_config([corpus], output, tasks=8, workers=2)))
    message = str(err.value)
    assert "1 of 8 tasks failed" in message and "code-2.jsonl.gz" in message
    completions = sorted(p.name for p in (output / "logs" / "tokenize" / "completions").iterdir())
    assert len(completions) == 7  # the other tasks finished
    assert not (output / "manifest.json").exists()  # the dependent stage did not start

    (corpus / "code" / "code-2.jsonl.gz").write_bytes(good)
    kept = {name: (output / "logs" / "tokenize" / "completions" / name).stat().st_mtime_ns for name in completions}
    summary = run_config(validate_config(tokenize_config([corpus], output, tasks=8, workers=2)))
    assert {n: (output / "logs" / "tokenize" / "completions" / n).stat().st_mtime_ns for n in kept} == kept
    assert token_rows(output) == token_rows(reference)
    assert comparable_manifest(output) == comparable_manifest(reference)
    assert summary.stages[0].name == "tokenize"


def test_killed_run_resumes_without_duplicates_or_gaps(real_corpus, reference, tmp_path):
    output = tmp_path / "out"
    config = write_config(tmp_path / "run.yaml", tokenize_config([real_corpus], output, tasks=8, workers=1))
    completions = output / "logs" / "tokenize" / "completions"
    process = subprocess.Popen(
        [sys.executable, "-m", "smolcorpus.cli", "run", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = len(list(completions.iterdir())) if completions.is_dir() else 0
        if done >= 2:
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done = len(list(completions.iterdir()))
    assert 2 <= done < 8, "the run should have been killed mid-way"
    assert not (output / "manifest.json").exists()

    result = subprocess.run(
        [sys.executable, "-m", "smolcorpus.cli", "run", str(config)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"Skipping {done} already completed tasks" in result.stderr
    assert not list(output.glob("*.tmp"))
    assert token_rows(output) == token_rows(reference)
    assert comparable_manifest(output) == comparable_manifest(reference)
