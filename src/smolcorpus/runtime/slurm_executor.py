"""Stages on Slurm: datatrove's SlurmPipelineExecutor with each stage's own partition, time and resources
(`executor.slurm.stages`), submitted as one dependency chain, then polled with squeue until done."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from datatrove.executor import SlurmPipelineExecutor
from datatrove.executor.base import PipelineExecutor

from smolcorpus.config.executor import ExecutorConfig
from smolcorpus.errors import StageFailedError
from smolcorpus.runtime.executor_json import RedactedJsonMixin
from smolcorpus.runtime.progress import SlurmProgress
from smolcorpus.runtime.stage import StageResult
from smolcorpus.runtime.stage_logs import raise_if_incomplete, stage_result


class RedactedSlurmExecutor(RedactedJsonMixin, SlurmPipelineExecutor):
    """datatrove's SlurmPipelineExecutor writing a redacted executor.json (the job's own pickle keeps the real
    values: pass credentials through the environment or an AWS profile to keep them off the shared disk)."""


def slurm_executor(stage, config: ExecutorConfig, logging_dir, run_name, previous, workers) -> PipelineExecutor:
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


def default_env_command() -> str:
    """Activate the virtualenv this Python runs from on the Slurm nodes (they share the filesystem)."""
    activate = Path(sys.prefix) / "bin" / "activate"
    return f"source {activate}" if sys.prefix != sys.base_prefix and activate.is_file() else ""


def run_slurm(stages, executors, wait, poll_seconds, timeout_seconds, quiet=False) -> list[StageResult]:
    started = time.perf_counter()
    executors[-1].run()  # datatrove submits the whole chain through `depends`
    job_ids = [str(e.job_id) for e in executors if e.job_id not in (None, -1)]
    if not quiet and job_ids:  # datatrove says so at INFO level, which the default console leaves to the logs
        submitted = ", ".join(f"{s.name} → job {e.job_id}" for s, e in zip(stages, executors, strict=True)
                              if e.job_id not in (None, -1))  # fmt: skip
        print(f"submitted to Slurm: {submitted}", file=sys.stderr)
    if wait and job_ids:
        stage_dirs = [(s.name, s.tasks, e.logging_dir.path) for s, e in zip(stages, executors, strict=True)]
        with SlurmProgress(stage_dirs, disable=quiet) as progress:
            _wait_for_slurm_jobs(job_ids, poll_seconds, timeout_seconds, progress.update)
    results = []
    for stage, executor in zip(stages, executors, strict=True):
        if wait:
            raise_if_incomplete(stage, executor)
        seconds = time.perf_counter() - started
        results.append(stage_result(stage, executor, executor.job_id == -1, seconds, finished=wait))
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
