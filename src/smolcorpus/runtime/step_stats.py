"""Counting on behalf of a step: the one way a step counts a drop, and the one way a step that runs another step
inside it takes over that step's counters (datatrove only saves the stats of the steps in the pipeline list)."""

from __future__ import annotations

from collections.abc import Iterable

from datatrove.pipeline.base import PipelineStep


def count_drop(step: PipelineStep, reason: str, ledger=None, rank: int = 0, item_id: str | None = None,
               language: str | None = None, size: int | None = None, where: dict | None = None) -> None:  # fmt: skip
    """Count `dropped_<reason>` on `step`, and write the item's line to `ledger` (a `DropLedger`, when the step
    has one): what a reader does with an input item that never becomes a document. `where`: how a person finds
    the item again (url, WARC file and offset, repository and path; the ledger's `LOCATION_FIELDS`). Filters count
    their drops through datatrove's `BaseFilter` (`dropped_<reason>` too) and write through their
    `exclusion_writer`."""
    step.stat_update(f"dropped_{reason}")
    if ledger is not None:
        ledger.record(rank, reason, item_id or "", language, size, where)


def merge_stats(outer: PipelineStep, inner: PipelineStep, keys: Iterable[str] | None = None, prefix: str = "",
                exclude: Iterable[str] = ()) -> None:  # fmt: skip
    """Add `inner`'s counter totals to `outer`'s as `<prefix><key>`: every counter, or only `keys`; never those in
    `exclude`. Zero totals are left out."""
    excluded = set(exclude)
    counters = inner.stats.stats
    for key in keys if keys is not None else list(counters):
        if key in excluded or key not in counters or not counters[key].total:
            continue
        outer.stat_update(f"{prefix}{key}", value=counters[key].total)
