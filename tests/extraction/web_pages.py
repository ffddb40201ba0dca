"""Every real HTML page of ../shared/data, labelled math or not by where it comes from (for the prefilter tests and
the FineMath benchmark): math = the pages listed in `math_html/INDEX.jsonl` and `math_dev/INDEX.jsonl` (except
math_dev's `negative-*` pages: dollar amounts and backticks that are not math); not math = those negatives and
every other page of the extraction ground truth (news, blogs, forums, test pages: 170 KB on average)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path


def read_page(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def _indexed(shared_data: Path) -> list[tuple[Path, bool]]:
    pages = []
    for index, base in ((shared_data / "math_html" / "INDEX.jsonl", shared_data),
                        (shared_data / "math_dev" / "INDEX.jsonl", shared_data / "math_dev")):  # fmt: skip
        for line in index.read_text().splitlines():
            entry = json.loads(line)
            is_math = not entry.get("category", "").startswith("negative")
            pages.append(((base / entry["file"]).resolve(), is_math))
    return pages


def math_pages(shared_data: Path) -> list[Path]:
    return [page for page, is_math in _indexed(shared_data) if is_math]


def extraction_pages(shared_data: Path) -> list[Path]:
    """The HTML source pages of `extraction_gt` (expected outputs excluded)."""
    root = shared_data / "extraction_gt"
    pages = [p for p in root.rglob("*") if p.is_file() and p.name.endswith((".html", ".html.gz", ".htm"))]
    return sorted(p.resolve() for p in pages if not p.name.startswith("expected"))


def labelled_pages(shared_data: Path) -> list[tuple[Path, bool]]:
    """(page, is_math) for every page: the math pages, then the other extraction pages."""
    indexed = _indexed(shared_data)
    known = {page for page, _ in indexed}
    return indexed + [(p, False) for p in extraction_pages(shared_data) if p not in known]


def write_pages_warc(pages: list[tuple[Path, bool]], target: Path, copies: int = 1, seed: int = 0) -> set[str]:
    """A gzipped WARC of HTTP responses: every non-math page `copies` times and every math page once, shuffled
    with `seed`, at their real sizes; return the math pages' URLs."""
    import io
    import random

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    entries = [(page, is_math, copy) for page, is_math in pages for copy in (range(1) if is_math else range(copies))]
    random.Random(seed).shuffle(entries)
    math_urls = set()
    with open(target, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for i, (page, is_math, copy) in enumerate(entries):
            url = f"https://{'math' if is_math else 'web'}{copy}.page.example/{i}/{page.name.split('.')[0]}"
            if is_math:
                math_urls.add(url)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(read_page(page)),
                                               http_headers=headers)  # fmt: skip
            writer.write_record(record)
    return math_urls
