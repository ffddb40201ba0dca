"""Each kind of math markup `math_markup.rewrite_math` handles, on real pages of ../shared/data/math_dev (whole, or
a fragment cut from them at test time; the page is named in each test), plus the negative pages."""

from __future__ import annotations

import re

import lxml.html
import pytest

from smolcorpus.extraction.formula_recall import kept, notation_key
from smolcorpus.extraction.math_extractor import extract_math_text
from smolcorpus.extraction.math_markup import image_url_tex, rewrite_math
from tests.extraction.math_pages import fragment, math_dev_index, math_dev_page, shared_page, wrap


def extract(html) -> str:
    return extract_math_text(html).text


def all_kept(name: str) -> tuple[str, list[str]]:
    """(text, formulas of the page's list that are missing notation-insensitively)."""
    entry = math_dev_index()[name]
    text = extract_math_text(math_dev_page(name), url=entry["url"]).text
    loose = notation_key(text)
    return text, [f for f in entry["formulas"] if notation_key(f) not in loose]


# --- TeX written in text -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["se_worldbuilding_162264", "math_se_658871_pool_ball", "mathonline_wikidot_monotone_sequences"]
)
def test_tex_in_text_keeps_delimiters_and_every_character(name):
    """`$…$`, `$$…$$`, `\\(…\\)` in text and in span.math-container / span.math-inline wrappers."""
    text, missing = all_kept(name)
    entry = math_dev_index()[name]
    exact, _ = kept(entry["formulas"], text)
    assert exact >= 0.9 * len(entry["formulas"]), missing
    assert len(missing) <= 1, missing
    # no Markdown escaping inside formulas
    for formula in re.findall(r"\$\$?([^$]+)\$\$?", text):
        assert "\\_" not in formula and "\\*" not in formula, formula


def test_array_rows_stay_intact():
    """math.stackexchange: a `\\begin{array}` table with `\\hline` rows and `\\\\` row ends."""
    text, _ = all_kept("math_se_658871_pool_ball")
    array = re.search(r"\\begin\{array\}.*?\\end\{array\}", text, re.DOTALL)
    assert array and array[0].count("\\\\") == 3 and array[0].count("\\hline") == 4


@pytest.mark.parametrize(("name", "count"), [("physicsforums_403173", 2), ("physicsforums_61896", 1)])
def test_bbcode_tex_becomes_delimited_tex(name, count):
    """PhysicsForums posts: `[tex]` (display) and `[itex]` (inline) BBCode."""
    text, missing = all_kept(name)
    assert not missing
    assert "[tex]" not in text.lower() and "[itex]" not in text.lower()
    assert text.count("$$") >= 2 * count or text.count("$") >= 2 * count


def test_bbcode_fragment_inline_and_display():
    page = fragment(math_dev_page("physicsforums_403173"), "//*[@id='post_message_2717001']")
    text = extract(page)
    assert "$\\Delta K = (dd^{\\dagger} + d^{\\dagger}d)K$" in " ".join(text.split())
    assert re.search(r"\$\$\s*\\Delta K = \\Bigl\(", text)


def test_tex_source_in_math_named_elements():
    """intmath.com: bare TeX in `div.math` (rendered by a page script) gets delimiters, environments included;
    convertoctopus: `p.math` holding plain-text arithmetic stays plain text."""
    text, missing = all_kept("intmath_katex_mathjax_comparison")
    assert len(missing) <= 2, missing  # one formula exists only inside a script call: katex.render("…")
    assert re.search(r"\$\$\\begin\{pmatrix\}.*?\\end\{pmatrix\}\s*\$\$", text, re.DOTALL)
    plain = extract_math_text(math_dev_page("convertoctopus_years_to_minutes")).text
    assert "1 yr = 525600 min" in plain and "$" not in plain


# --- formula images ------------------------------------------------------------------------------------------


def test_formula_images_by_alt_inside_forum_posts():
    """mathhelpforum: CodeCogs images with the TeX in `alt`, inside a post that also holds a pasted document."""
    text, missing = all_kept("mathhelpforum_121269")
    assert not missing
    assert "$\\frac{2d}{v_2} = \\frac{15}{4}$" in text


def test_formula_images_without_alt_take_the_tex_from_the_renderer_url():
    """The same CodeCogs images with `alt` removed: the TeX comes from the URL query."""
    tree = lxml.html.document_fromstring(math_dev_page("mathhelpforum_121269"))
    images = tree.xpath("//img[contains(@src, 'codecogs')]")
    assert len(images) == 3
    html = ""
    for image in images:
        image.attrib.pop("alt")
        image.tail = " holds. "
        html += "<p>The relation " + lxml.html.tostring(image, encoding="unicode") + "</p>"
    text = extract(wrap(html))
    assert "$\\frac{d}{v_1} + \\frac{d}{v_2} = \\frac{23}{4}$" in text and "$\\frac{2d}{v_1}$" in text


@pytest.mark.parametrize(
    ("src", "tex"),
    [
        ("http://latex.codecogs.com/png.latex?\\frac{2d}{v_1}", "\\frac{2d}{v_1}"),
        ("https://latex.codecogs.com/gif.latex?\\dpi{120}%20x%5E2%2By", "x^2+y"),
        ("https://s0.wp.com/latex.php?latex=a%5E2+%2B+b&bg=ffffff&fg=000&s=0", "a^2 + b"),
        ("/cgi-bin/mimetex.cgi?\\sqrt{x}", "\\sqrt{x}"),
        ("http://www.example.edu/cgi-bin/mathtex.cgi?e%5E%7Bi%5Cpi%7D", "e^{i\\pi}"),
        ("https://chart.googleapis.com/chart?cht=tx&chl=x_1", "x_1"),
        ("https://chart.googleapis.com/chart?cht=p3&chl=Hello", None),
        ("https://example.com/images/photo.png?w=300", None),
        ("https://example.com/latex.png", None),
    ],
)
def test_image_url_tex(src, tex):
    assert image_url_tex(src) == tex


# --- MathML ---------------------------------------------------------------------------------------------------


def test_prefixed_mathml_is_converted():
    """OpenStax (cnx.org) XHTML: `<m:math>` MathML without a TeX annotation becomes TeX instead of raw glyphs."""
    text = extract_math_text(math_dev_page("cnx_m16836")).text
    assert "$G_1 \\text{= first card is green}$" in text
    assert text.count("$") >= 200


def test_prefixed_mathml_fragment_from_another_page():
    """A real MathML formula of MDPI's page, written with the `mml:` prefix (as Springer/Elsevier XHTML has it)."""
    tree = lxml.html.document_fromstring(math_dev_page("mdpi_sensors_14_3_5536"))
    math = lxml.html.tostring(tree.xpath("//math")[0], encoding="unicode")
    prefixed = re.sub(r"<(/?)(m[a-z]+|semantics)\b", r"<\1mml:\2", math)
    assert "<mml:mfrac>" in prefixed
    text = extract(wrap(f"<p>The periodicity factor is {prefixed} by definition.</p>"))
    assert "\\frac{T - S}{P}" in text and "\\text{PF}" in text


def test_wikipedia_mathml_and_link_dense_equations():
    """Wikipedia: TeX annotations, `{\\displaystyle …}` unwrapped; a chemical equation whose terms are links
    (pyruvate + ubiquinone ⇌ …) survives; every page keeps ≥ 95% of its formulas."""
    for name in ("wikipedia_hermitian_matrix", "wikipedia_tsne", "wikipedia_pyruvate_dehydrogenase_quinone"):
        text, missing = all_kept(name)
        assert len(missing) <= 0.05 * len(math_dev_index()[name]["formulas"]), (name, missing)
        assert "\\displaystyle" not in text
    text, _ = all_kept("wikipedia_pyruvate_dehydrogenase_quinone")
    assert re.search(r"pyruvate \+ ubiquinone \+ H2O \$\\rightleftharpoons\$ acetate", text)


# --- AsciiMath --------------------------------------------------------------------------------------------------


def test_asciimath_on_a_page_loading_mathjax_am_config():
    """montalk.net loads MathJax with `config=AM_CHTML`: backticked AsciiMath becomes TeX."""
    text = extract_math_text(math_dev_page("montalk_tuning_forks_asciimath")).text
    assert "`f = 1/T^2" not in text
    assert re.search(r"\$f = \\frac\{1\}\{.*\\sqrt\{", text)
    assert "\\rho" in text


def asciimath_tutorial(page: bytes, index: int) -> tuple[str, str]:
    """A tutorial paragraph made of the `index`-th backticked formula of a real AsciiMath page: its source shown
    with escaped backticks (as ASCIIMathML.js reads them: literal backticks), then rendered; inside the page's own
    AsciiMath loader. Returns the page and the source."""
    tree = lxml.html.document_fromstring(page)
    loader = next(s.get("src") for s in tree.iter("script") if "AM_" in (s.get("src") or ""))
    source = re.findall(r"`([^`]+)`", tree.text_content())[index]
    paragraph = f"<p>Writing \\`{source}\\` in the text shows `{source}` once the page has rendered it.</p>"
    return wrap(paragraph).replace("<head>", f'<head><script src="{loader}"></script>'), source


@pytest.mark.parametrize("index", [0, 8])  # montalk's equations (1) and (2)
def test_asciimath_source_in_escaped_backticks_stays_source(index):
    """An AsciiMath tutorial shows the source in escaped backticks next to the rendered formula: the source stays
    text (a literal backtick pair: inline code in Markdown), the rendered one becomes TeX, and the escapes no
    longer pair with the real delimiters into a garbled formula."""
    page, source = asciimath_tutorial(math_dev_page("montalk_tuning_forks_asciimath"), index)
    text = extract(page)
    assert f"Writing `{source}` in the text shows $" in text
    assert text.count("$") == 2 and "\\`" not in text


# --- custom elements and code --------------------------------------------------------------------------------


def test_custom_element_data_tex():
    """Zhihu: `span.ztext-math` with the TeX in `data-tex` (rendered copy inside)."""
    _, missing = all_kept("zhihu_22925478480")
    assert not missing


def test_formula_elements_mjx_containers_and_code_wrapped_tex():
    """Markup conventions without a whole page among the shared ones: `<formula>`, a MathJax 3 container saved
    before typesetting (TeX text, no assistive MathML), and `<code>` around a delimited formula."""
    html = (
        "<p>Energy is <formula>E = mc^2</formula> in the rest frame.</p>"
        "<p>Rendered later: <mjx-container>\\(\\alpha_1 + \\beta_2\\)</mjx-container> as inline math.</p>"
        "<p>Written in a Markdown editor: <code>$x_{n+1} = x_n^2$</code> is the recurrence.</p>"
        "<p>Shell: <code>$ npm install</code> and <code>$HOME</code> stay code.</p>"
    )
    text = extract(wrap(html))
    assert "$E = mc^2$" in text and "\\(\\alpha_1 + \\beta_2\\)" in text and "$x_{n+1} = x_n^2$" in text
    assert "`$ npm install`" in text and "`$HOME`" in text


# --- negative pages ---------------------------------------------------------------------------------------------


def test_dollar_amounts_do_not_become_formulas():
    """WCVB news page: `$16.8 million` and other amounts stay text, nothing is rewritten."""
    page = math_dev_page("wcvb_dollar_amounts")
    tree = lxml.html.document_fromstring(page)
    assert rewrite_math(tree).total == 0
    text = extract(page)
    assert "$16.8 million" in text
    assert not re.search(r"\$\$|\\\(|\\\[", text)


def test_backticks_on_a_news_page_stay_text():
    """Zee News: backticks around names are quotes, not AsciiMath (the page loads no AsciiMath)."""
    page = math_dev_page("zeenews_backticks")
    text = extract(page)
    assert "`Queen Helena`" in text or "Queen Helena" in text
    assert rewrite_math(lxml.html.document_fromstring(page)).total == 0


@pytest.mark.parametrize(
    "relative",
    [
        "extraction_gt/trafilatura_eval/html/schneems.com.rubocop.html.gz",
        "extraction_gt/trafilatura_eval/html/toptal.com.python.html.gz",
        "extraction_gt/magic_html_benchmark/article/c76d772245a8446653badd54b5349f0c55dbbc42af357aa29b7ea2d4aa607bc5.html.gz",
    ],
)
def test_shell_snippets_in_code_stay_code(relative):
    """Pages with `<code>$ command</code>` and `<code>$VAR</code>`: no formula is invented."""
    tree = lxml.html.document_fromstring(shared_page(relative))
    stats = rewrite_math(tree)
    assert stats.total == 0, stats.found
