"""What `smolcorpus extract` says of a real page's extraction: the summary line and `--explain` count the same
formulas, and `--explain` lists the one that stayed out of the text."""

import gzip
import re

from smolcorpus.extraction.explain import explain, summary_line
from smolcorpus.extraction.math_extractor import extract_math_text


def test_summary_and_explanation_of_a_stack_exchange_page(shared_data):
    html = gzip.decompress((shared_data / "math_dev" / "pages" / "se_worldbuilding_162264.html.gz").read_bytes())
    result = extract_math_text(html, inventory=True)
    report = explain(result, "se.html")
    assert report.startswith(f"se.html: {len(result.text):,} characters of text")
    assert "main content: 3 records (div.js-post-body)" in report
    assert re.search(r"tex_in_text\s+21\s+20", report) and "[tex_in_text] $1/r^2$" in report
    total = re.search(r"^\s+total\s+(\d+)\s+\d+$", report, re.MULTILINE)
    line = summary_line(result, "se.html")
    assert line.startswith("<!-- se.html: formulas: ") and line.endswith(f"; {len(result.text):,} characters -->")
    assert f"formulas: {total[1]} (" in line  # the header counts what --explain lists
