"""Math written in plain HTML (superscripts, subscripts, MediaWiki's inline math) through the extraction, on the real
pages of ../shared/data: the notation where it is math, plain text where that is the convention."""

from __future__ import annotations

import pytest

from smolcorpus.extraction import math_extractor
from smolcorpus.extraction.math_extractor import extract_math_text
from tests.extraction.math_pages import shared_page

HERMITIAN = ["math_dev/pages/wikipedia_hermitian_matrix.html.gz",
             "extraction_gt/readability_test_pages/wikipedia-3/source.html.gz"]  # fmt: skip


@pytest.mark.parametrize("page", HERMITIAN)
def test_mediawiki_inline_math_becomes_formulas(page):
    """`span.texhtml` ({{math}}): `AA<sup>H</sup> = A<sup>H</sup>A` came out as `AA\\nH= AHA`, `H<sub><i>ij</i></sub>`
    as `*H* ij =\\n\\n*H*`."""
    result = extract_math_text(shared_page(page))
    assert "That is to say, $AA^H = A^HA$." in result.text
    assert "Thus $H_{ij} = H_{ji}$ (matrix symmetry)" in result.text
    assert "the element in the $i$-th row and $j$-th column" in result.text
    assert "AA\nH" not in result.text
    assert result.math.found["html_math"] == 52  # every span.texhtml of the page, counted with its formulas


@pytest.mark.parametrize("page", HERMITIAN)
def test_without_it_the_notation_is_garbled(page, monkeypatch):
    monkeypatch.setattr(math_extractor, "write_inline_math", lambda tree: None)
    monkeypatch.setattr(math_extractor, "write_scripts", lambda tree: None)
    assert "AA\nH= AHA" in extract_math_text(shared_page(page)).text


@pytest.mark.parametrize(
    ("page", "notation"),
    [
        ("math_dev/pages/reference_com_adjoint_operator.html.gz", ["Hilbert space C^n", "L^2[0,1]", "n^2π^2"]),
        ("math_dev/pages/mdpi_sensors_14_3_5536.html.gz", ["transposition of DP_{i+1} to"]),
        ("extraction_gt/readability_test_pages/wikipedia-2/source.html.gz", ["268,021 km^2"]),
    ],
)
def test_other_superscripts_and_subscripts_become_notation(page, notation):
    """Exponents and indices outside formulas: `C<sup>n</sup>` was `Cn`, `n<sup>2</sup>π<sup>2</sup>` was
    `n2π2`, `DP<sub>i+1</sub>` was `DPi+1`. No `$`: no formula is made of them."""
    text = extract_math_text(shared_page(page)).text
    for written in notation:
        assert written in text


@pytest.mark.parametrize(
    ("page", "plain", "not_notation"),
    [
        # chemical formulas
        ("math_dev/pages/mdpi_sensors_14_3_5536.html.gz", ["SnO2", "WO3"], ["SnO_"]),
        ("math_dev/pages/wikipedia_pyruvate_dehydrogenase_quinone.html.gz", ["H2O", "CO2"], ["H_2"]),
        # footnote markers, ordinals, a citation's page number
        ("extraction_gt/readability_test_pages/wikipedia-2/source.html.gz", ["[11]", "(75th)"], ["^{[", "^{th}"]),
        ("extraction_gt/readability_test_pages/wikipedia-4/source.html.gz", ["[1]: 207"], ["^{:"]),
        # small print in a subscript (figure captions), a mark
        ("extraction_gt/trafilatura_eval/html/baechli-bergsport.ch-lawinen.html.gz", ["Abbildung 3: Grosser"],
         ["_{Abbildung"]),
        ("extraction_gt/trafilatura_eval/html/emacspeak.blogspot.com.meta.html.gz", ["RCS*,v*"], ["RCS_"]),
        # plain-text math in a math-named element stays plain text, not a formula
        ("math_dev/pages/convertoctopus_years_to_minutes.html.gz", ["T_{(min)} = 4.7 yr × 525600 min"], ["$$T_"]),
    ],
)  # fmt: skip
def test_conventional_plain_text_stays_plain(page, plain, not_notation):
    text = extract_math_text(shared_page(page)).text
    assert all(written in text for written in plain)
    assert not any(written in text for written in not_notation)
