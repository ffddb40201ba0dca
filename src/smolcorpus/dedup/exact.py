"""Exact dedup (same content → keep one) over datatrove: two stages (signatures → find duplicates) and a filter step.

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
    """The step that removes the copies `exact_dedup_stages` found (put it in a later stage, over the same
    documents in the same order: documents are matched by their index in each task's stream)."""
    return ExactDedupFilter(
        f"{work_dir.rstrip('/')}/duplicates",
        config=exact_dedup_config(per_language),
        exclusion_writer=exclusion_writer,
    )


def exact_dedup_stages(
    source: SourceFactory, work_dir: str, tasks: int, prefix: str = "exact", per_language: bool = False
) -> list[Stage]:
    """The two stages that find exact copies (signatures, find); `exact_dedup_filter` removes them in a stage of
    the caller's. `source()` builds the reader (and steps) whose documents are deduplicated."""
    config = exact_dedup_config(per_language)
    work = work_dir.rstrip("/")
    return [
        Stage(
            f"{prefix}_signatures",
            [*source_steps(source), ExactDedupSignature(f"{work}/signatures", config=config)],
            tasks,
        ),  # fmt: skip
        Stage(f"{prefix}_find", [ExactFindDedups(f"{work}/signatures", f"{work}/duplicates", config=config)], 1),
    ]
