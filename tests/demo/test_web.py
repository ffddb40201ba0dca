"""The demo's WARC of NumPy docstrings: every formula markup it writes comes back as TeX through extraction."""

from smolcorpus.demo.web import MARKUPS, math_page, numpy_math_docstrings, write_demo_warc
from smolcorpus.extraction.math_extractor import extract_math_text
from smolcorpus.readers.warc import WarcHtmlReader


def test_each_markup_round_trips_to_tex():
    name, doc = next((n, d) for n, d in numpy_math_docstrings() if n == "numpy.convolve")
    for markup in MARKUPS:
        result = extract_math_text(math_page(name, doc, markup))
        assert "$$(a * v)_n = \\sum_{m = -\\infty}^{\\infty} a_m v_{n - m}$$" in result.text, markup
        assert "[rendered]" not in result.text


def test_demo_warc_holds_math_and_other_pages(tmp_path):
    counts = write_demo_warc(tmp_path / "demo.warc.gz", math_limit=8, other_limit=5)
    docs = list(WarcHtmlReader([str(tmp_path / "demo.warc.gz")]).run())
    assert counts == {"math_pages": 8, "other_pages": 5} and len(docs) == 13
    assert sum("/numpy/" in d.metadata["url"] for d in docs) == 8
