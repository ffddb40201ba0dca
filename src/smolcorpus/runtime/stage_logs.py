"""Reading a stage's logging folder (`<output>/logs/<stage>/`): its counters summed over task stats files, the
error line of each failed task, and the `StageResult` a run reports."""

from __future__ import annotations

import json
from pathlib import Path

from datatrove.executor.base import PipelineExecutor
from datatrove.utils.stats import MetricStats, PipelineStats

from smolcorpus.errors import DiskFullError, StageFailedError
from smolcorpus.runtime.atomic_folder import write_text_whole
from smolcorpus.runtime.stage import Stage, StageResult

NO_LOG = "no log written (the task did not start)"
EMPTY_LOG = "empty log"
FULL_DISK_BYTES = 1 << 20  # a disk with less free is full for a task's log


def stage_result(
    stage: Stage, executor: PipelineExecutor, skipped: bool, seconds: float, finished: bool = True
) -> StageResult:
    logging_dir = executor.logging_dir.path
    counters = stage_counters(logging_dir) if finished else {}
    return StageResult(stage.name, logging_dir, stage.tasks, skipped, seconds, counters)


def raise_if_incomplete(stage: Stage, executor: PipelineExecutor, output_folder: str | None = None) -> None:
    """StageFailedError naming the failed tasks and their error lines; DiskFullError (naming `output_folder`, by
    default the logging folder) when a full disk failed them: a task's log says so, or is empty on a disk with less
    than `FULL_DISK_BYTES` free (the log itself could not be written)."""
    failed = executor.get_incomplete_ranks(skip_completed=True)
    if not failed:
        return
    logging_dir = executor.logging_dir.path
    errors = {rank: last_error_line(logging_dir, rank) for rank in failed}
    unlogged = any(line in (NO_LOG, EMPTY_LOG) for line in errors.values())
    if any(DiskFullError.caused(line) for line in errors.values()) or (
        unlogged and Path(logging_dir).is_dir() and DiskFullError.free_bytes(logging_dir) < FULL_DISK_BYTES
    ):
        raise DiskFullError(output_folder or logging_dir)
    details = "\n".join(f"  task {rank}: {errors[rank]}" for rank in failed[:10])
    more = f"\n  ... and {len(failed) - 10} more" if len(failed) > 10 else ""
    raise StageFailedError(
        f"stage '{stage.name}': {len(failed)} of {stage.tasks} tasks failed (logs in {logging_dir}/logs):\n"
        f"{details}{more}\nrerun the same command to retry only the failed tasks"
    )


def last_error_line(logging_dir: str, rank: int) -> str:
    """The most telling line of a failed task's log: the last smolcorpus error, else the last ERROR line."""
    log = Path(logging_dir) / "logs" / f"task_{rank:05d}.log"
    if not log.is_file():
        return NO_LOG
    lines = log.read_text(errors="replace").splitlines()
    for marker in ("Error: cannot read input file", "Error:", "| ERROR"):
        hits = [line for line in lines if marker in line]
        if hits:
            return hits[-1].split(" - ", 1)[-1].strip()
    return lines[-1] if lines else EMPTY_LOG


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


def task_stats(entries: list[dict]) -> PipelineStats:
    """A task's stats file read back so that a sum of them is what datatrove sums in memory (and writes in the same
    form): a counter that only ever went up by one is saved as its bare total, which datatrove's own reader takes
    for one update of that size (its sum of 3 and 4 would be "n": 2, "mean": 3.5, not 7)."""
    stats = PipelineStats.from_json(entries)
    for step, entry in zip(stats.stats, entries, strict=True):
        for key, value in entry["stats"].items():
            if not isinstance(value, dict):
                step.stats[key] = MetricStats(total=value, n=value, mean=1, min=1, max=1) if value else MetricStats()
    return stats


def write_stage_stats(logging_dir: str) -> None:
    """Write the stage's `stats.json` as the sum of its completed tasks' stats files, whole or not at all.

    datatrove's local and Ray executors write there the sum of the tasks that *this* run ran (a resumed stage's
    file missed the tasks of the earlier runs), directly (a full disk left it empty), and not at all when every task
    was already done (so an empty one stayed). A task's stats file counts once its completion marker exists: one
    that a full disk cut short belongs to a task without one."""
    folder = Path(logging_dir)
    completions = folder / "completions"
    done = {p.name for p in completions.iterdir()} if completions.is_dir() else set()
    total = PipelineStats()
    for path in sorted((folder / "stats").glob("*.json")):
        if path.stem in done:
            total += task_stats(json.loads(path.read_text()))
    target = folder / "stats.json"
    try:
        write_text_whole(target, total.to_json())
    except OSError:
        target.unlink(missing_ok=True)  # none rather than one that does not hold every task
        raise
