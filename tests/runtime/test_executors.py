import contextlib
import json
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
from tests.runtime.forkserver_probe import (
    cached_calls,
    dependency_checks_done_in_this_process,
    imported_in_this_process,
)


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


def stage_totals(output) -> dict[str, list]:
    """Stage → per step, the totals of its `stats.json` (what the report and the summary show)."""
    return {
        path.parent.name: [
            (
                step["name"],
                {key: value["total"] if isinstance(value, dict) else value for key, value in step["stats"].items()},
            )
            for step in json.loads(path.read_text())
        ]  # fmt: skip
        for path in sorted((output / "logs").glob("*/stats.json"))
    }


def assert_rerun_resumes(config, output, done: int, reference, tasks: int = 8) -> None:
    """A rerun of an interrupted run skips its `done` tasks and ends with what the uninterrupted run made, its
    stage counters included (those of the tasks done before the interruption too)."""
    # --verbose: datatrove's own report of the tasks it skips is on the console (by default only in the logs)
    result = subprocess.run(
        [sys.executable, "-m", "smolcorpus.cli", "run", str(config), "--verbose"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    skipped = f"all {tasks} tasks have already been completed" if done == tasks else f"Skipping {done} already"
    assert skipped in result.stderr
    assert not list(output.glob("*.tmp"))
    assert token_rows(output) == token_rows(reference)
    assert comparable_manifest(output) == comparable_manifest(reference)
    assert stage_totals(output) == stage_totals(reference)


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

    assert_rerun_resumes(config, output, done, reference)


def test_sigterm_stops_the_whole_run_frees_its_folder_and_the_rerun_resumes(real_corpus, reference, tmp_path):
    """`kill PID` (what `timeout`, Slurm and `docker stop` send) to a run of two pool workers: the forkserver, the
    workers and datatrove's manager (which held the output folder's lock) end with it, exit code 143 and one line;
    the next run takes the folder, skips the finished tasks and ends with what an uninterrupted run makes."""
    import fcntl

    import psutil

    output = tmp_path / "out"
    config = write_config(tmp_path / "run.yaml", tokenize_config([real_corpus], output, tasks=8, workers=2))
    completions = output / "logs" / "tokenize" / "completions"
    command = [sys.executable, "-m", "smolcorpus.cli", "run", str(config)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (completions.is_dir() and any(completions.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.02)  # until the first task is done: the pool runs, the others are under way
    tree = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
    assert len(tree) >= 5, "the run, its manager, the forkserver and two workers"
    os.kill(process.pid, signal.SIGTERM)
    try:
        # stderr reaches its end when no process of the run is left to hold it
        _, stderr = process.communicate(timeout=60)
        _, alive = psutil.wait_procs(tree, timeout=10)
        assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []
    finally:
        for p in tree:  # whatever the outcome, leave no process behind
            with contextlib.suppress(psutil.Error):
                p.kill()
    assert process.returncode == 143
    assert stderr.strip().splitlines()[-1].startswith("smolcorpus: stopped by SIGTERM")
    done = len(list(completions.iterdir()))
    assert 1 <= done < 8, "the run should have been stopped mid-way"
    with open(output / ".smolcorpus-run.lock") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: no process of the run holds it
        fcntl.flock(lock, fcntl.LOCK_UN)

    assert_rerun_resumes(config, output, done, reference)


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs (a real file system that fills up), unmounted afterwards; needs root and leave to mount."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if result.returncode:
        pytest.skip(f"mount is not permitted here: {result.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize("tasks_finished", [False, True], ids=["shards_fail", "manifest_fails"])
def test_a_full_disk_ends_the_run_with_one_line_and_the_rerun_completes(
    real_corpus, reference, small_disk, tasks_finished
):
    """A tokenize run whose output disk fills up (its outputs need 3 MB): on 1 MB, shard tasks fail; on 2 MB, every
    shard task finishes and the manifest stage fails. Either way: exit code 2, one line naming the folder, nothing
    half-written left to count as done (no empty stats.json, no completion marker without its stats); once the
    disk has room, the rerun skips the finished tasks and equals an uninterrupted run."""
    size = "2m" if tasks_finished else "1m"
    subprocess.run(["mount", "-o", f"remount,size={size}", str(small_disk)], check=True)
    output = small_disk / "out"
    config = write_config(small_disk.parent / "run.yaml", tokenize_config([real_corpus], output, tasks=8, workers=2))
    result = subprocess.run([sys.executable, "-m", "smolcorpus.cli", "run", str(config), "-q"], capture_output=True,
                            text=True)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]  # one line, no traceback
    assert result.stderr.startswith(f"error: no space left on the disk of {output}")
    completions = output / "logs" / "tokenize" / "completions"
    done = len(list(completions.iterdir()))
    assert (done == 8) == tasks_finished
    for path in (output / "logs").rglob("*.json"):
        json.loads(path.read_text())  # whole, or not there
    for marker in completions.iterdir():
        assert (output / "logs" / "tokenize" / "stats" / f"{marker.name}.json").is_file()
    assert not (output / "manifest.json").exists()

    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    assert_rerun_resumes(config, output, done, reference)


def test_slurm_stages_get_their_own_partition_time_and_gpus(tmp_path):
    """`executor.slurm.stages` sends one stage (here the scoring stage, `curate`) to a GPU partition with its own
    time, CPUs and GPUs, while the others keep the run's settings; the sbatch lines say so."""
    from smolcorpus.config import ExecutorConfig
    from smolcorpus.runtime.executors import build_executors
    from smolcorpus.runtime.stage import Stage

    config = ExecutorConfig.model_validate({"kind": "slurm", "tasks": 2, "slurm": {
        "partition": "cpu", "time": "10:00:00", "cpus_per_task": 2, "mem_per_cpu_gb": 1.5,
        "stages": {"curate": {"partition": "gpu", "gpus": 1, "time": "04:00:00", "cpus_per_task": 8,
                              "sbatch_args": {"constraint": "h100"}}},
    }})  # fmt: skip
    stages = [Stage("filter", [], 2), Stage("curate", [], 2), Stage("summary", [], 1, cpus_per_task=1)]
    filter_args, curate_args, summary_args = (
        executor.get_sbatch_args() for executor in build_executors(stages, config, str(tmp_path), "run")
    )
    assert (filter_args["partition"], filter_args["time"], filter_args["cpus-per-task"]) == ("cpu", "10:00:00", 2)
    assert "gpus" not in filter_args and "gpus" not in summary_args and summary_args["cpus-per-task"] == 1
    assert (curate_args["partition"], curate_args["time"], curate_args["cpus-per-task"]) == ("gpu", "04:00:00", 8)
    assert curate_args["gpus"] == 1 and curate_args["constraint"] == "h100"
    assert curate_args["mem-per-cpu"] == filter_args["mem-per-cpu"] == "1536M"

    config.slurm.stages = {"scoring": config.slurm.stages["curate"]}
    with pytest.raises(ConfigError, match=r"'scoring'.*its stages: \['filter', 'curate', 'summary'\]"):
        build_executors(stages, config, str(tmp_path), "run")


def test_pool_workers_start_with_the_steps_and_their_run_time_imports_imported(tmp_path):
    """A second run in the same process whose steps need other modules (here the Gopher filters, which import spaCy
    on their first document) gets a forkserver that imported them and the first run's modules too, and that ran
    datatrove's dependency checks of the steps (every step created in a worker checks them again)."""
    import multiprocess
    from datatrove.pipeline.filters import GopherQualityFilter
    from datatrove.pipeline.writers import JsonlWriter

    from smolcorpus.runtime.executors import preload_step_modules
    from smolcorpus.runtime.stage import Stage

    checked = ["datatrove.pipeline.writers.jsonl", "datatrove.pipeline.filters.gopher_quality_filter", "spacy"]
    context = multiprocess.get_context("forkserver")
    preload_step_modules([Stage("write", [JsonlWriter(str(tmp_path))], tasks=1)])
    with context.Pool(1) as pool:  # the forkserver runs from here on
        assert "datatrove.pipeline.writers.jsonl" in pool.apply(imported_in_this_process, (checked,))
    preload_step_modules([Stage("filter", [GopherQualityFilter()], tasks=1)])
    with context.Pool(1) as pool:
        assert pool.apply(imported_in_this_process, (checked,)) == checked
        assert pool.apply(dependency_checks_done_in_this_process) > 0


def test_pool_workers_start_with_the_url_block_lists_parsed():
    """A URL filter with datatrove's integrated lists has its forkserver parse them (4.6 M domains) before forking,
    so every worker shares that copy (`tests/filters/test_url_blocklists.py`: no step asks for it without them)."""
    import multiprocess

    from smolcorpus.filters.url_filter import OfflineURLFilter
    from smolcorpus.runtime.executors import preload_step_modules
    from smolcorpus.runtime.stage import Stage

    preload_step_modules([Stage("filter", [OfflineURLFilter()], tasks=1)])
    with multiprocess.get_context("forkserver").Pool(1) as pool:
        assert pool.apply(cached_calls, ("smolcorpus.filters.url_blocklists", "integrated_lists")) == 1


def test_a_one_worker_stage_adds_nothing_to_the_forkserver(tmp_path):
    """A stage of one task runs in the calling process: its URL filter's block lists (700 MB) are not preloaded into
    the forkserver that another stage's pool starts. In a fresh process, whose forkserver no earlier test started."""
    import subprocess
    import sys

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "docs.jsonl").write_text('{"id": "a", "text": "x", "url": "https://example.org/"}\n')
    script = f"""
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
from multiprocess import forkserver

from smolcorpus.config import ExecutorConfig
from smolcorpus.filters.url_filter import OfflineURLFilter
from smolcorpus.runtime.executors import run_stages
from smolcorpus.runtime.stage import Stage

if __name__ == "__main__":
    root = {str(tmp_path)!r}
    stages = [Stage("filter", [JsonlReader(root + "/in"), OfflineURLFilter(), JsonlWriter(root + "/kept")], 1),
              Stage("copy", [JsonlReader(root + "/kept"), JsonlWriter(root + "/copy")], 2)]
    config = ExecutorConfig.model_validate({{"kind": "local", "tasks": 2, "workers": 2}})
    run_stages(stages, config, root + "/logs", "t", quiet=True)
    print(sorted(forkserver._forkserver._preload_modules))
"""
    (tmp_path / "run.py").write_text(script)
    result = subprocess.run([sys.executable, str(tmp_path / "run.py")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    preloaded = result.stdout.strip().splitlines()[-1]
    assert "datatrove.pipeline.writers.jsonl" in preloaded  # the two-task stage's steps
    assert "url_filter" not in preloaded and "url_blocklists" not in preloaded
