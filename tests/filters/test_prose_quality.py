"""Gopher's rules on the prose of real pages: math pages that the rules on the whole text drop are kept, and the
junk they drop is still dropped."""

from __future__ import annotations

import pytest
from datatrove.data import Document
from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter

from smolcorpus.config import MathQualityConfig
from smolcorpus.extraction.math_extractor import extract_math_text
from smolcorpus.filters.prose_quality import ProseGopherQuality, ProseGopherRepetition
from tests.extraction.math_pages import shared_page

THRESHOLDS = MathQualityConfig().gopher_thresholds()


def document(page: str) -> Document:
    return Document(text=extract_math_text(shared_page(page)).text, id=page)


@pytest.mark.parametrize("page", ["math_html/licensed/mathjax_demo_page_tex-chtml.html",
                                  "extraction_gt/readability_test_pages/mathjax/source.html.gz"])  # fmt: skip
def test_tex_dense_pages_pass_the_word_ratios_on_their_prose(page):
    doc = document(page)
    assert GopherQualityFilter(**THRESHOLDS).filter(doc) == (False, "gopher_below_alpha_threshold")
    assert ProseGopherQuality(**THRESHOLDS).filter(doc) is True


@pytest.mark.parametrize("page", ["math_dev/pages/mathonline_wikidot_monotone_sequences.html.gz",
                                  "math_dev/pages/mathinsight_differentiability.html.gz"])  # fmt: skip
def test_repeated_formulas_are_not_repetition(page):
    doc = document(page)
    assert GopherRepetitionFilter().filter(doc) == (False, "duplicated_5_n_grams")
    assert ProseGopherRepetition().filter(doc) is True


BOILERPLATE = [  # a copyright notice alone; a license line alone (real pages of the extraction ground truth)
    "extraction_gt/article_extraction_benchmark/html/f8ff621a0b9b7646cc0d57d37416feabba2bf78ef5dd0bfc5b080f9f97bbe584"
    ".html.gz",
    "extraction_gt/magic_html_benchmark/forum/fd153ac6f97f6ec0e9e004972159c745b3b0f817edd85830f1e1e10a2997ac21.html.gz",
]


@pytest.mark.parametrize("page", BOILERPLATE)
def test_boilerplate_is_still_dropped(page):
    assert ProseGopherQuality(**THRESHOLDS).filter(document(page)) == (False, "gopher_short_doc")


def test_the_kept_document_is_unchanged():
    doc = document("math_dev/pages/mathinsight_differentiability.html.gz")
    text = doc.text
    assert ProseGopherRepetition().filter(doc) is True and ProseGopherQuality(**THRESHOLDS).filter(doc) is True
    assert doc.text == text
