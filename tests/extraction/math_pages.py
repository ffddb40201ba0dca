"""Real math pages of ../shared/data for the extraction tests: whole pages from math_dev/ (with their formula lists)
and fragments cut from them at test time (no copy of the data lives in the repository)."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

import lxml.html

from tests.conftest import require_shared_data


@cache
def math_dev_index() -> dict[str, dict]:
    """math_dev/INDEX.jsonl by page name (file name without `.html.gz`)."""
    root = require_shared_data() / "math_dev"
    entries = [json.loads(line) for line in (root / "INDEX.jsonl").read_text().splitlines()]
    return {Path(entry["file"]).name.removesuffix(".html.gz"): entry for entry in entries}


def math_dev_page(name: str) -> bytes:
    """The HTML of math_dev/pages/<name>.html.gz."""
    return gzip.decompress((require_shared_data() / "math_dev" / "pages" / f"{name}.html.gz").read_bytes())


def shared_page(relative: str) -> bytes:
    """The HTML of a page anywhere under ../shared/data (gzip or not)."""
    data = (require_shared_data() / relative).read_bytes()
    return gzip.decompress(data) if relative.endswith(".gz") else data


def fragment(page: bytes, xpath: str, index: int = 0) -> str:
    """The element `xpath` selects (the `index`-th) of a real page, serialised, inside a minimal article page with
    enough prose around it to be taken for the main content."""
    tree = lxml.html.document_fromstring(page)
    element = tree.xpath(xpath)[index]
    element.tail = None
    html = lxml.html.tostring(element, encoding="unicode")
    return wrap(html)


def wrap(html: str) -> str:
    prose = (
        "<p>This paragraph is ordinary prose that surrounds the fragment under test, long enough for the main "
        "content extractor to keep the article and everything inside it as the page's main text.</p>"
    )
    body = f"<article><h1>Fragment</h1>{prose}{html}{prose}</article>"
    return f"<html><head><title>t</title></head><body>{body}</body></html>"


def assert_extraction_lacks(page: str, absent: str) -> None:
    """The extraction of the shared page `page` has text, and `absent` (boilerplate of that page) is not in it."""
    from smolcorpus.extraction.math_extractor import extract_math_text

    text = extract_math_text(shared_page(page)).text
    assert text and absent not in text
