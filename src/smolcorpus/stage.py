"""A stage: one datatrove pipeline run as a number of tasks. It lives below `pipelines/` so that packages building
stages (dedup, tokenize) do not import the executors that run them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Stage:
    """One datatrove pipeline run as `tasks` tasks; `cpus_per_task` overrides the executor's (Slurm/Ray)."""

    name: str
    pipeline: list
    tasks: int
    cpus_per_task: int | None = None
