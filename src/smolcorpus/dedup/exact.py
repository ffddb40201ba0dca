"""Exact dedup (same content → keep one) as three datatrove stages: signatures → find duplicates → filter.

The content is the text with trailing whitespace stripped from every line, so copies that differ only in line
endings or trailing spaces count as the same file (as The Stack's exact dedup on normalised content did). With
`per_language`, the language is part of the key: a file only duplicates files of its own language.
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
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.hashing import HashConfig

from smolcorpus.runtime.stage import Stage

SourceFactory = Callable[[], "PipelineStep | list[PipelineStep]"]


def normalized_content(doc: Document) -> str:
    """The text with line endings unified and trailing whitespace removed from each line."""
    return "\n".join(line.rstrip() for line in doc.text.splitlines()).strip()


def language_and_content(doc: Document) -> str:
    """`normalized_content` keyed by the document's language (per-language dedup)."""
    return f"{doc.metadata.get('language', '')}\x00{normalized_content(doc)}"


def source_steps(source: SourceFactory) -> list[PipelineStep]:
    """Build a fresh copy of the steps that produce the documents to deduplicate (a reader, maybe filters)."""
    steps = source()
    return list(steps) if isinstance(steps, list | tuple) else [steps]


def exact_dedup_config(per_language: bool = False) -> ExactDedupConfig:
    getter = language_and_content if per_language else normalized_content
    return ExactDedupConfig(content_getter=getter, hash_config=HashConfig(precision=64))


def exact_dedup_filter(
    work_dir: str, per_language: bool = False, exclusion_writer: DiskWriter | None = None
) -> ExactDedupFilter:
    """The filter step of the last stage (usable on its own after `exact_dedup_stages(...)[:2]` ran)."""
    return ExactDedupFilter(
        f"{work_dir.rstrip('/')}/duplicates",
        config=exact_dedup_config(per_language),
        exclusion_writer=exclusion_writer,
    )


def exact_dedup_stages(
    source: SourceFactory,
    after_filter: list[PipelineStep],
    work_dir: str,
    tasks: int,
    prefix: str = "exact",
    per_language: bool = False,
    exclusion_writer: DiskWriter | None = None,
) -> list[Stage]:
    """Three stages; `source()` must build the same reader (and steps) for signatures and filter: documents are
    matched by their index in each task's stream. `after_filter` steps follow the filter in the last stage;
    `exclusion_writer` (e.g. a `DropLedger`) receives the removed copies."""
    config = exact_dedup_config(per_language)
    work = work_dir.rstrip("/")
    return [
        Stage(
            f"{prefix}_signatures",
            [*source_steps(source), ExactDedupSignature(f"{work}/signatures", config=config)],
            tasks,
        ),  # fmt: skip
        Stage(f"{prefix}_find", [ExactFindDedups(f"{work}/signatures", f"{work}/duplicates", config=config)], 1),
        Stage(
            f"{prefix}_filter",
            [*source_steps(source), exact_dedup_filter(work, per_language, exclusion_writer), *after_filter],
            tasks,
        ),
    ]
