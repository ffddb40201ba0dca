"""The tokenize pipeline (tokenize stage: a job array of 4 tasks → manifest stage, chained by a Slurm dependency)
on a real one-node Slurm cluster, started by `scripts/slurm_cluster.sh start`. CI starts it and sets
SMOLCORPUS_REQUIRE_SLURM=1 so that a missing cluster fails instead of skipping."""

import os
import re
import shutil
import subprocess

import pytest

from smolcorpus.config import validate_config
from smolcorpus.run import run_config
from tests.conftest import finemath_warcs_config
from tests.pipelines.helpers import comparable_manifest, token_rows, tokenize_config

pytestmark = pytest.mark.slow  # every test here starts or uses an executor cluster


def slurm_partition() -> str:
    return slurm_partitions()[0]


def slurm_partitions() -> list[str]:
    """The partitions that are up, the default first (the test cluster has `debug` and `scoring`)."""
    reason = None
    if shutil.which("sinfo") is None:
        reason = "sinfo not found (install Slurm: scripts/slurm_cluster.sh install)"
    else:
        result = subprocess.run(["sinfo", "--noheader", "--format=%P %T"], capture_output=True, text=True)
        lines = [line.split() for line in result.stdout.splitlines() if line.strip()]
        ready = [p for p, state in lines if state in ("idle", "mixed", "allocated")]
        ready = sorted(dict.fromkeys(ready), key=lambda p: not p.endswith("*"))  # the default partition first
        if result.returncode != 0 or not ready:
            reason = f"no Slurm partition is up (start one: scripts/slurm_cluster.sh start): {result.stderr.strip()}"
        else:
            return [p.rstrip("*") for p in ready]
    if os.environ.get("SMOLCORPUS_REQUIRE_SLURM") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.mark.slurm
def test_slurm_job_array_matches_the_local_executor(real_corpus, tmp_path, capsys):
    partition = slurm_partition()
    local_out, slurm_out = tmp_path / "local", tmp_path / "slurm"
    run_config(validate_config(tokenize_config([real_corpus], local_out, tasks=4, workers=2)))

    slurm_settings = {"partition": partition, "time": "00:20:00", "mem_per_cpu_gb": 1}
    config = validate_config(tokenize_config([real_corpus], slurm_out, tasks=4, kind="slurm", slurm=slurm_settings))
    summary = run_config(config, timeout_seconds=600)
    # while waiting: one bar of finished tasks over the chain (4 tokenize + 1 manifest), from completion markers
    err = capsys.readouterr().err
    bar = [part for part in err.replace("\r", "\n").splitlines() if part.startswith("slurm")]
    assert bar and bar[-1].startswith("slurm: done: 100%") and "5/5 [" in bar[-1], bar[-3:]
    # the job ids are on the console (datatrove logs them at INFO, which the default console leaves to the logs)
    assert re.search(r"submitted to Slurm: tokenize → job \d+, manifest → job \d+", err), err[-2000:]

    tokenize_dir = slurm_out / "logs" / "tokenize"
    script = (tokenize_dir / "launch_script.slurm").read_text()
    assert "#SBATCH --array=0-3" in script
    assert "--qos" not in script  # no qos line unless the config sets one
    assert "#SBATCH --mem-per-cpu=1G" in script and "#SBATCH --partition=" + partition in script
    manifest_dir = slurm_out / "logs" / "manifest"
    assert "#SBATCH --array=0-0" in (manifest_dir / "launch_script.slurm").read_text()
    assert len(list((tokenize_dir / "completions").iterdir())) == 4
    # one log per array task, named JOBID_TASK (datatrove's merge-stats job writes one more, under its own id)
    logs = [p.stem.split("_") for p in (tokenize_dir / "slurm_logs").glob("*_*.out")]
    array_job = max({job for job, _ in logs}, key=lambda job: sum(j == job for j, _ in logs))
    assert sorted(task for job, task in logs if job == array_job) == ["0", "1", "2", "3"]
    assert [s.name for s in summary.stages] == ["tokenize", "manifest"]

    assert token_rows(slurm_out) == token_rows(local_out)
    assert comparable_manifest(slurm_out) == comparable_manifest(local_out)


def code_config(shared_data, output, **executor) -> dict:
    roots = [shared_data / "code" / "python" / name for name in ("TheAlgorithms__Python", "allenai__dolma")]
    roots += [shared_data / "code" / "xslt" / name for name in ("keirp__OpenWebMath", "opendatalab__magic-html")]
    return {
        "pipeline": "stack_edu",
        "name": "stack-edu-slurm",
        "output_dir": str(output),
        "stack_edu": {"source_trees": {"roots": [str(r) for r in roots]}, "permissive_only": False,
                      "languages": ["Python", "Markdown", "XSLT"], "filters": {"drop_vendored": False},
                      "dedup": {"num_buckets": 4}},  # a job array task per band: 4, not 14, Python processes
        "executor": {"tasks": 3, **executor},
    }  # fmt: skip


@pytest.mark.slurm
def test_stack_edu_on_slurm_matches_the_local_executor(shared_data, tmp_path):
    """The whole code pipeline (ten stages, chained by afterok dependencies) as Slurm jobs; the scoring stage
    (`curate`) goes to its own partition with its own time limit (`executor.slurm.stages`), as a GPU stage would
    (the test cluster has no GPU: `gpus` is checked in the sbatch lines by test_executors)."""
    import json

    import pyarrow.parquet as pq

    partitions = slurm_partitions()
    partition, scoring_partition = partitions[0], partitions[-1]
    local_out, slurm_out = tmp_path / "local", tmp_path / "slurm"
    run_config(validate_config(code_config(shared_data, local_out, workers=2)))
    slurm = {"partition": partition, "time": "00:20:00", "mem_per_cpu_gb": 1,
             "stages": {"curate": {"partition": scoring_partition, "time": "00:25:00"}}}  # fmt: skip
    summary = run_config(validate_config(code_config(shared_data, slurm_out, kind="slurm", slurm=slurm)),
                         timeout_seconds=900)  # fmt: skip
    assert [s.name for s in summary.stages][-3:] == ["curate", "tokenize", "summary"]
    curate_script = (slurm_out / "logs" / "curate" / "launch_script.slurm").read_text()
    assert "#SBATCH --array=0-2" in curate_script
    assert f"#SBATCH --partition={scoring_partition}" in curate_script and "#SBATCH --time=00:25:00" in curate_script
    filter_script = (slurm_out / "logs" / "filter" / "launch_script.slurm").read_text()
    assert f"#SBATCH --partition={partition}" in filter_script and "#SBATCH --time=00:20:00" in filter_script

    def rows(root):
        tables = [pq.read_table(p) for p in sorted((root / "curated").rglob("*.parquet"))]
        return sorted((r["repo_name"], r["path"], r["blob_id"]) for t in tables for r in t.to_pylist())

    assert rows(slurm_out) == rows(local_out) and len(rows(local_out)) > 20
    local_summary = json.loads((local_out / "summary.json").read_text())
    assert json.loads((slurm_out / "summary.json").read_text()) == local_summary


@pytest.mark.slurm
def test_finemath_on_slurm_matches_the_local_executor(shared_data, finemath_warcs_run, tmp_path):
    """The math pipeline (WARC → … → subsets) as Slurm job arrays, on the real WARCs of ../shared/data, against the
    session's local run of the same config (tests/conftest.py)."""
    import json

    import pyarrow.parquet as pq

    local, _ = finemath_warcs_run
    slurm = {"partition": slurm_partition(), "time": "00:20:00", "mem_per_cpu_gb": 2}
    config = finemath_warcs_config(shared_data, tmp_path / "slurm", kind="slurm", slurm=slurm)
    run_config(validate_config(config), timeout_seconds=900)

    def rows(root):
        paths = sorted((root / "curated").rglob("*.parquet"))
        return sorted((r["url"], r["text"]) for p in paths for r in pq.read_table(p).to_pylist())

    assert rows(tmp_path / "slurm") == rows(local) and rows(local)
    local_summary = json.loads((local / "summary.json").read_text())
    assert json.loads((tmp_path / "slurm" / "summary.json").read_text()) == local_summary
