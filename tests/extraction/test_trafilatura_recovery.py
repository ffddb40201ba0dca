"""trafilatura's wild-text recovery with headings and lists, on the real pages of ../shared/data that go through it:
section headings and lists of formulas come back, the page title, teaser headlines and menus stay out."""

from __future__ import annotations

import contextlib
import re

import pytest

from smolcorpus.extraction import math_extractor
from smolcorpus.extraction.math_extractor import extract_math_text
from tests.extraction.math_pages import assert_extraction_lacks, shared_page

MATHJAX_HEADINGS = ["The Lorenz Equations", "The Cauchy-Schwarz Inequality", "A Cross Product Formula",
                    "An Identity of Ramanujan", "A Rogers-Ramanujan Identity", "Maxwell's Equations",
                    "In-line Mathematics"]  # fmt: skip


def headings(text: str) -> list[str]:
    return [m[1].strip() for m in re.finditer(r"^#+ (.+)$", text, re.MULTILINE)]


@pytest.fixture
def trafilatura_recovery(monkeypatch):
    """extract_math_text with trafilatura's own recovery, for the comparison."""
    monkeypatch.setattr(math_extractor, "structured_recovery", contextlib.nullcontext)


@pytest.mark.parametrize(
    "page",
    [
        "extraction_gt/readability_test_pages/mathjax/source.html.gz",  # MathJax 3 output, content in <body>
        "math_html/licensed/mathjax_demo_page_mml-chtml.html",  # MathML input
    ],
)
def test_section_headings_of_a_page_without_a_content_container_are_kept(page):
    text = extract_math_text(shared_page(page)).text
    found = headings(text)
    assert [h for h in MATHJAX_HEADINGS if h in found] == MATHJAX_HEADINGS, found
    # each heading stays before its formula
    assert text.index("## The Lorenz Equations") < text.index(r"\dot{x}") < text.index("## The Cauchy-Schwarz")
    assert "MathJax v3 beta" not in found  # the page title (h1) is the metadata's


@pytest.mark.parametrize(
    "page",
    ["extraction_gt/readability_test_pages/mathjax/source.html.gz", "math_html/licensed/distill_momentum.html.gz"],
)
def test_trafilatura_alone_recovers_no_heading_there(page, trafilatura_recovery):
    assert headings(extract_math_text(shared_page(page)).text) == []


def test_distill_keeps_its_section_headings_and_its_lists_of_formulas():
    text = extract_math_text(shared_page("math_html/licensed/distill_momentum.html.gz")).text
    sections = {"First Steps: Gradient Descent", "The Dynamics of Momentum", "The Limits of Descent"}
    assert sections <= set(headings(text))
    ctc = extract_math_text(shared_page("math_html/licensed/distill_ctc.html.gz")).text
    assert r"- Save the inferred output $\bar{Y}$ and the corresponding score $\bar{c}.$" in ctc


def test_distill_loses_its_list_of_formulas_without_it(trafilatura_recovery):
    ctc = extract_math_text(shared_page("math_html/licensed/distill_ctc.html.gz")).text
    assert r"$\bar{c}.$" not in ctc


@pytest.mark.parametrize(
    ("page", "absent"),
    [
        # news pages whose recovered text is followed by a run of teaser headlines, each with a one-word label
        ("extraction_gt/magic_html_benchmark/article/43ff9f6d91fead23d667da4b79525543b8af915405528e2db5788cb73d6cb074"
         ".html.gz", "Dampak Korupsi Tol MBZ"),
        ("extraction_gt/magic_html_benchmark/article/10cacf9b6be1ac305d35d6069583518b84371a2fe7a38f07c02a9dfbfb55359b"
         ".html.gz", "Kelompok Transjender Brisbane"),
        # lists of one- to three-word entries: a category menu, a list of CSS breakpoints
        ("extraction_gt/magic_html_benchmark/article/224fc4b884907786988533a241425aca0405623c60d4296d94879bb8fa353087"
         ".html.gz", "Children's Picture Books"),
        ("extraction_gt/article_extraction_benchmark/html/57d46c9d751e3fd3ffaf3ede7ac20cebd30eacb5ea78e1a6aa0a72059244e7ca"
         ".html.gz", "narrow-browser-and-phone"),
    ],
)  # fmt: skip
def test_teaser_headlines_and_menus_stay_out(page, absent):
    assert_extraction_lacks(page, absent)


def test_a_thread_written_as_a_list_is_recovered_post_by_post():
    """bbPress writes a topic as a `<ul>` of posts: the list is not taken whole (which would flatten the posts' code
    blocks into one line), and the one-item list after it (a closing notice) stays out."""
    page = "extraction_gt/magic_html_benchmark/forum/65899f42a8d21be98aefe5be44608b948de30c7f8bd9a47291e22af99a303321"
    text = extract_math_text(shared_page(page + ".html.gz")).text
    assert '```\n< div class="slider" >\n< div class="col" >' in text
    assert text.count("is closed to new topics") == 1  # at the top, as trafilatura alone has it
