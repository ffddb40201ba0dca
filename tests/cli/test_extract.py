"""`smolcorpus extract` (cli/extract.py) on real math pages."""

import gzip
import re
import subprocess
import sys


def smolcorpus(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smolcorpus.cli", *args], capture_output=True, text=True)


def test_extract_prints_markdown_with_tex(shared_data, tmp_path):
    import gzip

    page = tmp_path / "tsne.html"
    source = shared_data / "extraction_gt" / "trafilatura_eval" / "html" / "en.wikipedia.org.tsne.html.gz"
    page.write_bytes(gzip.decompress(source.read_bytes()))
    result = smolcorpus("extract", str(page), "--url", "https://en.wikipedia.org/wiki/T-distributed_stochastic")
    assert result.returncode == 0, result.stderr
    assert "mathml_annotation 34" in result.stderr and "$p_{j\\mid i}" in result.stdout
    warc = smolcorpus("extract", str(shared_data / "warc" / "warcio_example.warc.gz"))
    assert warc.returncode == 0 and "illustrative examples" in warc.stdout and "http://example.com/" in warc.stderr
    missing = smolcorpus("extract", str(tmp_path / "nope.html"))
    assert missing.returncode != 0 and "no such file" in missing.stderr


def test_extract_explain_lists_kinds_records_and_dropped_formulas(shared_data, tmp_path):
    """A Stack Exchange page (math_dev): the answers as records, the TeX kept, and the one formula that lives in
    a comment (outside the main content) listed as not in the text."""
    import gzip

    page = tmp_path / "se.html"
    page.write_bytes(
        gzip.decompress((shared_data / "math_dev" / "pages" / "se_worldbuilding_162264.html.gz").read_bytes())
    )
    result = smolcorpus("extract", str(page), "--explain")
    assert result.returncode == 0, result.stderr
    report = result.stdout
    assert "main content: 3 records (div.js-post-body)" in report
    assert re.search(r"tex_in_text\s+21\s+20", report) and "[tex_in_text] $1/r^2$" in report
    assert "begingroup" not in report


def test_a_page_over_the_cpu_limit_is_a_one_line_error(shared_data, tmp_path):
    """The pipeline's CPU-time limit by default (5 s, which the page is far below: the tests above pass), changed by
    --timeout; a page over it prints one error line and exits non-zero, with or without --explain."""
    import gzip

    page = tmp_path / "tsne.html"
    source = shared_data / "extraction_gt" / "trafilatura_eval" / "html" / "en.wikipedia.org.tsne.html.gz"
    page.write_bytes(gzip.decompress(source.read_bytes()))
    for extra in ([], ["--explain"]):
        result = smolcorpus("extract", str(page), "--timeout", "0.001", *extra)
        assert result.returncode == 1 and result.stdout == ""
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert errors == [
            "error: tsne.html: extraction took more than 0.001 s of CPU time (the finemath pipeline drops such a "
            "page as extraction_timeout); --timeout SECONDS changes the limit"
        ], result.stderr
    invalid = smolcorpus("extract", str(page), "--timeout", "0")
    assert invalid.returncode == 2 and "--timeout must be a positive number" in invalid.stderr


def _header_and_explained_total(page) -> tuple[str, int]:
    header = smolcorpus("extract", str(page))
    explained = smolcorpus("extract", str(page), "--explain")
    assert header.returncode == 0 and explained.returncode == 0, header.stderr + explained.stderr
    line = next(line for line in header.stderr.splitlines() if "formulas:" in line)
    total = re.search(r"^\s+total\s+(\d+)\s+\d+$", explained.stdout, re.MULTILINE)
    return line.split("formulas: ", 1)[1].split(";")[0], int(total[1])


def test_the_header_counts_what_explain_lists(shared_data, tmp_path):
    """One definition of a page's formulas (formula_count.page_formulas): MathJax's demo page writes its formulas
    as TeX in the text (`$a \\ne 0$`, `\\(ax^2 + bx + c = 0\\)`, `$$x = …$$`), which the header used to count as
    "none" while --explain listed 13; the WCVB news page's amounts (`$16.8 million`) are no formulas in either."""
    page = shared_data / "math_html" / "licensed" / "mathjax_demo_page_tex-chtml.html"
    assert _header_and_explained_total(page) == ("13 (tex_in_text 13)", 13)
    news = tmp_path / "wcvb.html"
    news.write_bytes(
        gzip.decompress((shared_data / "math_dev" / "pages" / "wcvb_dollar_amounts.html.gz").read_bytes())
    )
    assert _header_and_explained_total(news) == ("none", 0)
