"""Presentation MathML → LaTeX (`mathml.mathml_to_tex`) on real formulas of ../shared/data pages without a TeX
annotation (MathJax's MathML demo, MDPI, World Scientific, OpenStax), and on the constructs one at a time."""

from __future__ import annotations

import lxml.etree
import lxml.html
import pytest

from smolcorpus.filters.formula_recall import squash
from smolcorpus.filters.math_extractor import expose_text_containers
from smolcorpus.filters.mathml import mathml_to_tex
from tests.filters.math_pages import math_dev_page, shared_page


def tex_of(page: bytes, index: int) -> str:
    tree = lxml.html.document_fromstring(page)
    return mathml_to_tex(tree.xpath("//*[local-name()='math']")[index])


def test_mathjax_demo_formulas():
    """MathJax's `mml-chtml` demo page: MathML written by hand, no TeX anywhere."""
    page = shared_page("math_html/licensed/mathjax_demo_page_mml-chtml.html")
    quadratic = squash(tex_of(page, 2))
    assert quadratic == squash(r"x = \frac{- b \pm \sqrt{b^2 - 4 a c}}{2 a} .")


def test_big_operators_take_bare_scripts():
    """MDPI (math_dev): `msubsup` over ∑ becomes `\\sum_{n = 0}^i`, not `{\\sum}_{…}`."""
    tex = tex_of(math_dev_page("mdpi_sensors_14_3_5536"), 1)
    assert r"\sum_{n = 0}^i" in tex and r"{\sum}" not in tex
    assert tex.startswith(r"D P_{i + 1} = \frac{")


def test_world_scientific_units_and_scripts():
    """World Scientific listing (math_dev): a superscript on an empty base (units such as F g⁻¹)."""
    page = math_dev_page("worldscientific_mathml")
    texts = [mathml_to_tex(m) for m in lxml.html.document_fromstring(page).xpath("//*[local-name()='math']")]
    assert any("^{-1}" in squash(t) or "^{- 1}" in t for t in texts)


def test_openstax_prefixed_mathml_with_text():
    """OpenStax (math_dev, `m:` prefixed): subscripts and `mtext` words."""
    tree = lxml.html.document_fromstring(math_dev_page("cnx_m16836"))
    expose_text_containers(tree)  # `m:math` → `math`, as extraction does
    texts = [squash(mathml_to_tex(m)) for m in tree.xpath("//*[local-name()='math']")]
    assert r"G_1\text{=firstcardisgreen}" in texts


def parse(mathml: str):
    return lxml.etree.fromstring(f'<math xmlns="http://www.w3.org/1998/Math/MathML">{mathml}</math>')


@pytest.mark.parametrize(
    ("mathml", "tex"),
    [
        ("<mfrac><mi>a</mi><mi>b</mi></mfrac>", r"\frac{a}{b}"),
        ("<mfrac linethickness='0'><mi>n</mi><mi>k</mi></mfrac>", r"\binom{n}{k}"),
        ("<msqrt><mi>x</mi><mo>+</mo><mn>1</mn></msqrt>", r"\sqrt{x + 1}"),
        ("<mroot><mi>x</mi><mn>3</mn></mroot>", r"\sqrt[3]{x}"),
        ("<msubsup><mi>x</mi><mi>i</mi><mn>2</mn></msubsup>", "x_i^2"),
        (
            "<munderover><mo>∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>n</mi></munderover>",
            r"\sum_{i = 1}^n",
        ),
        ("<munder><mo>lim</mo><mrow><mi>x</mi><mo>→</mo><mn>0</mn></mrow></munder>", r"\lim_{x \to 0}"),
        ("<mover><mi>x</mi><mo>¯</mo></mover>", r"\overline{x}"),
        ("<mover><mi>v</mi><mo>→</mo></mover>", r"\vec{v}"),
        ("<mover><mi>a</mi><mo>^</mo></mover>", r"\hat{a}"),
        ("<munder><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow><mo>⏟</mo></munder>", r"\underbrace{a + b}"),
        ("<mi>sin</mi><mi>x</mi>", r"\sin x"),
        ("<mi mathvariant='double-struck'>R</mi>", r"\mathbb{R}"),
        ("<mi mathvariant='bold'>v</mi>", r"\mathbf{v}"),
        ("<mi>α</mi><mo>≤</mo><mi>β</mi>", r"\alpha \le \beta"),
        (
            "<mrow><mo>(</mo><mtable><mtr><mtd><mn>1</mn></mtd><mtd><mn>0</mn></mtd></mtr>"
            "<mtr><mtd><mn>0</mn></mtd><mtd><mn>1</mn></mtd></mtr></mtable><mo>)</mo></mrow>",
            r"\begin{pmatrix}1 & 0 \\ 0 & 1\end{pmatrix}",
        ),
        ("<mfenced open='{' close=''><mi>x</mi></mfenced>", r"\left\{ x \right."),
        ("<mtext>if </mtext><mi>x</mi><mo>&gt;</mo><mn>0</mn>", r"\text{if} x > 0"),
    ],
)
def test_constructs(mathml, tex):
    assert squash(mathml_to_tex(parse(mathml))) == squash(tex)
