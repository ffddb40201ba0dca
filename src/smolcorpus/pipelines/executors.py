"""Run a list of stages on datatrove's local, Slurm or Ray executor, chained with `depends`.

Each stage gets its own logging folder (`<output>/logs/<stage>/`) with datatrove's `completions/`, `stats/` and
`logs/`; a rerun skips completed tasks. Two things are added on top of datatrove:

- a failed task does not stop the others (datatrove's local pool would tear them down), and the run ends with
  `StageFailedError` naming the failed tasks and their error line; later stages do not start;
- a stage folder remembers its task count, and a rerun with another count is refused (task i of 4 and task i
  of 8 read different files, so mixing them would duplicate or lose documents).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from datatrove.executor import LocalPipelineExecutor, SlurmPipelineExecutor
from datatrove.executor.base import ExecutorJSONEncoder, PipelineExecutor
from datatrove.utils.stats import PipelineStats

from smolcorpus.config import ExecutorConfig
from smolcorpus.errors import ConfigError, StageFailedError
from smolcorpus.pipelines.progress import (
    DocumentCounter,
    SlurmProgress,
    StageProgress,
    documents_written,
    expected_documents,
)
from smolcorpus.redaction import redact
from smolcorpus.stage import Stage

STAGE_RECORD = "stage.json"


@dataclass
class StageResult:
    name: str
    logging_dir: str
    tasks: int
    skipped: bool
    seconds: float
    counters: dict[str, dict[str, float]]


class RedactedJsonMixin:
    """datatrove writes every executor's settings, pipeline steps included, to `logs/<stage>/executor.json`;
    this writes the same document with credentials redacted (storage options, tokens: `smolcorpus.redaction`)."""

    def save_executor_as_json(self, indent: int = 4):
        data = json.loads(json.dumps(self, cls=ExecutorJSONEncoder))
        with self.logging_dir.open("executor.json", "w") as f:
            json.dump(redact(data), f, indent=indent)


class FailureTolerantLocalExecutor(RedactedJsonMixin, LocalPipelineExecutor):
    """datatrove's LocalPipelineExecutor, except that one failing task does not cancel the tasks still running.

    The failure is logged by datatrove (in the task's log file); the task gets no completion marker, so the
    caller sees it in `get_incomplete_ranks()` and a rerun retries it.
    """

    def _launch_run_for_rank(self, rank: int, ranks_q, completed=None, completed_lock=None) -> PipelineStats:
        with _console_silenced(os.environ.get(QUIET_ENV) == "1"):
            try:
                return super()._launch_run_for_rank(rank, ranks_q, completed, completed_lock)
            except Exception:
                return PipelineStats()


QUIET_ENV = "SMOLCORPUS_QUIET"  # set while a quiet run executes; task processes inherit it


@contextlib.contextmanager
def _console_silenced(silence: bool):
    """Point this process's stderr (fd 2) at /dev/null for a task: datatrove's task logger writes INFO lines
    there, while its log file (logs/task_NNNNN.log) keeps everything."""
    if not silence:
        yield
        return
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@contextlib.contextmanager
def quiet_run(quiet: bool):
    """While running stages with `quiet`: task processes (which inherit the variable) keep their console output
    to their log files. Failures still surface: StageFailedError names the failed tasks and their error line."""
    if not quiet:
        yield
        return
    previous = os.environ.get(QUIET_ENV)
    os.environ[QUIET_ENV] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(QUIET_ENV, None)
        else:
            os.environ[QUIET_ENV] = previous


def _ray_executor_class():
    """datatrove's RayPipelineExecutor, made safe to stop its task processes (defined lazily: ray is optional)."""
    from datatrove.executor import RayPipelineExecutor

    class TerminableRayExecutor(RedactedJsonMixin, RayPipelineExecutor):
        """Each Ray actor runs its task in a forked pool process, and the fork inherits Ray's SIGTERM handler,
        which ignores the `terminate()` the pool sends when the task is done: the actor then hangs holding its
        CPU, and the remaining tasks never get scheduled. Restoring the default handler in the task process lets
        the pool shut down.
        """

        def _run_for_rank(self, rank: int, local_rank: int = 0, node_rank: int = -1) -> PipelineStats:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            return super()._run_for_rank(rank, local_rank, node_rank)

    return TerminableRayExecutor


def stage_logging_dir(logs_root: str, stage: Stage) -> str:
    return f"{logs_root.rstrip('/')}/{stage.name}"


def check_stage_record(logging_dir: str, stage: Stage) -> None:
    """Refuse to resume a stage folder that was started with a different number of tasks; record it otherwise."""
    record_path = Path(logging_dir) / STAGE_RECORD
    if record_path.is_file():
        previous = json.loads(record_path.read_text())
        if previous["tasks"] != stage.tasks:
            raise ConfigError(
                f"{logging_dir} was started with tasks={previous['tasks']}, now tasks={stage.tasks}: resume with "
                f"the same task count, or use a new output_dir"
            )
        return
    record_path.parent.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps({"stage": stage.name, "tasks": stage.tasks}))


def build_executors(
    stages: list[Stage], config: ExecutorConfig, logs_root: str, run_name: str
) -> list[PipelineExecutor]:
    """One datatrove executor per stage, each depending on the previous one."""
    if config.kind == "slurm" and config.slurm.stages:
        names = [stage.name for stage in stages]
        unknown = sorted(set(config.slurm.stages) - set(names))
        if unknown:
            raise ConfigError(f"executor.slurm.stages names {unknown}, not stages of this run; its stages: {names}")
    executors: list[PipelineExecutor] = []
    for stage in stages:
        logging_dir = stage_logging_dir(logs_root, stage)
        previous = executors[-1] if executors else None
        workers = config.workers
        if config.kind == "local":
            if workers == -1:
                workers = min(stage.tasks, os.cpu_count() or 1)
            executor = FailureTolerantLocalExecutor(
                _with_document_counter(stage, logging_dir),
                tasks=stage.tasks,
                workers=min(workers, stage.tasks),
                logging_dir=logging_dir,
                depends=previous,
            )
        elif config.kind == "slurm":
            executor = _slurm_executor(stage, config, logging_dir, run_name, previous, workers)
        else:
            executor = _ray_executor(stage, config, logging_dir, previous, workers)
        executors.append(executor)
    return executors


def _reads_documents(stage: Stage) -> bool:
    return bool(stage.pipeline) and "READER" in str(getattr(stage.pipeline[0], "type", ""))


def _with_document_counter(stage: Stage, logging_dir: str) -> list:
    """The stage's steps with a `DocumentCounter` after its reader (for the progress bar), if it has one."""
    if not _reads_documents(stage):
        return stage.pipeline
    return [stage.pipeline[0], DocumentCounter(logging_dir), *stage.pipeline[1:]]


class RedactedSlurmExecutor(RedactedJsonMixin, SlurmPipelineExecutor):
    """datatrove's SlurmPipelineExecutor writing a redacted executor.json (the job's own pickle keeps the real
    values: pass credentials through the environment or an AWS profile to keep them off the shared disk)."""


def _slurm_executor(stage, config: ExecutorConfig, logging_dir, run_name, previous, workers) -> PipelineExecutor:
    slurm = config.slurm
    own = slurm.stages.get(stage.name)  # this stage's own partition/time/resources, where the config gives them
    sbatch_args = {"kill-on-invalid-dep": "yes", **slurm.sbatch_args, **(own.sbatch_args if own else {})}
    mem_gb = own.mem_per_cpu_gb if own and own.mem_per_cpu_gb else slurm.mem_per_cpu_gb
    if mem_gb != int(mem_gb):  # datatrove writes f"{gb}G", and sbatch accepts only whole numbers
        sbatch_args.setdefault("mem-per-cpu", f"{int(mem_gb * 1024)}M")
    return RedactedSlurmExecutor(
        stage.pipeline,
        tasks=stage.tasks,
        time=(own and own.time) or slurm.time,
        partition=(own and own.partition) or slurm.partition,
        cpus_per_task=(own and own.cpus_per_task) or stage.cpus_per_task or slurm.cpus_per_task,
        gpus_per_task=(own and own.gpus) or 0,
        mem_per_cpu_gb=int(mem_gb),
        workers=workers,
        job_name=f"{run_name}_{stage.name}",
        qos=slurm.qos or "",  # datatrove writes --qos=normal for its default; empty writes no --qos line
        env_command=slurm.env_command if slurm.env_command is not None else default_env_command(),
        sbatch_args=sbatch_args,
        max_array_size=slurm.max_array_size,
        logging_dir=logging_dir,
        depends=previous,
        mail_type="NONE",
    )


def _ray_executor(stage, config: ExecutorConfig, logging_dir, previous, workers) -> PipelineExecutor:
    return _ray_executor_class()(
        stage.pipeline,
        tasks=stage.tasks,
        workers=workers,
        logging_dir=logging_dir,
        depends=previous,
        cpus_per_task=stage.cpus_per_task or config.ray.cpus_per_task,
        mem_per_cpu_gb=config.ray.mem_per_cpu_gb,
    )


def default_env_command() -> str:
    """Activate the virtualenv this Python runs from on the Slurm nodes (they share the filesystem)."""
    activate = Path(sys.prefix) / "bin" / "activate"
    return f"source {activate}" if sys.prefix != sys.base_prefix and activate.is_file() else ""


def run_stages(
    stages: list[Stage],
    config: ExecutorConfig,
    logs_root: str,
    run_name: str,
    wait: bool = True,
    poll_seconds: float = 5.0,
    timeout_seconds: float | None = None,
    quiet: bool = False,
) -> list[StageResult]:
    """Run (or, on Slurm, submit) every stage in order. Raise StageFailedError if a stage leaves tasks incomplete.

    Local and Ray stages show a progress bar of finished tasks; `quiet` turns it off and keeps datatrove's
    INFO logging off the console (task log files are unchanged)."""
    for stage in stages:
        check_stage_record(stage_logging_dir(logs_root, stage), stage)
    executors = build_executors(stages, config, logs_root, run_name)
    if config.kind == "slurm":
        return _run_slurm(stages, executors, wait, poll_seconds, timeout_seconds, quiet)
    if config.kind == "ray":
        _init_ray(config)
    results = []
    written: dict[str, int] = {}  # output folder → documents earlier stages wrote there (the bars' totals)
    with quiet_run(quiet):
        for stage, executor in zip(stages, executors, strict=True):
            already_done = not executor.get_incomplete_ranks()
            started = time.perf_counter()
            # documents are counted by local tasks only (Ray tasks may run where this disk is not)
            counts_documents = _reads_documents(stage) and config.kind == "local"
            show = not quiet and not already_done
            progress = StageProgress(
                stage.name,
                stage.tasks,
                executor.logging_dir.path,
                counts_documents,
                total=expected_documents(stage.pipeline[0], written) if counts_documents and show else None,
                disable=not show,
            )
            # quiet: datatrove re-installs its console logger after every task, so the console itself is muted
            with progress, _console_silenced(quiet):
                executor.run()
            _raise_if_incomplete(stage, executor)
            written.update(documents_written(executor.pipeline, executor.logging_dir.path))
            results.append(_stage_result(stage, executor, already_done, time.perf_counter() - started))
    return results


def _stage_result(
    stage: Stage, executor: PipelineExecutor, skipped: bool, seconds: float, finished: bool = True
) -> StageResult:
    logging_dir = executor.logging_dir.path
    counters = stage_counters(logging_dir) if finished else {}
    return StageResult(stage.name, logging_dir, stage.tasks, skipped, seconds, counters)


def _init_ray(config: ExecutorConfig) -> None:
    import ray

    if not ray.is_initialized():
        ray.init(address=config.ray.address, include_dashboard=False, log_to_driver=False)


def _run_slurm(stages, executors, wait, poll_seconds, timeout_seconds, quiet=False) -> list[StageResult]:
    started = time.perf_counter()
    executors[-1].run()  # datatrove submits the whole chain through `depends`
    job_ids = [str(e.job_id) for e in executors if e.job_id not in (None, -1)]
    if wait and job_ids:
        stage_dirs = [(s.name, s.tasks, e.logging_dir.path) for s, e in zip(stages, executors, strict=True)]
        with SlurmProgress(stage_dirs, disable=quiet) as progress:
            _wait_for_slurm_jobs(job_ids, poll_seconds, timeout_seconds, progress.update)
    results = []
    for stage, executor in zip(stages, executors, strict=True):
        if wait:
            _raise_if_incomplete(stage, executor)
        seconds = time.perf_counter() - started
        results.append(_stage_result(stage, executor, executor.job_id == -1, seconds, finished=wait))
    return results


def _wait_for_slurm_jobs(job_ids: list[str], poll_seconds: float, timeout_seconds: float | None,
                         on_poll=None) -> None:  # fmt: skip
    """Return when none of `job_ids` is queued or running; `on_poll()` is called at every poll (progress)."""
    deadline = time.monotonic() + timeout_seconds if timeout_seconds else None
    while True:
        if on_poll is not None:
            on_poll()
        queued = subprocess.run(
            ["squeue", "--noheader", "--format=%i %T %r", f"--jobs={','.join(job_ids)}"],
            capture_output=True,
            text=True,
        )
        if not queued.stdout.strip():
            return
        if deadline and time.monotonic() > deadline:
            raise StageFailedError(f"Slurm jobs {job_ids} still queued after {timeout_seconds} s:\n{queued.stdout}")
        time.sleep(poll_seconds)


def _raise_if_incomplete(stage: Stage, executor: PipelineExecutor) -> None:
    failed = executor.get_incomplete_ranks(skip_completed=True)
    if not failed:
        return
    logging_dir = executor.logging_dir.path
    details = "\n".join(f"  task {rank}: {last_error_line(logging_dir, rank)}" for rank in failed[:10])
    more = f"\n  ... and {len(failed) - 10} more" if len(failed) > 10 else ""
    raise StageFailedError(
        f"stage '{stage.name}': {len(failed)} of {stage.tasks} tasks failed (logs in {logging_dir}/logs):\n"
        f"{details}{more}\nrerun the same command to retry only the failed tasks"
    )


def last_error_line(logging_dir: str, rank: int) -> str:
    """The most telling line of a failed task's log: the last smolcorpus error, else the last ERROR line."""
    log = Path(logging_dir) / "logs" / f"task_{rank:05d}.log"
    if not log.is_file():
        return "no log written (the task did not start)"
    lines = log.read_text(errors="replace").splitlines()
    for marker in ("Error: cannot read input file", "Error:", "| ERROR"):
        hits = [line for line in lines if marker in line]
        if hits:
            return hits[-1].split(" - ", 1)[-1].strip()
    return lines[-1] if lines else "empty log"


def stage_counters(logging_dir: str) -> dict[str, dict[str, float]]:
    """Per step, the total of every counter over the stage's task stats files (`stats/NNNNN.json`).

    Counters are what steps report with `stat_update` (documents, tokens, `dropped_<reason>`, ...); for
    distributions such as `doc_len` the total is the sum over documents.
    """
    totals: dict[str, dict[str, float]] = {}
    for path in sorted((Path(logging_dir) / "stats").glob("*.json")):
        for step in json.loads(path.read_text()):
            step_totals = totals.setdefault(step["name"], {})
            for key, value in step["stats"].items():
                amount = value["total"] if isinstance(value, dict) else value
                step_totals[key] = step_totals.get(key, 0) + amount
    return totals
