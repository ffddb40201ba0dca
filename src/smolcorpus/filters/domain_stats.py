"""Domain statistics for re-crawling (FineMath's second pass): which domains hold many math pages.

`DomainCounter` (a pass-through step) counts, per domain, the pages it sees and the pages that count as math:
a `<score_key>` ≥ `min_score` when a recall classifier scored the page, else at least one formula found by the
extractor (`math_formulas`, as `formula_count.py` counts them: TeX written in the text too, dollar amounts not).
Each task writes `<folder>/<rank>.json`; `merge_domain_counts` adds them up and `write_domain_list` keeps the
domains with at least `min_pages` math pages, most first. A corpus run keeps the task files in
`DOMAIN_COUNTS_FOLDER` and the list in `DOMAIN_LIST_NAME` (the run report reads both).
"""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import urlsplit

from datatrove.data import DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep

DOMAIN_COUNTS_FOLDER = "work/domains"  # below a corpus run's output folder
DOMAIN_LIST_NAME = "domains.tsv"


def domain_of(url: str | None) -> str | None:
    """The host of a URL, lower-cased, without a leading `www.`; None when there is none."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


class DomainCounter(PipelineStep):
    """Count pages and math pages per domain; documents pass through unchanged.

    Args:
        folder: where each task writes `<rank>.json` ({"pages": {domain: n}, "math_pages": {domain: n}}).
        score_key: metadata key of the recall score; absent → formulas decide.
        min_score: score from which a page counts as math (the pipeline's recall threshold).
    """

    name = "🌐 Domain statistics"
    type = "📊 - STATS"

    def __init__(self, folder: DataFolderLike, score_key: str, min_score: float):
        super().__init__()
        self.folder = get_datafolder(folder)
        self.score_key = score_key
        self.min_score = min_score

    def is_math(self, metadata: dict) -> bool:
        score = metadata.get(self.score_key)
        if score is not None:
            return score >= self.min_score
        return (metadata.get("math_formulas") or 0) > 0

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        pages, math_pages = Counter(), Counter()
        for document in data or ():
            domain = domain_of(document.metadata.get("url"))
            if domain:
                pages[domain] += 1
                if self.is_math(document.metadata):
                    math_pages[domain] += 1
            yield document
        with self.folder.open(f"{rank:05d}.json", "w") as f:
            json.dump({"pages": pages, "math_pages": math_pages}, f)
        self.stat_update("domains", value=len(pages))
        self.stat_update("math_domains", value=len(math_pages))


def merge_domain_counts(folder: DataFolderLike) -> tuple[Counter, Counter]:
    """(pages, math pages) per domain over every task file in `folder`."""
    folder = get_datafolder(folder)
    pages, math_pages = Counter(), Counter()
    for name in folder.list_files(glob_pattern="*.json"):
        with folder.open(name, "r") as f:
            counts = json.load(f)
        pages.update(counts["pages"])
        math_pages.update(counts["math_pages"])
    return pages, math_pages


def domain_list(pages: Counter, math_pages: Counter, min_pages: int) -> list[tuple[str, int, int]]:
    """(domain, math pages, pages) for domains with ≥ `min_pages` math pages, most math pages first."""
    chosen = [(domain, n, pages[domain]) for domain, n in math_pages.items() if n >= min_pages]
    return sorted(chosen, key=lambda row: (-row[1], row[0]))


class DomainListWriter(PipelineStep):
    """Merge the task files and write `domains.tsv` (domain, math pages, pages) for re-crawling (one task)."""

    name = "🌐 Math domain list"
    type = "✍️ - WRITER"

    def __init__(self, counts_folder: DataFolderLike, output_folder: DataFolderLike, min_pages: int):
        super().__init__()
        self.counts_folder = counts_folder
        self.output_folder = get_datafolder(output_folder)
        self.min_pages = min_pages

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        rows = domain_list(*merge_domain_counts(self.counts_folder), self.min_pages)
        with self.output_folder.open(DOMAIN_LIST_NAME, "w") as f:
            f.write("domain\tmath_pages\tpages\n")
            f.writelines(f"{domain}\t{n}\t{total}\n" for domain, n, total in rows)
        self.stat_update("domains_listed", value=len(rows))
