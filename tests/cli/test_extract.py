"""`smolcorpus extract` (cli/extract.py) on real math pages."""

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
