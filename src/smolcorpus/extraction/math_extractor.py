"""Math-preserving extraction: formulas rewritten to TeX text (`math_markup.py`), then trafilatura → Markdown.

`extract_math_text(html)` is the pure function (used by `smolcorpus extract` and the tests); `MathExtractor` is
the datatrove step that runs it on every document in a sandboxed process with a per-document limit of CPU time
(`runtime/cpu_sandbox.py`), so a page that would hang the parser costs its limit and a counted drop, never the run,
and a loaded node keeps exactly what an idle one keeps.
"""

from __future__ import annotations

import contextlib
import copy
import re
from dataclasses import dataclass

import lxml.html
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.extractors.base import BaseExtractor
from datatrove.utils.typeshelper import StatHints
from lxml import etree

from smolcorpus.config.base import default_of
from smolcorpus.config.finemath import FineMathConfig
from smolcorpus.extraction.html_math import write_inline_math, write_scripts
from smolcorpus.extraction.main_content import choose_records, is_spared_content, mark_structures, record_groups
from smolcorpus.extraction.math_markup import FORMULA_MARK, MathStats, rewrite_math
from smolcorpus.extraction.trafilatura_discard import compiled_rules, sparing
from smolcorpus.extraction.trafilatura_fallback import certain_fallback
from smolcorpus.extraction.trafilatura_recovery import structured_recovery
from smolcorpus.runtime.cpu_sandbox import CpuSandbox, SandboxFailure
from smolcorpus.writers.ledger import DropLedger

# trafilatura settings: Markdown, tables and formatting kept, comments and links not. favor_precision: on the
# article-extraction ground truth (`benchmarks/extraction/run.py`) main-text token F1 is 0.956 with it vs 0.947
# without (plain datatrove Trafilatura: 0.952), and formula recall on the math pages is the same either way.
TRAFILATURA_OPTIONS = {
    "output_format": "markdown",
    "include_formatting": True,
    "include_tables": True,
    "include_links": False,
    "include_comments": False,
    "include_images": False,
    "favor_precision": True,
    "deduplicate": False,
}


# comments and processing instructions go at parse time: trafilatura 1.11 fails on a comment inside a table
# when it is given a tree (its own loader strips them)
PARSER = etree.HTMLParser(encoding="utf-8", recover=True, remove_comments=True, remove_pis=True)
# every element an `HtmlElement` (text_content, drop_tree, drop_tag), chosen in C: lxml.html's own lookup is a
# Python method called each time lxml hands out an element (340,000 calls on the 46 math pages, a quarter of the
# extraction's CPU time) only to pick its form classes (`FormElement`, `InputElement`), which nothing here uses
HTML_ELEMENTS = etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)  # fmt: skip
PARSER.set_element_class_lookup(HTML_ELEMENTS)


@dataclass
class Extraction:
    """What `extract_math_text` returns: the Markdown text, the formulas found by kind, how the main content was
    chosen, and (when asked for) every formula with whether it reached the text."""

    text: str
    math: MathStats
    main_content: str = "article"  # or "<n> records (<tag>.<class>)": a thread, Q&A page or exercise list
    formulas: list[Formula] | None = None


@dataclass
class Formula:
    kind: str  # the markup it came from (MathStats kinds; `tex_in_text` for delimited TeX written in text)
    tex: str  # with its delimiters, as written into the page before extraction
    kept: bool  # whether it is in the extracted text


_BODY_START = re.compile(rb"<body[\s>]", re.IGNORECASE)
_DOCUMENT_TAG = re.compile(rb"</?(?:html|head|body)(?:\s[^>]*)?>", re.IGNORECASE)


def drop_nested_document_tags(html: bytes) -> bytes:
    """Remove `<html>`, `<head>` and `<body>` tags (and their closing tags) that follow the page's `<body>`.

    Forum posts often carry a whole pasted document (`<html><head><style>…</style></head>…`, from an editor or a
    formula renderer); libxml2 then ends the post at the nested `<head>` and drops the rest of it, formulas
    included. Without the stray tags the pasted content is ordinary body content."""
    start = _BODY_START.search(html)
    if start is None:
        return html
    cut = start.end()
    return html[:cut] + _DOCUMENT_TAG.sub(b"", html[cut:])


# libxml2 stops building the tree 256 elements deep and drops the rest of the page; real MathML is at most 30 deep
# on the shared pages, so a formula nested deeper than this is a hostile or broken one
MAX_MATH_DEPTH = 128
DROPPED_FORMULA = "data-smolcorpus-dropped-formula"
_MATH_START = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?math[\s>/]", re.IGNORECASE)
_MATH_END = re.compile(rb"</(?:[A-Za-z][\w.-]*:)?math\s*>", re.IGNORECASE)
_TAG = re.compile(rb"<(/?)[A-Za-z][^\s/>]*[^>]*?(/?)>")


def drop_deep_math(html: bytes, max_depth: int = MAX_MATH_DEPTH) -> bytes:
    """Replace each `<math>` element nested deeper than `max_depth` by an empty marked element (`DROPPED_FORMULA`,
    counted as a broken formula). Without this, a formula nested 50,000 deep made libxml2 drop everything after it:
    half a page gone without a trace. One pass over each formula's bytes."""
    parts, position = [], 0
    for start in _MATH_START.finditer(html):
        if start.start() < position:  # inside a formula already replaced
            continue
        end = _MATH_END.search(html, start.end())
        stop = end.end() if end else len(html)
        if html.count(b"<", start.start(), stop) <= max_depth:  # fewer tags than that: not that deep (most)
            continue
        depth = deepest = 0
        for tag in _TAG.finditer(html, start.start(), stop):
            if tag[1]:
                depth -= 1
            elif not tag[2]:
                depth += 1
                deepest = max(deepest, depth)
        if deepest > max_depth:
            parts += [html[position : start.start()], f'<span {DROPPED_FORMULA}="too_deep"></span>'.encode()]
            position = stop
    return b"".join(parts) + html[position:] if parts else html


def parse_html(html: str | bytes):
    """An lxml tree of the page; None when it has no parsable content."""
    if isinstance(html, str):
        html = html.encode("utf-8", errors="replace")  # lxml rejects str with an encoding declaration
    if not html.strip():
        return None
    html = drop_deep_math(drop_nested_document_tags(html))
    try:
        return lxml.html.document_fromstring(html, parser=PARSER)
    except (etree.ParserError, ValueError):
        return None


BLOCKS = frozenset({"p", "div", "table", "ul", "ol", "dl", "pre", "blockquote", "section", "figure"})
# custom elements of article templates (Distill's) that hold body text; other custom elements become spans
CUSTOM_BLOCKS = frozenset({"d-article", "d-title", "d-figure", "d-appendix", "dt-article", "d-abstract"})


def expose_text_containers(tree) -> None:
    """Rename elements trafilatura skips although they hold text (and formulas): `figure` → div, `figcaption`
    → p, a term-less `dl` (indentation) → div of p, prefixed MathML (`m:mi`) → its MathML name, custom elements
    (`d-footnote`, `dt-fn`, …) → span or div.
    On Distill articles this takes formula recall from 26–86% to 56–98%."""
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        name = element.tag.lower()
        if name.endswith(":math"):  # XHTML with prefixed MathML (<m:math>, <mml:math>): the HTML parser keeps
            for node in element.iter():  # the prefix in the tag name, where no MathML rule would see it
                if isinstance(node.tag, str):
                    node.tag = node.tag.rpartition(":")[2]
            continue
        if name == "figure":
            element.tag = "div"
        elif name == "dl" and not any(isinstance(c.tag, str) and c.tag.lower() == "dt" for c in element):
            # a definition list without terms is indentation (MediaWiki's `:`), where Wikipedia puts displayed
            # formulas and chemical equations; trafilatura drops such lists
            element.tag = "div"
            for child in element:
                if isinstance(child.tag, str) and child.tag.lower() == "dd":
                    child.tag = (
                        "p" if not any(isinstance(c.tag, str) and c.tag.lower() in BLOCKS for c in child) else "div"
                    )
        elif name == "figcaption":
            element.tag = "p"
        elif "-" in name and not name.startswith("mjx-") and name not in ("d-math", "dt-math"):
            element.tag = "div" if name in CUSTOM_BLOCKS else "span"


def expose_content_asides(tree) -> None:
    """Rename to `div` the `<aside>` elements that are content (`main_content.is_spared_content`: a box named like
    a worked example, exercise, solution or proof, or one holding a formula, outside page furniture): trafilatura
    deletes every `<aside>` before it looks for the main content. None of the 1,052 asides and `<details>` of the
    shared pages is (sidebars, notices, menus)."""
    for aside in list(tree.iter("aside")):
        if is_spared_content(aside):
            aside.tag = "div"


# permalink anchors and edit links of section headings: Sphinx's `a.headerlink` (¶), MediaWiki's
# `span.mw-editsection` ([edit]), GitHub's and anchor.js's icon links, and any heading link whose text is only a
# pilcrow, hash or section sign
HEADING_CONTROLS = etree.XPath(
    ".//*[contains(concat(' ', normalize-space(@class), ' '), ' headerlink ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' mw-editsection ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' anchor ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' anchorjs-link ')"
    " or (self::a and string-length(normalize-space(translate(., '¶#§', ''))) = 0)]"
)
HEADINGS = etree.XPath("//h1|//h2|//h3|//h4|//h5|//h6")


def unlink_headings(tree) -> None:
    """Section headings keep their words and lose their controls: permalink and edit links go (`HEADING_CONTROLS`),
    and links to a place on the same page (`#…`) become their text. Documentation generators (Sphinx's
    `toc-backref`) write each heading as a link to the table of contents, and trafilatura drops link-dense headings
    (a Mercurial guide lost all 16); Wikipedia's came out as `Properties[edit]`. Headings linking to other pages
    stay links: they are teasers of other articles, which trafilatura rightly drops."""
    for heading in HEADINGS(tree):
        for control in HEADING_CONTROLS(heading):
            control.drop_tree()  # lxml.html: its tail stays
        for link in list(heading.iter("a")):
            if (link.get("href") or "").startswith("#"):
                link.drop_tag()


PARAGRAPHS = ("p", "li", "dd")


def unlink_formula_paragraphs(tree) -> None:
    """Replace the links of every paragraph (`p`, `li`, `dd` without blocks inside) that holds a formula with their
    text. Equations written with linked
    terms (Wikipedia's chemical equations: `pyruvate + ubiquinone ⇌ acetate`) are link-dense, and trafilatura drops
    link-dense paragraphs as navigation."""
    done = set()
    for formula in tree.xpath(f"//*[@{FORMULA_MARK}]"):
        paragraph = next((a for a in formula.iterancestors() if a.tag in PARAGRAPHS), None)
        if paragraph is None or paragraph in done:
            continue
        done.add(paragraph)
        if any(d.tag in BLOCKS for d in paragraph.iterdescendants()):  # a container (a whole post in an <li>)
            continue
        for link in list(paragraph.iter("a")):
            link.drop_tag()


def extract_math_text(html: str | bytes, url: str | None = None, *, inventory: bool = False, **options) -> Extraction:
    """Markdown text of the page's main content with every formula as `$...$` / `$$...$$` TeX.

    `inventory=True` also lists every formula the page carries and whether it reached the text (for debugging a
    page: `smolcorpus extract --explain`); `options` override `TRAFILATURA_OPTIONS`."""
    import trafilatura

    tree = parse_html(html)
    if tree is None:
        return Extraction("", MathStats(), formulas=[] if inventory else None)
    expose_text_containers(tree)  # first, so that formulas see ordinary block parents
    write_inline_math(tree)  # before rewrite_math, which counts its formulas with the others
    math = rewrite_math(tree)
    write_scripts(tree)
    math.errors += len(tree.xpath(f"//*[@{DROPPED_FORMULA}]"))  # formulas too deep to parse (drop_deep_math)
    mark_structures(tree)  # textbook boxes, which the pruning rules and the aside rule spare
    expose_content_asides(tree)
    unlink_formula_paragraphs(tree)
    unlink_headings(tree)
    # every formula is text now; what is left in scripts and styles is code, which no extractor keeps
    etree.strip_elements(tree, "script", "style", with_tail=False)
    formulas = math.formulas if inventory else None  # what `math` counts: the one list of the page's formulas
    settings = {**TRAFILATURA_OPTIONS, **options}
    groups = record_groups(tree)  # judged on the untouched page (usually none)
    # the same pruning as trafilatura's XPath discard rules, 3.4x faster (trafilatura_discard.py), and its fallback
    # comparison without readability where readability cannot win (trafilatura_fallback.py): the same text
    with compiled_rules(), sparing(is_spared_content), structured_recovery(), certain_fallback():
        # trafilatura cleans the tree it is given in place: a copy when record groups will be looked at afterwards
        text = trafilatura.extract(copy.deepcopy(tree) if groups else tree, url=url, **settings) or ""
        main_content = "article"
        records = choose_records(groups, text)
        if records is not None:
            text = extract_records(tree, records.elements, url, settings) or text
            main_content = f"{len(records.elements)} records ({records.name})"
    if formulas is not None:
        squashed = "".join(text.split())
        formulas = [Formula(kind, tex, "".join(tex.split()) in squashed) for kind, tex in formulas]
    return Extraction(text, math, main_content, formulas)


def _record_config():
    """trafilatura settings for one record: a post of one line is still content."""
    from trafilatura.settings import use_config

    config = use_config()
    for key in ("MIN_EXTRACTED_SIZE", "MIN_OUTPUT_SIZE", "MIN_EXTRACTED_COMM_SIZE", "MIN_OUTPUT_COMM_SIZE"):
        config.set("DEFAULT", key, "1")
    return config


_RECORD_CONFIG = None


def extract_records(tree, records: list, url: str | None, settings: dict) -> str:
    """Markdown of each record (trafilatura keeps one block per page, so each record is a page of its own),
    joined in page order, after the page's first heading when it lies outside the records."""
    import trafilatura

    global _RECORD_CONFIG
    if _RECORD_CONFIG is None:
        _RECORD_CONFIG = _record_config()
    parts = []
    heading = tree.find(".//h1")
    if heading is not None and not any(r is heading or r in heading.iterancestors() for r in records):
        title = " ".join(heading.text_content().split())
        if title:
            parts.append("# " + title)
    options = {**settings, "favor_precision": False, "favor_recall": True, "config": _RECORD_CONFIG}
    for record in records:
        document = lxml.html.document_fromstring("<html><body><article></article></body></html>", parser=PARSER)
        record = copy.deepcopy(record)
        record.tail = None
        # vBulletin and others use a <blockquote> as the whole post body; trafilatura keeps only the first block
        # of a blockquote that mixes blocks and text (a quoted post followed by the reply loses the reply)
        outer = [record, *record.iterchildren()] if len(record) == 1 else [record]
        for element in outer:
            if isinstance(element.tag, str) and element.tag.lower() == "blockquote":
                element.tag = "div"
        document.find(".//article").append(record)
        text = trafilatura.extract(document, url=url, **options)
        if text and text.strip():
            parts.append(text.strip())
    return "\n\n".join(parts)


# extracted once in the step's process and once in each new sandbox process before any page: lazy set-up
# (py-asciimath's grammar: 0.45 s of CPU) is paid here, not by whichever page comes first after a (re)start, so a
# page's CPU cost and verdict do not depend on its place in the task
WARMUP_PAGE = (
    "<html><head><script src='https://example.org/ASCIIMathML.js'></script></head><body><article><h1>Warm-up</h1>"
    "<p>A page with a formula of each kind, extracted once so that lazy set-up is not paid by a real page: \\(x^2\\) "
    "inline, $$\\sum_i a_i$$ displayed, <math><mi>y</mi><mo>=</mo><mn>1</mn></math> in MathML and `sqrt(x)/2` in "
    "AsciiMath, in a paragraph long enough to be taken for the article.</p></article></body></html>"
)


def extract_pages(pages, cpu_seconds: float, inventory: bool = False):
    """Each (url, html) of `pages` extracted as the pipeline does: in a sandbox process with the same CPU-time limit
    and warm-up. Yields (url, Extraction), or (url, reason) for a page the pipeline would drop: "extraction_timeout"
    or "extraction_error: <why>" (`smolcorpus extract`)."""
    with CpuSandbox(cpu_seconds, warmup=(WARMUP_PAGE, None, False)) as sandbox:
        for url, html in pages:
            try:
                yield url, sandbox.process_document((html, url, inventory), _extract_page)
            except TimeoutError:
                yield url, "extraction_timeout"
            except EOFError as e:
                yield url, f"extraction_error: {e}"


def _extract_page(html: bytes, url: str | None, inventory: bool) -> Extraction:
    return extract_math_text(html, url=url, inventory=inventory)


class MathExtractor(BaseExtractor):
    """datatrove extractor: `doc.text` (HTML) → Markdown with TeX math; adds `math_formulas` to the metadata.

    Args:
        timeout: CPU seconds per document (default: the config's `extraction_timeout`, 5): a page whose
            extraction costs more is dropped as `extraction_timeout` (the sandbox process is restarted). CPU time,
            not wall-clock time: a page waiting for a busy CPU is not charged for the wait
            (`runtime/cpu_sandbox.py`).
        drop_ledger: optional ledger for documents that do not survive extraction (reasons
            `extraction_timeout`, `extraction_error`, `extraction_empty`).
        trafilatura_options: override `TRAFILATURA_OPTIONS`.

    A `SandboxFailure` (the sandbox process made no CPU progress for minutes, or could not start) is not a verdict
    about the page: it fails the task, and a rerun retries it.
    """

    name = "🧮 Math-preserving extraction"

    def __init__(
        self,
        timeout: float = default_of(FineMathConfig, "extraction_timeout"),
        drop_ledger: DropLedger | None = None,
        **trafilatura_options,
    ):
        super().__init__(timeout)
        self.drop_ledger = drop_ledger
        self.trafilatura_options = trafilatura_options

    def extract(self, text: str) -> tuple[str, int]:
        result = extract_math_text(text, **self.trafilatura_options)
        return result.text, result.math.total

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        ledger = self.drop_ledger
        self.extract(WARMUP_PAGE)  # forked sandbox processes inherit what it set up
        sandbox = CpuSandbox(cpu_seconds=self.timeout, warmup=WARMUP_PAGE)
        with sandbox, ledger if ledger else contextlib.nullcontext():
            for doc in data:
                self.stat_update(StatHints.total)
                reason = None
                with self.track_time():
                    try:
                        doc.text, formulas = sandbox.process_document(doc.text, self.extract)
                    except TimeoutError:  # more CPU time than the limit
                        reason = "extraction_timeout"
                    except EOFError:  # the sandbox process died (e.g. out of memory on a huge page)
                        reason = "extraction_error"
                    except SandboxFailure:
                        raise
                    except Exception:
                        reason = "extraction_error"
                if reason is None and not doc.text.strip():
                    reason = "extraction_empty"
                if reason is not None:
                    self.stat_update(StatHints.dropped, f"dropped_{reason}")
                    if ledger is not None:
                        doc.metadata["filter_reason"] = reason
                        ledger.write(doc, rank)
                    continue
                doc.metadata["math_formulas"] = formulas
                self.stat_update(StatHints.forwarded)
                if formulas:
                    self.stat_update("documents_with_math")
                self.update_doc_stats(doc)
                yield doc
