"""Labelled real data for classifier tests: labels come from where a document comes from, not from a model.

- math vs not: the math pages listed in `math_html/INDEX.jsonl` (positives) against the news/blog pages of the
  extraction ground truth (negatives), text extracted from the HTML with trafilatura;
- code: `code/index.jsonl`'s `edu_hint` (high → 4, medium → 2, low → 0) on the real source files.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tests.conftest import built_once


def read_html(path: Path) -> str:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data.decode("utf-8", errors="replace")


def page_text(html: str) -> str | None:
    import trafilatura

    return trafilatura.extract(html, include_comments=False, favor_recall=True)


@pytest.fixture(scope="session")
def math_labels(shared_data, tmp_path_factory) -> Path:
    """JSONL with `text`, `score` (1 = math page, 0 = not), `id`; ≈ 20 positives, ≈ 200 negatives. Extracted once
    per test session (≈ 14 s of CPU), whichever worker asks first."""

    def build(folder: Path) -> None:
        (folder / "math_labels.jsonl").write_text(
            "".join(json.dumps(row) + "\n" for row in math_label_rows(shared_data))
        )

    folder, _ = built_once(tmp_path_factory, "math_labels", build)
    return folder / "math_labels.jsonl"


def math_label_rows(shared_data: Path) -> list[dict]:
    index = [json.loads(line) for line in (shared_data / "math_html" / "INDEX.jsonl").read_text().splitlines()]
    math_files = {entry["file"] for entry in index}
    rows = []
    for entry in index:
        text = page_text(read_html(shared_data / entry["file"]))
        if text:
            rows.append({"id": entry["file"], "text": text, "score": 1})
    negatives = sorted((shared_data / "extraction_gt" / "article_extraction_benchmark" / "html").glob("*.html.gz"))
    negatives += sorted((shared_data / "extraction_gt" / "magic_html_benchmark" / "article").glob("*.html.gz"))
    for path in negatives:
        relative = str(path.relative_to(shared_data))
        if relative in math_files:
            continue
        text = page_text(read_html(path))
        if text:
            rows.append({"id": relative, "text": text, "score": 0})
    return rows
