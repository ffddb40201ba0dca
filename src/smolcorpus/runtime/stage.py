"""A stage (one datatrove pipeline run as a number of tasks) and the result of running one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Stage:
    """One datatrove pipeline run as `tasks` tasks; `cpus_per_task` overrides the executor's (Slurm/Ray)."""

    name: str
    pipeline: list
    tasks: int
    cpus_per_task: int | None = None


@dataclass
class StageResult:
    """What one stage did: its counters per step (summed over tasks), seconds, and whether it was already complete."""

    name: str
    logging_dir: str
    tasks: int
    skipped: bool
    seconds: float
    counters: dict[str, dict[str, float]]
