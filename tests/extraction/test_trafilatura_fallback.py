"""trafilatura's fallback comparison without readability where it cannot win: on the real pages of ../shared/data,
readability's text is never longer than the bound, the extracted text is the same, and readability is skipped on
most pages."""

from __future__ import annotations

import contextlib

import pytest
from lxml.etree import tostring
from trafilatura import core, external
from trafilatura.utils import trim

from smolcorpus.extraction import math_extractor
from smolcorpus.extraction.math_extractor import extract_math_text
from smolcorpus.extraction.trafilatura_fallback import certain_fallback, readability_bound, readability_cannot_win
from tests.extraction.web_pages import labelled_pages, read_page


def sample_pages(shared_data):
    """Every math page and every fourth other page (≈ 200 pages: news, forums, Wikipedia, test pages)."""
    pages = labelled_pages(shared_data)
    return [page for page, is_math in pages if is_math] + [page for page, is_math in pages if not is_math][::4]


@pytest.fixture
def readability_calls(monkeypatch):
    """Each call of trafilatura's readability during the test: (bound computed before it ran, its text's length)."""
    calls = []
    readability = external.try_readability

    def spy(candidate):
        bound = readability_bound(candidate)  # before readability, which changes the tree it is given
        result = readability(candidate)
        calls.append((bound, len(trim(tostring(result, method="text", encoding="utf-8").decode("utf-8")) or "")))
        return result

    monkeypatch.setattr(external, "try_readability", spy)
    return calls


def test_readability_text_is_never_longer_than_the_bound(shared_data, readability_calls, monkeypatch):
    monkeypatch.setattr(math_extractor, "certain_fallback", contextlib.nullcontext)  # readability on every page
    for page in sample_pages(shared_data):
        extract_math_text(read_page(page))
    assert len(readability_calls) > 200  # the pages and their forum records
    assert all(length <= bound for bound, length in readability_calls)
    assert sum(length > 0 for _, length in readability_calls) > 150


def test_extraction_is_the_same_and_readability_mostly_skipped(shared_data, readability_calls, monkeypatch):
    pages = sample_pages(shared_data)[::2]
    skipping = [extract_math_text(read_page(page)) for page in pages]
    skipped_calls = len(readability_calls)
    monkeypatch.setattr(math_extractor, "certain_fallback", contextlib.nullcontext)
    readability_calls.clear()
    original = [extract_math_text(read_page(page)) for page in pages]
    assert [e.text for e in skipping] == [e.text for e in original]
    assert [e.main_content for e in skipping] == [e.main_content for e in original]
    assert sum(bool(e.text) for e in skipping) > 80
    assert skipped_calls < 0.5 * len(readability_calls)  # readability ran on fewer than half as many pages


def test_no_decision_without_own_text(shared_data):
    """An empty extraction always goes to readability (any text of its wins)."""
    tree = math_extractor.parse_html(
        read_page(shared_data / "math_dev" / "pages" / "wikipedia_hermitian_matrix.html.gz")
    )
    assert not readability_cannot_win(tree, tree, 0, None)


def test_trafilatura_functions_are_back_afterwards():
    before = (core.compare_extraction, external.try_readability)
    with certain_fallback():
        assert core.compare_extraction is not before[0]
    assert (core.compare_extraction, external.try_readability) == before
    with pytest.raises(RuntimeError), certain_fallback():
        raise RuntimeError("an extraction that fails")
    assert (core.compare_extraction, external.try_readability) == before
