"""trafilatura's discard rules compiled to per-attribute regular expressions: the same elements as the XPath, on
hand-made edge cases and on the real pages of ../shared/data, and the same extracted text."""

from __future__ import annotations

import contextlib

import lxml.html
import pytest
from lxml import etree
from trafilatura import xpaths

from smolcorpus.extraction import math_extractor
from smolcorpus.extraction.math_extractor import extract_math_text, parse_html
from smolcorpus.extraction.trafilatura_discard import (
    DISCARD_LISTS,
    AttributeRule,
    FirstRule,
    compile_first,
    compile_rule,
    compiled_rules,
    sparing,
)
from tests.extraction.web_pages import labelled_pages, read_page

EDGE_PAGE = """<html><body>
<div id="Footer-top">a</div><div id="FOOTER">b</div><div class="site-footer x">c</div>
<span class="share-bar">d</span><p class="sharebox">e</p><p class="my-sharebox">f</p>
<div class="">g</div><div data-lp-replacement-content="">h</div><div aria-hidden="true">i</div>
<div aria-hidden="True">j</div><div class="comments-title">k</div><section style="display: none">l</section>
<!-- a comment --><div><div class="related"><p class="related">m</p></div></div><header>n</header>
<div id="comment-1" class="Comments">o</div><table class="footer"><tr><td>p</td></tr></table>
</body></html>"""

RULES = [
    './/*[(self::div or self::p or self::span)][contains(translate(@id, "F","f"), "footer") or '
    'contains(@class, "footer") or starts-with(@class, "shar") or contains(@class, "related")]',
    './/*[@class="comments-title" or @data-lp-replacement-content or @aria-hidden="true" or '
    "contains(@style, 'display: none')]",
    './/*[(self::div or self::section)][starts-with(translate(@id, "C","c"), \'comment\') or '
    'starts-with(translate(@class, "CO", "co"), "comment")]',
    ".//header",
    './/*[contains(@class, "footer")]',
]


@pytest.mark.parametrize("source", RULES)
def test_a_compiled_rule_selects_what_its_xpath_selects(source):
    tree = lxml.html.document_fromstring(EDGE_PAGE)
    rule = compile_rule(source)
    assert isinstance(rule, AttributeRule)
    expected = etree.XPath(source)(tree)
    assert expected, "the edge page exercises every rule"
    assert rule(tree) == expected
    # from an element that matches its own rule: `.//` starts below it
    for element in expected:
        assert rule(element) == etree.XPath(source)(element)
    # from the document: its root element is a descendant
    assert rule(tree.getroottree()) == etree.XPath(source)(tree.getroottree())


def test_uppercase_is_folded_only_where_translate_folds_it():
    rule = compile_rule('.//*[contains(translate(@id, "F","f"), "footer")]')
    tree = lxml.html.document_fromstring(EDGE_PAGE)
    ids = [element.get("id") for element in rule(tree)]
    assert ids == ["Footer-top"]  # "FOOTER" has upper-case letters translate leaves alone


@pytest.mark.parametrize(
    "source",
    [
        ".//cite|.//quote",  # a union
        './/*[contains(@class, "a") and contains(@id, "b")]',
        './/*[not(contains(@class, "a"))]',
        './/*[contains(@class, "")]',  # true without the attribute
        './/*[contains(translate(@id, "AB", "a"), "a")]',  # translate that deletes
        './/*[contains(text(), "a")]',
        ".//p[(self::div)][@id]",
    ],
)
def test_expressions_outside_the_grammar_are_left_to_xpath(source):
    assert compile_rule(source) is None


def test_compiled_rules_hold_for_the_duration_only():
    def kinds():
        return {name: [type(e).__name__ for e in getattr(xpaths, name)] for name in DISCARD_LISTS}

    before = kinds()
    assert {kind for names in before.values() for kind in names} == {"XPath"}
    with compiled_rules():
        during = kinds()
        with compiled_rules():  # nested: the same lists
            assert kinds() == during
        assert kinds() == during
    # the one union (`.//cite|.//quote`) stays an XPath; every other discard rule is compiled
    assert during["COMMENTS_DISCARD_XPATH"] == ["AttributeRule", "XPath", "AttributeRule"]
    assert all(kind == "AttributeRule" for name, names in during.items() if name != "COMMENTS_DISCARD_XPATH"
               for kind in names)  # fmt: skip
    assert kinds() == before  # other trafilatura users of the process (datatrove's step) get the XPath back
    with compiled_rules():
        assert {type(e).__name__ for e in xpaths.BODY_XPATH} == {"FirstRule"}
    assert {type(e).__name__ for e in xpaths.BODY_XPATH} == {"XPath"}
    with pytest.raises(RuntimeError), compiled_rules():
        raise RuntimeError("an extraction that fails")
    assert kinds() == before


def sample_pages(shared_data):
    """Every math page and every fifth other page (≈ 170 pages: news, forums, Wikipedia, test pages)."""
    pages = labelled_pages(shared_data)
    others = [page for page, is_math in pages if not is_math]
    return [page for page, is_math in pages if is_math] + others[::5]


def test_every_compiled_rule_selects_what_its_xpath_selects_on_real_pages(shared_data):
    rules = []
    for name in DISCARD_LISTS:
        for expression in getattr(xpaths, name):
            rule = compile_rule(expression.path)
            if rule is not None:
                rules.append((name, etree.XPath(expression.path), rule))
    assert len(rules) == 10
    checked = matched = 0
    for page in sample_pages(shared_data):
        tree = parse_html(read_page(page))
        if tree is None:
            continue
        for name, expression, rule in rules:
            expected = expression(tree)
            assert rule(tree) == expected, (page.name, name)
            matched += bool(expected)
            checked += 1
    assert checked > 1_500 and matched > 500  # the rules do select elements on these pages


def test_every_main_content_expression_compiles_to_its_first_element_on_real_pages(shared_data):
    """trafilatura reads only the first element each `BODY_XPATH` expression selects: the compiled rule's one
    element is that element, from the document, its root and its body."""
    rules = [(etree.XPath(e.path), compile_first(e.path)) for e in xpaths.BODY_XPATH]
    assert len(rules) == 5 and all(isinstance(rule, FirstRule) for _, rule in rules)
    found = 0
    for page in sample_pages(shared_data):
        tree = parse_html(read_page(page))
        if tree is None:
            continue
        for context in (tree.getroottree(), tree, tree.find("body")):
            for expression, rule in rules:
                expected = expression(context)[:1]
                assert rule(context) == expected, (page.name, expression.path[:40])
                found += bool(expected)
    assert found > 200


@pytest.mark.parametrize(
    "source",
    [
        './/*[(self::div or self::main)][contains(@class, "post-text")][1]',
        '(.//*[(self::div or self::main)][@id="content"])[1]',
        "(.//article)[1]",
        '(.//*[(self::div)][starts-with(@class, "main")])[1]|(.//main)[1]',
    ],
)
def test_first_rules_on_edge_cases(source):
    tree = lxml.html.document_fromstring(
        "<html><body><div><main class='post-text'>a</main><div id='content' class='main post-text'>b</div></div>"
        "<article><main>c</main></article><div class='mainly'><div class='post-text'>d</div></div></body></html>"
    )
    rule = compile_first(source)
    for context in (tree.getroottree(), tree, tree.find("body"), tree.find(".//article")):
        assert rule(context) == etree.XPath(source)(context)[:1]


@pytest.mark.parametrize("source", ["(.//p)[2]", ".//p[1]|.//div[1]", '(.//*[contains(text(), "a")])[1]'])
def test_first_rules_outside_the_grammar_are_left_to_xpath(source):
    assert compile_first(source) is None


def test_extraction_is_the_same_with_the_compiled_rules(shared_data, monkeypatch):
    pages = sample_pages(shared_data)[::3]
    compiled = [extract_math_text(read_page(page)) for page in pages]
    monkeypatch.setattr(math_extractor, "compiled_rules", contextlib.nullcontext)  # trafilatura's XPath rules
    original = [extract_math_text(read_page(page)) for page in pages]
    assert [e.text for e in compiled] == [e.text for e in original]
    assert [e.main_content for e in compiled] == [e.main_content for e in original]
    assert sum(bool(e.text) for e in compiled) > 50


def test_sparing_leaves_out_what_keep_accepts_for_the_duration_only(shared_data):
    """Wikipedia's bordered `div.equation-box` holding a formula: the precision rule selects it, and does not while
    `sparing(is_spared_content)` holds; the rules are trafilatura's again afterwards, also after a failure."""
    from smolcorpus.extraction.main_content import is_spared_content
    from smolcorpus.extraction.math_markup import rewrite_math

    tree = parse_html(read_page(shared_data / "math_dev" / "pages" / "wikipedia_hermitian_matrix.html.gz"))
    rewrite_math(tree)
    boxes = tree.xpath("//div[@class='equation-box']")
    assert len(boxes) == 2

    def selected():
        return {e for rule in xpaths.PRECISION_DISCARD_XPATH for e in rule(tree)}

    before = list(xpaths.PRECISION_DISCARD_XPATH)
    assert set(boxes) <= selected()
    with compiled_rules(), sparing(is_spared_content):
        assert not set(boxes) & selected()
        assert selected()  # other bordered elements are still selected
    assert before == xpaths.PRECISION_DISCARD_XPATH
    with pytest.raises(RuntimeError), sparing(is_spared_content):
        raise RuntimeError("an extraction that fails")
    assert before == xpaths.PRECISION_DISCARD_XPATH
