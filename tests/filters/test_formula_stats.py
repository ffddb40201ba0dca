"""Formulas per page on real math pages: the extractor's counts land in power-of-two bins, one counter per page."""

from datatrove.data import Document

from smolcorpus.extraction.math_extractor import extract_math_text
from smolcorpus.filters.formula_stats import FormulaHistogram, formula_bin
from tests.extraction.math_pages import shared_page


def test_bins():
    assert [formula_bin(n) for n in (0, 1, 2, 3, 4, 7, 8, 1023, 1024, 50_000)] == [
        "0", "1", "2-3", "2-3", "4-7", "4-7", "8-15", "512-1023", "1024+", "1024+"]  # fmt: skip
    assert formula_bin(None) == "unknown" and formula_bin(-1) == "0"


def test_counts_the_pages_that_pass_by_their_formulas(shared_data):
    """Real pages, counted as MathExtractor counts them (`math_formulas` = the extraction's `math.total`, the one
    definition of formula_count.py): TeX written in the text counts (MathJax's demo, a Stack Exchange page), dollar
    amounts do not (the WCVB news page, New Zealand's Wikipedia article)."""
    pages = {
        "math_html/licensed/mathjax_demo_page_tex-chtml.html": "8-15",  # 13 formulas as TeX in its text
        "math_dev/pages/se_worldbuilding_162264.html.gz": "16-31",  # 21 (the header said none before)
        "math_dev/pages/arxiv_abs_2405_05966.html.gz": "4-7",  # 7 MathJax scripts
        "math_dev/pages/wcvb_dollar_amounts.html.gz": "0",  # `$16.8 million`
        "extraction_gt/readability_test_pages/wikipedia-2/source.html.gz": "0",  # `NZ$22.9b), the United States ($`
    }
    documents = []
    for relative in pages:
        extraction = extract_math_text(shared_page(relative))
        metadata = {"math_formulas": extraction.math.total}  # what MathExtractor puts in `math_formulas`
        documents.append(Document(text=extraction.text, id=relative, metadata=metadata))
    documents.append(Document(text="no extractor ran", id="untagged"))
    step = FormulaHistogram()
    assert list(step.run(iter(documents))) == documents
    counters = {k: v.total for k, v in step.stats.stats.items()}
    expected = {}
    for label in [*pages.values(), "unknown"]:
        expected["formulas_per_page=" + label] = expected.get("formulas_per_page=" + label, 0) + 1
    assert counters == expected
