"""trafilatura's last resort, with the page's headings and lists.

When none of trafilatura's main-content expressions (`BODY_XPATH`: `article`, `div.post-content`, `#content`, …)
finds a container, or the one it finds holds too little text, trafilatura 1.11 "recovers wild text": it collects
every paragraph, table, quote and code block of the pruned page (`recover_wild_text`). Headings and lists are not
among them, so a page whose content sits directly in `<body>` or in unnamed `<div>`s loses every section heading
and every list, formulas in lists included: all 9 headings of readability's `mathjax` test page and of MathJax's
MathML demo, 15 of the 16 of Distill's "Why Momentum Really Works" (datatrove's plain Trafilatura keeps
most of them only because its fallback extractor wins there; with the formulas as text, trafilatura's own text
is the longer one). 88 of the extraction benchmark's 366 pages go this way.

`recover_wild_text` is trafilatura's function with headings and lists added to what it collects:

- a heading is kept when it follows some content and introduces a formula or a sentence: not a title (`h1`, or
  any heading before the content), not one of a run of teaser headlines (a heading, a one-word label, a heading);
- a list is kept whole when its items are plain text holding a formula, or several sentences: not a menu or tag
  list of one- to three-word entries, and not a list of posts (those blocks are recovered one by one, as before).

Measured (benchmarks/extraction/run.py): main-text F1 unchanged on the article benchmark (0.9555), 0.8829 ->
0.8835 on magic-html's articles, 0.6916 -> 0.6960 on its forums; 5 more formulas on Distill's CTC article (a list).
`structured_recovery()` puts it in place of trafilatura's for the duration of an extraction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

MIN_WORDS = 8  # words of the block after a recovered heading that make it content
# trafilatura 1.11's expression (paragraphs, tables, quotes, code) plus headings and lists (converted tag names)
SEARCH = ".//blockquote|.//code|.//p|.//pre|.//q|.//quote|.//table|.//div[contains(@class, 'w3-code')]|.//head|.//list"


def recover_wild_text(tree, result_body, options, potential_tags=None):
    """trafilatura.main_extractor.recover_wild_text (same arguments and result) collecting headings and lists too."""
    from lxml.etree import strip_tags
    from trafilatura.main_extractor import handle_textelem, prune_unwanted_sections
    from trafilatura.settings import TAG_CATALOG

    if potential_tags is None:
        potential_tags = TAG_CATALOG
    search = SEARCH
    if options.focus == "recall":
        potential_tags.update(["div", "lb"])
        search += "|.//div|.//lb"
    search_tree = prune_unwanted_sections(tree, potential_tags, options)
    if "ref" not in potential_tags:
        strip_tags(search_tree, "a", "ref", "span")
    else:
        strip_tags(search_tree, "span")
    # a list is taken whole only when it is a list of sentences or formulas; the blocks of any other (a thread
    # written as a list of posts) are taken one by one, as trafilatura does
    elements = (e for e in search_tree.xpath(search) if e.tag != "list" or _prose_list(e))
    found = [e for e in (handle_textelem(e, potential_tags, options) for e in elements) if e is not None]
    content = len(result_body) > 0  # whether content precedes: a heading before any is the page's title
    for i, element in enumerate(found):
        if element.tag != "head" or (content and _introduces_content(element, found[i + 1 :])):
            result_body.append(element)
            content = True
    return result_body


BLOCKS = frozenset({"p", "quote", "code", "table", "div", "head", "list"})


def _prose_list(element) -> bool:
    """Whether a list (trafilatura's converted tree: `list` of `item`) is content to recover whole: items of plain
    text (no paragraphs, quotes, tables or lists inside) that hold a formula, or several items of sentences, not
    the one- to three-word entries of menus and tag lists (on average at least `MIN_WORDS` / 2 words) or a lone
    notice."""
    items = [item for item in element if item.tag == "item"]
    if not items or any(d.tag in BLOCKS for item in items for d in item.iterdescendants()):
        return False
    texts = [" ".join(item.itertext()) for item in items]
    if any("$" in text for text in texts):
        return True
    return len(texts) > 1 and sum(len(t.split()) for t in texts) >= len(texts) * MIN_WORDS / 2


def _introduces_content(heading, following: list) -> bool:
    """Whether a recovered heading (after some content) is a section heading of the content: not a title (`h1`,
    which the ground truth of article benchmarks leaves out and the page's metadata carries), and followed by a
    formula or a sentence (`MIN_WORDS`), not by another heading or a one-word label (runs of teaser headlines)."""
    if heading.get("rend") == "h1" or not following or following[0].tag == "head":
        return False
    text = " ".join(following[0].itertext())
    return "$" in text or len(text.split()) >= MIN_WORDS


@contextlib.contextmanager
def structured_recovery() -> Iterator[None]:
    """For the duration, trafilatura recovers wild text with `recover_wild_text` (headings and lists included)."""
    from trafilatura import main_extractor

    saved = main_extractor.recover_wild_text
    main_extractor.recover_wild_text = recover_wild_text
    try:
        yield
    finally:
        main_extractor.recover_wild_text = saved
