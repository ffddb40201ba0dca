"""Exact dedup (same content → keep one) as three datatrove stages: signatures → find duplicates → filter.

The content is the text with trailing whitespace stripped from every line, so copies that differ only in line
endings or trailing spaces count as the same file (as The Stack's exact dedup on normalised content did).
"""

from __future__ import annotations

from collections.abc import Callable

from datatrove.data import Document
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.dedup.exact_dedup import (
    ExactDedupConfig,
    ExactDedupFilter,
    ExactDedupSignature,
    ExactFindDedups,
)
from datatrove.utils.hashing import HashConfig

from smolcorpus.pipelines.executors import Stage


def normalized_content(doc: Document) -> str:
    """The text with line endings unified and trailing whitespace removed from each line."""
    return "\n".join(line.rstrip() for line in doc.text.splitlines()).strip()


def exact_dedup_stages(
    reader: Callable[[], PipelineStep],
    after_filter: list[PipelineStep],
    work_dir: str,
    tasks: int,
    prefix: str = "exact",
) -> list[Stage]:
    """Three stages; `reader()` must build the same reader for signatures and filter (documents are matched by
    their index in each task's stream). `after_filter` steps follow the filter in the last stage."""
    config = ExactDedupConfig(content_getter=normalized_content, hash_config=HashConfig(precision=64))
    work = work_dir.rstrip("/")
    return [
        Stage(f"{prefix}_signatures", [reader(), ExactDedupSignature(f"{work}/signatures", config=config)], tasks),
        Stage(f"{prefix}_find", [ExactFindDedups(f"{work}/signatures", f"{work}/duplicates", config=config)], 1),
        Stage(
            f"{prefix}_filter", [reader(), ExactDedupFilter(f"{work}/duplicates", config=config), *after_filter], tasks
        ),  # fmt: skip
    ]
