"""`formula_recall`: how much of a page's math survived extraction. `formula_inventory` on the real math_dev pages
(their curated formula lists, ../shared/data/math_dev), `notation_key` and `kept` on what they must forgive and not."""

import pytest

from smolcorpus.extraction.formula_recall import formula_inventory, kept, notation_key, squash
from tests.extraction.math_pages import math_dev_index, math_dev_page


def test_notation_key_forgives_notation_not_mathematics():
    assert notation_key(r"{\displaystyle \left( a_{i} \right)\,\le b}") == notation_key(r"(a_i) \leq b")
    assert notation_key(r"x \\ \hline y") != notation_key(r"x \hline y")
    assert notation_key(r"a\_1") != notation_key("a_1")  # Markdown escaping is not forgiven
    assert notation_key(r"\frac{1}{2}") != notation_key(r"\frac{2}{1}")  # braces dropped: order kept
    # the price of dropping braces, why "loose" recall is reported next to "exact" and never alone
    assert notation_key(r"\frac{12}{3}") == notation_key(r"\frac{1}{23}")
    assert notation_key(r"\frac{1}{2}") == notation_key(r"\frac12")


def test_notation_key_keeps_what_changes_the_mathematics():
    assert notation_key(r"a \le b") != notation_key(r"a \ge b")
    assert notation_key(r"x^2") != notation_key(r"x_2")
    assert notation_key(r"\dfrac{a}{b} \quad \ne c") == notation_key(r"\frac a b \neq c")
    assert notation_key("&minus;x&nbsp;y") == notation_key("-x y") == "-xy"  # HTML entities, Unicode minus


def test_kept_counts_exact_and_notation_insensitive_matches():
    text = r"Hence $x^2 + y^2 = 1$ and $\frac12 \leq t$, but a\_1 is escaped."
    formulas = [r"x^2 + y^2 = 1", r"\frac{1}{2} \le t", r"a_1", r"z"]
    assert kept(formulas, text) == (1, 2)  # whitespace never matters; notation only in the second count
    assert kept([], text) == (0, 0)
    assert squash(" a \n\tb ") == "ab"


@pytest.mark.parametrize("name", ["arxiv_abs_2405_05966", "math_se_658871_pool_ball", "cnx_m16836"])
def test_inventory_holds_every_curated_formula_of_tex_pages(shared_data, name):
    """MathJax `math/tex` scripts (arXiv), `\\(..\\)` in a Q&A post, TeX in an OpenStax text: the page's own TeX,
    found without the extractor, includes every formula of the curated list, exactly."""
    formulas = math_dev_index()[name]["formulas"]
    inventory = formula_inventory(math_dev_page(name))
    assert kept(formulas, " ".join(inventory)) == (len(formulas), len(formulas))
    assert all(f == " ".join(f.split()) and f for f in inventory)  # runs of whitespace are one space, none empty


@pytest.mark.parametrize("name", ["wikipedia_hermitian_matrix", "wikipedia_tsne"])
def test_wikipedia_annotations_are_unwrapped(shared_data, name):
    """Wikipedia's MathML carries `{\\displaystyle …}` TeX annotations: the inventory unwraps them, so the curated
    (wrapped) formulas match only notation-insensitively, and all of them do."""
    formulas = math_dev_index()[name]["formulas"]
    inventory = formula_inventory(math_dev_page(name))
    assert len(inventory) >= len(formulas)
    assert not any(f.startswith(r"{\displaystyle") for f in inventory)
    exact, loose = kept(formulas, " ".join(inventory))
    assert loose == len(formulas) and exact < loose


@pytest.mark.parametrize(
    "name", ["wcvb_dollar_amounts", "zeenews_backticks", "convertoctopus_years_to_minutes", "worldscientific_mathml"]
)
def test_no_tex_source_no_inventory(shared_data, name):
    """Pages of dollar amounts and backticks, HTML-only math and bare MathML carry no TeX: nothing is listed."""
    assert formula_inventory(math_dev_page(name)) == []


def test_hidden_copies_are_not_formulas_but_math_libraries_sources_are():
    page = (
        rb"<html><body><p>Visible \(a+b\) and $$c = d$$.</p>"
        rb"<div style='display: none'>\(hidden\)</div><template><p>\(templated\)</p></template>"
        rb"<span class='mwe-math-element' style='display:none'><math><semantics><mi>x</mi>"
        rb"<annotation encoding='application/x-tex'>{\displaystyle x^{2}}</annotation></semantics></math></span>"
        rb"<script type='math/tex; mode=display'>\int  f</script>"
        rb"<script type='math/tex'>\begingroup</script></body></html>"
    )
    assert sorted(formula_inventory(page)) == sorted([r"\int f", "x^{2}", "a+b", "c = d"])
