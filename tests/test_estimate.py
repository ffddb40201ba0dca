"""`run --estimate` on real WARCs: a sample run, extrapolated; with the whole input as the sample its numbers are a
real run's numbers, and the run's output folder is never written."""

import json
import shutil

import pytest

from smolcorpus.config import validate_config
from smolcorpus.estimate import estimate_run, sample_units
from smolcorpus.run import run_config

WARCS = ["dolma_science-0.warc.gz", "dolma_science-1.warc.gz", "dolma_wget_sample-0000.warc.gz",
         "cc-2020-34_resiliparse_warcfile.warc.gz"]  # fmt: skip


@pytest.fixture(scope="module")
def warc_folder(shared_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("warcs")
    for name in WARCS:
        shutil.copy(shared_data / "warc" / name, folder / name)
    return folder


def config(folder, output) -> dict:
    return {"pipeline": "finemath", "name": "estimate", "output_dir": str(output),
            "finemath": {"warc": {"paths": [str(folder)]}, "url_filter": {"integrated_lists": False},
                         "dedup": {"minhash": False}},
            "executor": {"tasks": 4, "workers": 2}}  # fmt: skip


def test_estimate_of_the_whole_input_equals_a_real_run(warc_folder, tmp_path):
    output = tmp_path / "out"
    estimate = estimate_run(validate_config(config(warc_folder, output)), sample_count=len(WARCS))
    assert not output.exists()  # an estimate writes nothing where the run would
    assert estimate.unit == "WARC files" and estimate.total_units == 4 and estimate.scale == 1
    real = run_config(validate_config(config(warc_folder, tmp_path / "real")))
    reader = next(iter(real.stages[0].counters.values()))
    assert estimate.sample_records == reader["records"] > 100
    real_steps = {(s.name, step): values for s in real.stages for step, values in s.counters.items()}
    for rate in estimate.steps:
        values = next(v for (stage, step), v in real_steps.items() if stage == rate.stage and rate.step in step)
        assert (rate.seen, rate.passed) == (values["total"], values["forwarded"]), rate
    assert any(r.step == "Math prefilter" and r.passed < r.seen for r in estimate.steps)
    real_bytes = sum(p.stat().st_size for d in ("curated", "tokens") for p in (tmp_path / "real" / d).rglob("*")
                     if p.is_file())  # fmt: skip
    # the same rows; the real run's 4 tasks write 4 shards, the sample's 1 task one: Parquet headers differ
    assert estimate.output_bytes == pytest.approx(real_bytes, rel=0.01)
    summary = json.loads((tmp_path / "real" / "summary.json").read_text())
    assert estimate.tokens == summary["totals"]["kept_tokens"]
    assert set(estimate.stage_seconds) == {s.name for s in real.stages}
    assert "CPU-hours" in estimate.render() and "Math prefilter" in estimate.render()


def test_a_sample_is_scaled_to_the_whole_input(warc_folder, tmp_path):
    estimate = estimate_run(validate_config(config(warc_folder, tmp_path / "out")), sample_count=2)
    assert len(estimate.sample_units) == 2 and estimate.scale == 2
    assert estimate.cpu_hours == pytest.approx(sum(estimate.stage_seconds.values()) * 2 / 3600)
    assert f"≈ {estimate.sample_records * 2:,.0f} records" in estimate.render()


def test_samples_spread_over_the_input():
    units = [f"f{i}" for i in range(10)]
    assert sample_units(units, 3) == ["f0", "f3", "f6"]
    assert sample_units(units, 20) == units


def test_command_line(warc_folder, tmp_path):
    import subprocess
    import sys

    import yaml

    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(config(warc_folder, tmp_path / "out")))
    result = subprocess.run([sys.executable, "-m", "smolcorpus.cli", "run", str(path), "--estimate", "--sample", "1"],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "4 WARC files in the input, measured on 1" in result.stdout and "whole input (x4.0)" in result.stdout
    assert not (tmp_path / "out").exists()


def test_tokenize_input_is_counted_in_the_files_the_reader_reads(real_corpus, tmp_path):
    from smolcorpus.readers.documents import list_document_files

    data = {"pipeline": "tokenize", "name": "estimate", "output_dir": str(tmp_path / "out"),
            "input": {"paths": [str(real_corpus)]}}  # fmt: skip
    estimate = estimate_run(validate_config(data), sample_count=2)
    assert estimate.unit == "files" and estimate.total_units == len(list_document_files([str(real_corpus)])) == 8
    assert estimate.scale == 4 and estimate.sample_records > 0 and estimate.output_bytes > 0
    assert not (tmp_path / "out").exists()
