"""Formulas per page on real math pages: the extractor's counts land in power-of-two bins, one counter per page."""

import gzip
import json

from datatrove.data import Document

from smolcorpus.filters.formula_stats import FormulaHistogram, formula_bin
from smolcorpus.filters.math_extractor import extract_math_text


def test_bins():
    assert [formula_bin(n) for n in (0, 1, 2, 3, 4, 7, 8, 1023, 1024, 50_000)] == [
        "0", "1", "2-3", "2-3", "4-7", "4-7", "8-15", "512-1023", "1024+", "1024+"]  # fmt: skip
    assert formula_bin(None) == "unknown" and formula_bin(-1) == "0"


def test_counts_the_pages_that_pass_by_their_formulas(shared_data):
    entries = [json.loads(line) for line in (shared_data / "math_html" / "INDEX.jsonl").read_text().splitlines()]
    pages = []
    for entry in entries[:6]:
        body = (shared_data / entry["file"]).read_bytes()
        extraction = extract_math_text(gzip.decompress(body) if entry["file"].endswith(".gz") else body)
        formulas = extraction.math.total  # what MathExtractor puts in `math_formulas`
        pages.append(Document(text=extraction.text, id=entry["file"], metadata={"math_formulas": formulas}))
    pages.append(Document(text="no extractor ran", id="untagged"))
    step = FormulaHistogram()
    assert list(step.run(iter(pages))) == pages
    counters = {k: v.total for k, v in step.stats.stats.items()}
    expected = {}
    for page in pages:
        label = "formulas_per_page=" + formula_bin(page.metadata.get("math_formulas"))
        expected[label] = expected.get(label, 0) + 1
    assert counters == expected and counters["formulas_per_page=unknown"] == 1
    assert sum(pages[i].metadata["math_formulas"] for i in range(6)) > 20  # real math pages: real formula counts
