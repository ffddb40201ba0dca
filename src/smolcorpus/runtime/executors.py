"""Run a list of stages on datatrove's local, Slurm or Ray executor.

Local and Ray stages run one after another in this process; Slurm stages are submitted at once, chained with
datatrove's `depends`. Local and Ray executors get no `depends`: datatrove pickles an executor into every task, and
with `depends` that pickle held every earlier stage's steps (block lists, benchmark indexes, ~8 MB, ~12 s per task
for the last stage of a FineMath run). Local workers are forked from a forkserver that has imported the modules of
the run's steps and what those import on their first document (spaCy, pandas) once, so a stage's workers do not
each import them again (~2-3 s per worker).

Each stage gets its own logging folder (`<output>/logs/<stage>/`) with datatrove's `completions/`, `stats/` and
`logs/`; a rerun skips completed tasks. Two things are added on top of datatrove:

- a failed task does not stop the others (datatrove's local pool would tear them down), and the run ends with
  `StageFailedError` naming the failed tasks and their error line; later stages do not start;
- a stage folder remembers its task count, and a rerun with another count is refused (task i of 4 and task i
  of 8 read different files, so mixing them would duplicate or lose documents);
- a stage's `stats.json` is the sum over all its completed tasks, those of earlier runs included, written whole;
  a full disk ends the run with `DiskFullError` (the folder, the space free) instead of a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

from datatrove.executor import LocalPipelineExecutor
from datatrove.executor.base import PipelineExecutor
from datatrove.utils.stats import PipelineStats

from smolcorpus.config.base import is_remote
from smolcorpus.config.executor import ExecutorConfig
from smolcorpus.errors import ConfigError, DiskFullError
from smolcorpus.runtime.atomic_folder import write_text_whole
from smolcorpus.runtime.console import console_mode, filtered_stderr, run_console, task_console_mode
from smolcorpus.runtime.executor_json import RedactedJsonMixin
from smolcorpus.runtime.progress import DocumentCounter, StageProgress, documents_written, expected_documents
from smolcorpus.runtime.ray_executor import init_ray, ray_executor
from smolcorpus.runtime.slurm_executor import run_slurm, slurm_executor
from smolcorpus.runtime.stage import Stage, StageResult
from smolcorpus.runtime.stage_logs import raise_if_incomplete, stage_result, write_stage_stats

STAGE_RECORD = "stage.json"


class FailureTolerantLocalExecutor(RedactedJsonMixin, LocalPipelineExecutor):
    """datatrove's LocalPipelineExecutor, except that one failing task does not cancel the tasks still running.

    The failure is logged by datatrove (in the task's log file); the task gets no completion marker, so the
    caller sees it in `get_incomplete_ranks()` and a rerun retries it.
    """

    def _launch_run_for_rank(self, rank: int, ranks_q, completed=None, completed_lock=None) -> PipelineStats:
        # the run's mode travels with the pickled executor: a forkserver's children keep the environment of the
        # first run that started it, so CONSOLE_ENV alone could be stale in a second run of the same process
        mode = getattr(self, "console_mode", None) or task_console_mode()
        with _console_silenced(mode == "quiet"), filtered_stderr(mode):
            try:
                return super()._launch_run_for_rank(rank, ranks_q, completed, completed_lock)
            except Exception:
                return PipelineStats()


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
    write_text_whole(record_path, json.dumps({"stage": stage.name, "tasks": stage.tasks}))


def build_executors(
    stages: list[Stage], config: ExecutorConfig, logs_root: str, run_name: str
) -> list[PipelineExecutor]:
    """One datatrove executor per stage (on Slurm, each depending on the previous one)."""
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
            )
        elif config.kind == "slurm":
            executor = slurm_executor(stage, config, logging_dir, run_name, previous, workers)
        else:
            executor = ray_executor(stage, config, logging_dir, workers)
        executors.append(executor)
    return executors


# Modules that steps import on their first document rather than at import time, so that a forkserver importing the
# step modules alone would leave every pool worker of every stage to import them again (CPU, measured: spaCy 2.7 s,
# pandas 0.6 s a worker). Keys are step modules; "*" applies to every run. A step of ours that depends on its
# settings says it itself, with a `run_time_imports()` method (the URL filter's block lists: 3-10 s a worker).
RUN_TIME_IMPORTS = {
    # pyarrow imports pandas the first time it builds an array from Python objects: every Parquet writer
    "*": ("pandas",),
    # the Gopher filters' word tokenizer is a spaCy pipeline, built on the first document
    "datatrove.pipeline.filters.gopher_quality_filter": ("spacy",),
    "datatrove.pipeline.filters.gopher_repetition_filter": ("spacy",),
}


# imported by the forkserver after the step modules (see its docstring)
WARMUP_MODULE = "smolcorpus.runtime.forkserver_warmup"


def preload_step_modules(stages: list[Stage]) -> None:
    """Have the forkserver that datatrove's local pools fork their workers from import the modules of these stages'
    steps (and what they import at run time: `RUN_TIME_IMPORTS`, and a step's own `run_time_imports()`), then run
    datatrove's dependency checks of those steps (`WARMUP_MODULE`), before it forks any, so that a stage's workers
    do not each do it again. A forkserver that an earlier run in this process started without some of them is
    stopped; the next pool starts one that imports what both runs need."""
    import importlib.util

    from multiprocess import forkserver

    steps = [step for stage in stages for step in stage.pipeline]
    step_modules = {type(step).__module__ for step in steps}
    wanted = set(step_modules)
    wanted.update(name for step in steps if hasattr(step, "run_time_imports") for name in step.run_time_imports())
    for module in ("*", *step_modules):
        wanted.update(name for name in RUN_TIME_IMPORTS.get(module, ()) if importlib.util.find_spec(name))
    server = forkserver._forkserver
    preloaded = set(server._preload_modules)
    if wanted | {WARMUP_MODULE} <= preloaded:
        return
    server._stop()  # a no-op when none runs; pools already started keep their workers
    modules = sorted((preloaded | wanted) - {"__main__", WARMUP_MODULE})
    forkserver.set_forkserver_preload(["__main__", *modules, WARMUP_MODULE])  # the warm-up after the steps


def _reads_documents(stage: Stage) -> bool:
    return bool(stage.pipeline) and "READER" in str(getattr(stage.pipeline[0], "type", ""))


def _with_document_counter(stage: Stage, logging_dir: str) -> list:
    """The stage's steps with a `DocumentCounter` after its reader (for the progress bar), if it has one."""
    if not _reads_documents(stage):
        return stage.pipeline
    return [stage.pipeline[0], DocumentCounter(logging_dir), *stage.pipeline[1:]]


def run_stages(
    stages: list[Stage],
    config: ExecutorConfig,
    logs_root: str,
    run_name: str,
    wait: bool = True,
    poll_seconds: float = 5.0,
    timeout_seconds: float | None = None,
    quiet: bool = False,
    verbose: bool = False,
) -> list[StageResult]:
    """Run (or, on Slurm, submit) every stage in order. Raise StageFailedError if a stage leaves tasks incomplete.

    The console (`runtime.console`): by default a progress bar per stage, warnings and errors, datatrove's INFO
    logging in the task log files only; `verbose` shows datatrove's logging too; `quiet` shows nothing (task log
    files are the same in every mode)."""
    for stage in stages:
        check_stage_record(stage_logging_dir(logs_root, stage), stage)
    executors = build_executors(stages, config, logs_root, run_name)
    mode = console_mode(quiet, verbose)
    for executor in executors:
        executor.console_mode = mode
    if config.kind == "slurm":
        with run_console(mode):
            return run_slurm(stages, executors, wait, poll_seconds, timeout_seconds, quiet)
    if config.kind == "ray":
        init_ray(config)
    else:
        # only the stages that fork pool workers: a one-worker stage runs its tasks in this process, and preloading
        # its steps' needs (a URL filter's block lists: 700 MB) would only burden the other stages' forkserver
        pooled = [stage for stage, executor in zip(stages, executors, strict=True) if executor.workers > 1]
        preload_step_modules(pooled)
    results = []
    written: dict[str, int] = {}  # output folder → documents earlier stages wrote there (the bars' totals)
    output_folder = logs_root.rstrip("/").rsplit("/", 1)[0]  # what a full disk's message names
    with run_console(mode):
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
            try:
                # quiet: datatrove re-installs its console logger after every task, so the console itself is muted
                with progress, _console_silenced(quiet):
                    executor.run()
                if not is_remote(logs_root):
                    write_stage_stats(executor.logging_dir.path)  # the sum over every task, written whole
            except OSError as e:
                if not DiskFullError.caused(e):
                    raise
                with contextlib.suppress(OSError):  # whatever of it the full disk let be written
                    Path(executor.logging_dir.path, "stats.json").unlink(missing_ok=True)
                raise DiskFullError.of(e, output_folder) from e
            raise_if_incomplete(stage, executor, output_folder)
            written.update(documents_written(executor.pipeline, executor.logging_dir.path))
            results.append(stage_result(stage, executor, already_done, time.perf_counter() - started))
    return results
