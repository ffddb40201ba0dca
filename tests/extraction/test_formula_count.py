"""`formula_count`: the one definition of a page's formulas. TeX in text by the conventions (`$x$`, `$2^n$`,
`$$…$$`, `\\(…\\)`, environments) counts once; dollar text (amounts, prices, shell prompts, code) does not: on the
conventions, on every real math page of ../shared/data (each formula of their lists still counts), and on the real
pages with dollar amounts (none counts)."""

import json
import re
import time

import lxml.html
import pytest

from smolcorpus.extraction.formula_count import page_formulas, reads_as_math, tex_in_text
from smolcorpus.extraction.formula_recall import formula_inventory, notation_key
from smolcorpus.extraction.math_extractor import expose_text_containers, parse_html
from smolcorpus.extraction.math_markup import rewrite_math
from tests.extraction.math_pages import math_dev_index
from tests.extraction.web_pages import labelled_pages, read_page


def rewritten(html: bytes | str):
    tree = parse_html(html)
    expose_text_containers(tree)
    return tree, rewrite_math(tree)


def test_tex_written_in_text_counts():
    text = (r"Let $x$ be even, then $2^n$ and $5x+3$ hold; $$\sum_i a_i$$ and \(a \ne 0\), \[E = mc^2\], "
            r"\begin{equation} y = 1 \end{equation}, $n!$, $ABC$, $f(x) = max(a, b)$, $ \sin x $, "
            r"$a_n ≤ a_{n+1}$.")  # fmt: skip
    assert tex_in_text(text) == [
        "$x$", "$2^n$", "$5x+3$", r"$$\sum_i a_i$$", r"\(a \ne 0\)", r"\[E = mc^2\]",
        r"\begin{equation} y = 1 \end{equation}", "$n!$", "$ABC$", "$f(x) = max(a, b)$", r"$ \sin x $",
        "$a_n ≤ a_{n+1}$"]  # fmt: skip
    # adjacent inline formulas (Stack Exchange writes `$\delta L \over L$$=10^{-21}$`), nested environments once
    assert tex_in_text(r"$\delta L \over L$$=10^{-21}$") == [r"$\delta L \over L$", "$=10^{-21}$"]
    nested = r"$$\begin{aligned} a &= b \\[1em] c &= d \end{aligned}$$"
    assert tex_in_text(nested) == [nested]
    assert tex_in_text(r"$\begingroup$ $x$ $\endgroup$") == ["$x$"]  # Stack Exchange's scoping macros


@pytest.mark.parametrize(
    "text",
    [
        "Apple is worth $199 billion, up from US$150 billion.",
        "Tickets cost $5 and $10 at the door.",
        "The deal is worth US$ 3.5 billion (A$ 5 billion).",
        "Now $1,200.50, was $1,399.99; save $200 today",
        "Prices: $5 - $10, $20-$30, $$ · Italian, $$$ · French, $4K x 3 per episode = $12K",
        "It raised $5 million and US$ 7 million",  # a pair whose content is an amount and words
        "$17 million (or $6 million after taxes)",
        "$ hg clone repo\n$ cd repo\n$ hg add file1",  # shell prompts
        "$users = User::skip($offset); echo $HOME/bin:$PATH and $CATOP and $",  # code in text
        r"a literal \$5 and \$x\$",  # escaped dollars
        '$. zP"""""$ and $b `--. ___.---uuudP `$',  # ASCII art
        "\\(see the notes\\) and $Income for the year$",  # prose between delimiters
    ],
)
def test_dollar_text_is_not_math(text):
    assert tex_in_text(text) == []


def test_reads_as_math():
    assert all(map(reads_as_math, ["x", "5", "2^n", "5x+3", r"\alpha", "a_{n}", "x, y", "n!", "GR+SUSY,", "d < 2"]))
    # letters outside ASCII and Greek: Wikipedia's {{math|ℂ}} comes out as $ℂ$ (html_math.py)
    assert all(map(reads_as_math, ["ℂ", "ℝ^n", "ℵ0"])) and not reads_as_math("€")
    assert not any(map(reads_as_math, ["199 billion in 2020, up from US", "5 and ", "1,200 per", "", "  ", "^",
                                       "___", "ABC Corp for", '"Income"', "-"]))  # fmt: skip


def test_formulas_rewrite_math_made_count_once():
    """A formula element counts as its kind, the text `$…$` it holds is not counted again as TeX in text; text
    rewrites (BBCode, WordPress) are elements too."""
    html = ('<html><body><article><p>Inline <script type="math/tex">x^2</script>, text $y$ and '
            "[itex]z_1[/itex], $latex a+b$ and a price of $5 and $6.</p></article></body></html>")  # fmt: skip
    tree, stats = rewritten(html)
    assert stats.formulas == [("script_tex", "$x^2$"), ("tex_in_text", "$y$"), ("bbcode", "$z_1$"),
                              ("wordpress_latex", "$a+b$")]  # fmt: skip
    assert stats.found == {"script_tex": 1, "tex_in_text": 1, "bbcode": 1, "wordpress_latex": 1}
    assert stats.total == 4 and page_formulas(tree) == stats.formulas
    # code, pre and scripts hold no math
    tree, stats = rewritten("<html><body><pre>$x$</pre><code>echo $y$</code><p>$z$</p></body></html>")
    assert stats.formulas == [("tex_in_text", "$z$")]


# pages whose formula list is every TeX formula written in the page's text (math_dev/README.md)
TEX_IN_TEXT_PAGES = ("se_worldbuilding_162264", "math_se_658871_pool_ball", "mathonline_wikidot_monotone_sequences",
                     "mathhelpforum_169103")  # fmt: skip


def test_every_formula_of_the_real_math_pages_counts(shared_data):
    """math_html (formulas inventoried from the page source: scripts, annotations, d-math, `\\(…\\)`, `\\[…\\]`,
    `$$…$$`) and math_dev's complete lists of TeX written in text: each formula is one the count has."""
    pages = [(shared_data / json.loads(line)["file"], None)
             for line in (shared_data / "math_html" / "INDEX.jsonl").read_text().splitlines()]  # fmt: skip
    pages += [(shared_data / "math_dev" / math_dev_index()[name]["file"], math_dev_index()[name]["formulas"])
              for name in TEX_IN_TEXT_PAGES]  # fmt: skip
    counted_pages = 0
    for page, formulas in pages:
        html = read_page(page)
        formulas = formula_inventory(html) if formulas is None else formulas
        _, stats = rewritten(html)
        keys = [notation_key(tex) for _, tex in stats.formulas]
        missing = [f for f in formulas if not any(notation_key(f) in key for key in keys)]
        assert not missing, (page.name, missing[:3])
        assert stats.total >= len(set(formulas)) * 0.9, page.name
        counted_pages += bool(formulas)
    assert counted_pages >= 15
    # the MathJax demo: 13 formulas written as TeX in its text (the header said "none" before)
    _, stats = rewritten(read_page(shared_data / "math_html" / "licensed" / "mathjax_demo_page_tex-chtml.html"))
    assert stats.found == {"tex_in_text": 13}


def test_pages_with_dollar_amounts_have_no_formulas(shared_data):
    """Every non-math page of ../shared/data with a dollar amount in its HTML (243: news, business, deals, forums,
    a country's article, math_dev's negative page WCVB): no TeX in text is counted (185 on 61 of them before)."""
    amounts = re.compile(rb"\$\s?[0-9]")
    checked = []
    for page, is_math in labelled_pages(shared_data):
        html = read_page(page)
        if is_math or not amounts.search(html):
            continue
        tree, stats = rewritten(html)
        assert not [tex for kind, tex in stats.formulas if kind == "tex_in_text"], page
        checked.append(f"{page.parent.name}/{page.name}")
    assert len(checked) >= 200 and {"pages/wcvb_dollar_amounts.html.gz", "wikipedia-2/source.html.gz"} <= set(checked)


def test_hostile_text_costs_one_pass():
    """Text built to make delimiter pairing quadratic (2 MB of unclosed `\\(`, of `$a `, of `$$ `, of unclosed
    environments, of `\\\\`) is answered in linear time."""
    hostile = ["$" * 2_000_000, "\\(" * 1_000_000, "\\begin{equation}" * 120_000, "$a " * 600_000, "$$ " * 600_000,
               "\\( x " * 400_000 + "\\)", "$5 and " * 250_000, "\\\\" * 1_000_000,
               "$" + "x" * 2_000_000 + "$"]  # fmt: skip
    started = time.process_time()
    counts = [len(tex_in_text(text)) for text in hostile]
    assert counts == [0, 0, 0, 0, 0, 1, 0, 0, 0] and time.process_time() - started < 20
    tree = lxml.html.document_fromstring("<p>" + "$x$ " * 200_000 + "</p>")
    assert len(page_formulas(tree)) == 200_000
