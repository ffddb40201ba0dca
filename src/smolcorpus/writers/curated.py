"""Curated (untokenized) Parquet outputs with the columns of the published Stack-Edu and FineMath datasets.

Stack-Edu-like: one folder per language (`<output>/<language slug>/<rank>.parquet`), columns `blob_id`,
`language`, `repo_name`, `path`, `src_encoding`, `length_bytes`, `detected_licenses`, `license_type`, `text`,
`score`, `int_score`. The schema is fixed, so files from different tasks always concatenate; unknown values
are nulls (`score`/`int_score` when the run has no classifier).
"""

from __future__ import annotations

import re

import pyarrow as pa
from datatrove.data import Document
from datatrove.pipeline.writers import ParquetWriter

from smolcorpus.score_keys import int_score_key, score_key

STACK_EDU_SCHEMA = pa.schema(
    [
        ("blob_id", pa.string()),
        ("language", pa.string()),
        ("repo_name", pa.string()),
        ("path", pa.string()),
        ("src_encoding", pa.string()),
        ("length_bytes", pa.int64()),
        ("detected_licenses", pa.list_(pa.string())),
        ("license_type", pa.string()),
        ("text", pa.string()),
        ("score", pa.float64()),
        ("int_score", pa.int64()),
    ]
)


def language_slug(language: str) -> str:
    """A folder-safe name for a language: `C++` → `cpp`, `C#` → `csharp`, `Shell` → `shell`."""
    slug = language.lower().replace("++", "pp").replace("+", "p").replace("#", "sharp")
    return re.sub(r"[^a-z0-9_.-]+", "_", slug).strip("_") or "unknown"


def stack_edu_row(document: Document, score_name: str = "edu") -> dict:
    """The curated row of a code document; `score`/`int_score` come from `<score_name>_score`/`_int_score`."""
    metadata = document.metadata
    text_bytes = len(document.text.encode("utf-8", errors="replace"))
    return {
        "blob_id": metadata.get("blob_id") or document.id,
        "language": metadata.get("language"),
        "repo_name": metadata.get("repo_name"),
        "path": metadata.get("path"),
        "src_encoding": metadata.get("src_encoding"),
        "length_bytes": metadata.get("length_bytes", text_bytes),
        "detected_licenses": [str(x) for x in metadata.get("detected_licenses") or []],
        "license_type": metadata.get("license_type"),
        "text": document.text,
        "score": metadata.get(score_key(score_name)),
        "int_score": metadata.get(int_score_key(score_name)),
    }


class StackEduWriter(ParquetWriter):
    """Write code documents as Stack-Edu-like Parquet, one folder per language (zstd, fixed schema).

    Args:
        output_folder: the curated root; files go to `<language slug>/<rank>.parquet` below it.
        score_name: metadata prefix of the edu score (default "edu", as `PerLanguageScorer` writes it).
    """

    name = "🗂️ Stack-Edu Parquet"

    def __init__(self, output_folder: str, score_name: str = "edu"):
        super().__init__(
            output_folder,
            output_filename="${language_slug}/${rank}.parquet",
            compression="zstd",
            schema=STACK_EDU_SCHEMA,
            max_file_size=-1,  # one file per task and language, so the tokenize stage knows its file names
        )
        self.score_name = score_name

    def _default_adapter(self, document: Document) -> dict:
        return stack_edu_row(document, self.score_name)

    def write(self, document: Document, rank: int = 0, **kwargs) -> None:
        super().write(document, rank, language_slug=language_slug(str(document.metadata.get("language") or "")))


FINEMATH_SCHEMA = pa.schema(
    [
        ("url", pa.string()),
        ("text", pa.string()),
        ("score", pa.float64()),
        ("int_score", pa.int64()),
        ("language", pa.string()),
        ("language_score", pa.float64()),
        ("date", pa.string()),
        ("warc_filename", pa.string()),
        ("warc_record_offset", pa.int64()),
        ("warc_record_length", pa.int64()),
        ("id", pa.string()),
    ]
)


def finemath_row(document: Document, score_name: str = "math") -> dict:
    """The curated row of a web page; `score`/`int_score` come from `<score_name>_score`/`_int_score`."""
    metadata = document.metadata
    row = {name: metadata.get(name) for name in FINEMATH_SCHEMA.names}
    row.update(text=document.text, id=document.id, score=metadata.get(score_key(score_name)),
               int_score=metadata.get(int_score_key(score_name)))  # fmt: skip
    return row


class FineMathWriter(ParquetWriter):
    """Write pages as FineMath-like Parquet into one folder per subset (`<subset>/<rank>.parquet`).

    Args:
        output_folder: the curated root.
        subsets: subset name → minimum `int_score` (FineMath: {"3plus": 3, "4plus": 4}); a page goes into every
            subset it qualifies for. None: one subset, `all`, for every page (runs without a grader).
        score_name: metadata prefix of the grade (default "math").
    """

    name = "🗂️ FineMath Parquet"

    def __init__(self, output_folder: str, subsets: dict[str, int] | None = None, score_name: str = "math"):
        super().__init__(output_folder, output_filename="${subset}/${rank}.parquet", compression="zstd",
                         schema=FINEMATH_SCHEMA, max_file_size=-1)  # fmt: skip
        self.subsets = dict(subsets) if subsets else None
        self.score_name = score_name

    def _default_adapter(self, document: Document) -> dict:
        return finemath_row(document, self.score_name)

    def write(self, document: Document, rank: int = 0, **kwargs) -> None:
        if self.subsets is None:
            super().write(document, rank, subset="all")
            return
        grade = document.metadata.get(int_score_key(self.score_name))
        for subset, minimum in self.subsets.items():
            if grade is not None and grade >= minimum:
                super().write(document, rank, subset=subset)
