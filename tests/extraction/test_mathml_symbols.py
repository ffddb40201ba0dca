"""Unicode math characters → TeX (`mathml_symbols`): the table, the spellings preferred over it, what is derived
from Unicode names and decompositions, the classes, and the characters of real MathML pages."""

from __future__ import annotations

import lxml.html
import pytest

from smolcorpus.extraction.mathml_symbols import ACCENTS, CLASSES, UNDER_ACCENTS, char_tex, text_tex
from tests.extraction.math_pages import shared_page


@pytest.mark.parametrize(
    ("character", "command"),
    [
        ("±", r"\pm"), ("×", r"\times"), ("÷", r"\div"), ("→", r"\to"), ("⇒", r"\Rightarrow"),
        ("↔", r"\leftrightarrow"), ("≤", r"\leq"), ("≥", r"\geq"), ("≠", r"\neq"), ("≈", r"\approx"),
        ("∞", r"\infty"), ("∑", r"\sum"), ("∫", r"\int"), ("∂", r"\partial"), ("∇", r"\nabla"), ("∈", r"\in"),
        ("⊂", r"\subset"), ("∪", r"\cup"), ("∩", r"\cap"), ("∀", r"\forall"), ("∃", r"\exists"), ("·", r"\cdot"),
        ("⋅", r"\cdot"), ("…", r"\dots"), ("⋯", r"\cdots"), ("′", "'"), ("″", "''"), ("∗", "*"), ("−", "-"),
        ("α", r"\alpha"), ("ω", r"\omega"), ("Ω", r"\Omega"), ("ε", r"\varepsilon"), ("ϵ", r"\epsilon"),
        ("φ", r"\varphi"), ("ϕ", r"\phi"), ("ℝ", r"\mathbb{R}"), ("ℏ", r"\hbar"), ("∖", r"\setminus"),
        ("⟺", r"\iff"), ("{", r"\{"), ("%", r"\%"), ("-", "-"), ("^", r"\hat{}"), ("˙", r"\dot{}"),
        ("\u2062", ""), ("\u2061", ""),
    ],
)  # fmt: skip
def test_table_and_preferred_spellings(character, command):
    assert char_tex(character) == command


@pytest.mark.parametrize(
    ("character", "command"),
    [
        ("Α", "A"), ("Β", "B"), ("Ρ", "P"), ("ο", "o"),  # Greek capitals TeX sets as Latin letters
        ("𝒙", r"\boldsymbol{x}"), ("𝐱", r"\mathbf{x}"), ("𝝅", r"\boldsymbol{\pi}"), ("𝓐", r"\boldsymbol{\mathcal{A}}"),
        ("𝔽", r"\mathbb{F}"), ("𝟏", r"\mathbf{1}"), ("𝖠", r"\mathsf{A}"), ("𝑥", "x"),
        ("⤳", r"\leadsto"), ("⟦", r"\llbracket"), ("≔", r"\coloneq"),  # named by tex2unichar only
    ],
)  # fmt: skip
def test_derived_characters(character, command):
    assert char_tex(character) == command


def test_classes_and_accents():
    assert [CLASSES.get(c) for c in "=≤∈→+±×∑∫([)],"] == ["rel"] * 4 + ["bin"] * 3 + ["op"] * 2 + ["open"] * 2 + [
        "close"
    ] * 2 + ["punct"]
    # spacing accents found by their decomposition (space + combining mark), and the combining marks themselves
    assert ACCENTS["¯"] == ACCENTS["\u0304"] == (r"\bar", r"\overline")
    assert ACCENTS["˙"][0] == r"\dot" and ACCENTS["¨"][0] == r"\ddot" and ACCENTS["˜"][0] == r"\tilde"
    assert ACCENTS["^"][0] == ACCENTS["ˆ"][0] == r"\hat" and ACCENTS["→"] == (r"\vec", r"\overrightarrow")
    assert UNDER_ACCENTS["⏟"] == r"\underbrace" and UNDER_ACCENTS["_"] == r"\underline"


def test_text_tex_spaces_a_command_before_a_letter():
    assert text_tex("αx") == r"\alpha x" and text_tex("α2") == r"\alpha2" and text_tex("x×y") == r"x\times y"


@pytest.mark.parametrize(
    "page",
    [
        "math_html/licensed/mathjax_demo_page_mml-chtml.html",
        "extraction_gt/trafilatura_eval/html/en.wikipedia.org.tsne.html.gz",
    ],
)
def test_every_symbol_of_real_mathml_has_a_command(page):
    """Every non-ASCII character in the operators and identifiers of MathJax's MathML demo and of Wikipedia's t-SNE
    article becomes ASCII TeX."""
    tree = lxml.html.document_fromstring(shared_page(page), parser=lxml.html.HTMLParser(encoding="utf-8"))
    characters = {char for token in tree.xpath("//*[local-name()='mo' or local-name()='mi']")
                  for char in "".join(token.itertext()).strip() if not char.isascii()}  # fmt: skip
    assert len(characters) >= 8
    assert {char: char_tex(char) for char in characters if not char_tex(char).isascii()} == {}
