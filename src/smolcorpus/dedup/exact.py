"""Exact dedup (same content → keep one) over datatrove: the steps of its two finding stages (signatures → find
duplicates) and the filter step that removes what they found; `pipelines/dedup.py` puts them into stages.

The content is the text with trailing whitespace stripped from every line, so copies that differ only in line
endings or trailing spaces count as the same file (as The Stack's exact dedup on normalised content did). With
`per_language`, the language is part of the key: a file only duplicates files of its own language.
"""

from __future__ import annotations

from datatrove.data import Document
from datatrove.pipeline.dedup.exact_dedup import (
    ExactDedupConfig,
    ExactDedupFilter,
    ExactDedupSignature,
    ExactFindDedups,
)
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.hashing import HashConfig


def normalized_content(doc: Document) -> str:
    """The text with line endings unified and trailing whitespace removed from each line."""
    return "\n".join(line.rstrip() for line in doc.text.splitlines()).strip()


def language_and_content(doc: Document) -> str:
    """`normalized_content` keyed by the document's language (per-language dedup)."""
    return f"{doc.metadata.get('language', '')}\x00{normalized_content(doc)}"


def exact_dedup_config(per_language: bool = False) -> ExactDedupConfig:
    getter = language_and_content if per_language else normalized_content
    return ExactDedupConfig(content_getter=getter, hash_config=HashConfig(precision=64))


def exact_dedup_signature(work_dir: str, per_language: bool = False) -> ExactDedupSignature:
    """The first finding stage's last step: each document's content hash, written under `work_dir/signatures`."""
    return ExactDedupSignature(f"{work_dir.rstrip('/')}/signatures", config=exact_dedup_config(per_language))


def exact_find_dedups(work_dir: str, per_language: bool = False) -> ExactFindDedups:
    """The second finding stage (one task): the copies among the signatures, written under `work_dir/duplicates`."""
    work = work_dir.rstrip("/")
    return ExactFindDedups(f"{work}/signatures", f"{work}/duplicates", config=exact_dedup_config(per_language))


def exact_dedup_filter(
    work_dir: str, per_language: bool = False, exclusion_writer: DiskWriter | None = None
) -> ExactDedupFilter:
    """The step that removes the copies `exact_find_dedups` found (put it in a later stage, over the same
    documents in the same order: documents are matched by their index in each task's stream)."""
    return ExactDedupFilter(
        f"{work_dir.rstrip('/')}/duplicates",
        config=exact_dedup_config(per_language),
        exclusion_writer=exclusion_writer,
    )
