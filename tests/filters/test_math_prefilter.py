"""The math prefilter on real pages: every math page of ../shared/data passes; most real Common Crawl pages do not."""

import gzip
import json

from datatrove.data import Document

from smolcorpus.filters.math_prefilter import MathPrefilter, math_signals
from smolcorpus.readers.warc import WarcHtmlReader


def test_every_math_page_passes(shared_data):
    step = MathPrefilter()
    for line in (shared_data / "math_html" / "INDEX.jsonl").read_text().splitlines():
        entry = json.loads(line)
        page = (shared_data / entry["file"]).read_bytes()
        page = gzip.decompress(page) if entry["file"].endswith(".gz") else page
        doc = Document(text=page.decode("utf-8", errors="replace"), id=entry["file"])
        assert step.filter(doc) is True, entry["file"]
        assert doc.metadata["math_marker"]


def test_most_real_web_pages_are_skipped(shared_data):
    docs = list(WarcHtmlReader([str(shared_data / "warc")]).run())
    passed = [d for d in docs if MathPrefilter().filter(d) is True]
    assert len(docs) > 80 and len(passed) <= 0.25 * len(docs)


def test_signals():
    assert math_signals('<p class="text-center">hello</p>') == (None, 0)
    assert math_signals('<img class="latex" src="x.png">')[0] is not None
    assert math_signals(r"<p>so \(x^2\) holds</p>")[0] == "\\("
    assert math_signals("<p>A theorem about the integral of a polynomial.</p>") == (None, 3)
    assert MathPrefilter().filter(Document(text="<p>a dilemma</p>", id="x")) == (False, "no_math_signal")
