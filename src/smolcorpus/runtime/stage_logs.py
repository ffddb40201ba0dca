"""Reading a stage's logging folder (`<output>/logs/<stage>/`): its counters summed over task stats files, the
error line of each failed task, and the `StageResult` a run reports."""

from __future__ import annotations

import json
from pathlib import Path

from datatrove.executor.base import PipelineExecutor

from smolcorpus.errors import StageFailedError
from smolcorpus.runtime.stage import Stage, StageResult


def stage_result(
    stage: Stage, executor: PipelineExecutor, skipped: bool, seconds: float, finished: bool = True
) -> StageResult:
    logging_dir = executor.logging_dir.path
    counters = stage_counters(logging_dir) if finished else {}
    return StageResult(stage.name, logging_dir, stage.tasks, skipped, seconds, counters)


def raise_if_incomplete(stage: Stage, executor: PipelineExecutor) -> None:
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
