"""The prose of real extracted math pages: formulas, formula-only lines, labels and quotes left out, money kept."""

from __future__ import annotations

import time

import pytest

from smolcorpus.extraction.formula_count import tex_spans
from smolcorpus.extraction.math_extractor import extract_math_text
from smolcorpus.filters.prose import prose_text
from tests.extraction.math_pages import math_dev_page, shared_page


def extracted(page: bytes) -> str:
    return extract_math_text(page).text


@pytest.mark.parametrize("name", ["mathhelpforum_169103", "wikipedia_hermitian_matrix", "math_se_658871_pool_ball"])
def test_formulas_of_real_pages_leave_the_prose(name):
    text = extracted(math_dev_page(name))
    spans = tex_spans(text)
    assert len(spans) >= 3
    prose = prose_text(text)
    assert "$" not in prose and "\\frac" not in prose
    # the words around the formulas stay, in order
    first_words = [word for word in text[: spans[0][0]].split() if word != "#"][:5]
    assert first_words and prose.split()[:5] == first_words


def test_a_formula_becomes_one_placeholder_word_and_formula_lines_go():
    text = "Let $x$ be in $S$.\n$$\\int_0^1 f(x)\\,dx$$\n$a$, $b$\nSo \\(a+b\\) = $c$ and $d$."
    assert prose_text(text, "formula") == "Let formula be in formula.\n\n\nSo formula = formula and formula."


@pytest.mark.parametrize(
    "page",
    [
        "math_dev/pages/wcvb_dollar_amounts.html.gz",
        "extraction_gt/article_extraction_benchmark/html/"
        "287e4d9f4af31733aad6534aefb2bd00fb344ec8d6ebf1ac99dbc4d762da0ca4.html.gz",
        "extraction_gt/article_extraction_benchmark/html/"
        "5fbc7ccb504c755ae23a85499a17518483d7862b74b4a5c34d86ede1a1a4448e.html.gz",
    ],
)
def test_money_on_real_pages_is_not_a_formula(page):
    text = extracted(shared_page(page))
    assert "$" in text
    assert tex_spans(text) == []
    assert prose_text(text).count("$") == text.count("$")


@pytest.mark.parametrize(
    "amounts", ["It costs $5 and $10.", "from $1,200.50 to $3", "US$ 3.5 and $ 4", "$16.8 million"]
)
def test_money_written_in_prose_is_not_a_formula(amounts):
    assert tex_spans(amounts) == []


@pytest.mark.parametrize(("name", "label"), [("math_html/licensed/distill_ctc.html.gz", "**Case 1:**"),
                                             ("math_dev/pages/cnx_m16836.html.gz", "### Note:")])  # fmt: skip
def test_exercise_labels_of_real_pages_are_scaffolding(name, label):
    text = extracted(shared_page(name))
    assert label in text.split("\n")
    assert label not in prose_text(text).split("\n")


@pytest.mark.parametrize("line", ["Solution", "**Answer:**", "Example 3.2", "Exercise 4 (a)", "Proof.", "## Hint"])
def test_a_lone_label_goes_and_a_sentence_that_starts_like_one_stays(line):
    assert prose_text(f"First.\n{line}\nLast.") == "First.\nLast."
    sentence = f"{line.strip('#* ')} shows that the sum is finite."
    assert sentence in prose_text(sentence)


def test_quoted_lines_go_and_python_prompts_stay():
    text = "Reply text.\n> the quoted post\n>>> print(1)"
    assert prose_text(text) == "Reply text.\n>>> print(1)"


def test_hostile_delimiter_runs_cost_linear_time():
    started = time.process_time()
    for text in ("\\[" * 200_000, "$" * 400_000, "\\begin{a}" * 50_000, "$x" * 200_000):
        prose_text(text)
    # 1.7 MB of unclosed or unpairable delimiters; a quadratic scan would take minutes
    assert time.process_time() - started < 30
