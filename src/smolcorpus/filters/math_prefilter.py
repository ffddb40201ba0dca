"""A cheap math prefilter on raw HTML, run before extraction so most non-math pages never pay for it.

A page passes when it carries a math library or math markup (MathJax, KaTeX, MathML, AsciiMath, Wikipedia or
Distill math elements, LaTeX image services), TeX in its text (`\\(`, `\\[`, `$$`, `\\frac`, `\\begin{equation}`),
or at least `min_vocabulary` distinct math words (theorem, integral, polynomial, ...) outside link text.

It looks only where math can be. The bodies of `<script>` and `<style>` elements and HTML comments do not count
(a script's opening tag does: its `src` names the library it loads), so `\\(` in a JavaScript regular expression,
`Math.log` in code or `matrix(` in CSS do not pass a page; TeX delimiters and math words count only in text, not
inside a tag's attributes; `$$` counts as display TeX when another `$$` closes it and what they hold reads as math
by the rule every formula count uses (`formula_count.reads_as_math`: not `$$$` or an amount such as `$$ 5 and 10$$`,
not prose such as price levels `$$ · Italian · $$`); math words count outside the text of links, which names other
pages (citations, menus: "income inequality", "allocation formula" on a country's article).

How it stays cheap (≈ 0.2 ms for a page of 170 KB on one core): the page's bytes are lower-cased once (ASCII only:
bytes.lower is a C loop), then three small Aho-Corasick automata (ahocorasick_rs: Rust, SIMD) find every marker,
TeX delimiter and math word in one pass each. Most pages have no candidate at all and stop there. Only for the
candidates found is the context checked: where scripts, styles and comments start and end (a fourth automaton,
run only then), and whether a candidate sits inside a tag (the nearest `<` and `>` around it, tracked in one
forward sweep, so the check stays linear on hostile pages). Automata with few patterns each are 10x faster than
one with all of them: short patterns like `\\(` shrink the SIMD fingerprints of every pattern they share one with.
"""

from __future__ import annotations

import bisect
import re
from html import unescape

import ahocorasick_rs
from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.typeshelper import StatHints

from smolcorpus.config.base import default_of
from smolcorpus.config.finemath import FineMathConfig
from smolcorpus.extraction.formula_count import reads_as_math

# Libraries and markup, looked for outside script bodies, styles and comments: elements (`<math`) anywhere, names of
# libraries and classes only inside tags (a script's src, a config script's type, a class)
MARKUP_MARKERS = (
    b"mathjax", b"<math", b"<m:math", b"<mml:math", b"math/tex", b"mathml", b"asciimath", b"mwe-math", b"<d-math",
    b"<dt-math", b"mathtex.cgi", b"katex", b"latex.php", b"mimetex", b"application/x-tex", b"codecogs",
)  # fmt: skip
# where a class attribute may end in "tex" (class="latex", class="tex", class="... latex ..."): a formula image or a
# span marked as TeX, confirmed by TEX_CLASS on the tag around it
TEX_CLASS_ENDS = (b'tex"', b"tex'", b"tex ")
_LINK_TAG = re.compile(rb"<a\s")
TEX_CLASS = re.compile(rb"class=[\"'](?:[^\"']*\s)?(?:la)?tex[\s\"']")
CLASS_REACH = 512  # bytes from `class=` to the "tex" that ends one of its names, at most
MAX_CLASS_CHECKS = 64  # candidates checked with TEX_CLASS on a page (hostile pages repeat them)
MAX_DISPLAY_CHECKS = 64  # `$$` pairs whose content is checked on a page (the same)
DISPLAY_REACH = 5_000  # bytes from a `$$` to the `$$` that closes it, at most
_TAG = re.compile(rb"<[^<>]*>")
_LINK_OPEN, _LINK_CLOSE = re.compile(rb"<a[\s>]"), re.compile(rb"</a[\s>]")
# TeX, counted only in text (not in attributes)
TEX_MARKERS = (b"\\(", b"\\[", b"$$", b"\\frac", b"\\begin{equation", b"\\begin{align", b"\\sum_", b"\\int_")
# words of math prose, matched as substrings of text; a leading space means the word must start a word ("lemma" counts,
# "dilemma" does not). Measured on the shared pages (`tests/extraction/web_pages.py`): the last four let plain-HTML
# arithmetic pages (unit conversions, worked sums) through while passing 5 of 617 non-math pages on vocabulary alone
MATH_VOCABULARY = (
    b"theorem", b" lemma", b"equation", b"integral", b"derivative", b"polynomial", b"matri", b"eigenvalue",
    b"logarithm", b"quadratic", b"algebra", b"calculus", b"probability", b"fraction", b"inequality", b"coefficient",
    b"multipl", b"geometr", b"trigonometr", b" formula",
)  # fmt: skip
# element bodies and comments that hold no page text: (opening, closing)
HIDDEN_BLOCKS = ((b"<script", b"</script"), (b"<style", b"</style"), (b"<!--", b"-->"))


def _automaton(patterns: tuple[bytes, ...]) -> ahocorasick_rs.BytesAhoCorasick:
    """Leftmost-first, non-overlapping matches: (pattern index, start, end)."""
    return ahocorasick_rs.BytesAhoCorasick(list(patterns), matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_FIRST)


_MARKUP = _automaton(MARKUP_MARKERS + TEX_CLASS_ENDS)
_TEX = _automaton(TEX_MARKERS)
_VOCABULARY = _automaton(tuple(word.strip() for word in MATH_VOCABULARY))
_WORD_START = tuple(word.startswith(b" ") for word in MATH_VOCABULARY)
_MARKUP_KIND, _TEX_KIND, _WORD_KIND = 0, 1, 2
_BLOCK_EDGES = _automaton(tuple(edge for block in HIDDEN_BLOCKS for edge in block))


def hidden_spans(page: bytes) -> list[tuple[int, int]]:
    """[start, end) byte spans of `page` (lower-cased HTML) that hold no page text, in order: the bodies of <script>
    and <style> elements with their closing tags (the opening tag stays visible), and whole comments. An unclosed
    block hides the rest of the page, as a browser does."""
    spans = []
    hidden_until = 0  # edges before this position lie inside a span already found
    closing = None  # the edge index that ends the block being read, and where its hidden body starts
    body = 0
    for edge, start, end in _BLOCK_EDGES.find_matches_as_indexes(page):
        if start < hidden_until:
            continue
        if closing is None:
            if edge % 2 == 1:  # a closing edge outside any block: ignored
                continue
            if edge == 4:  # a comment hides itself up to the first "-->" ("<!-->" and "<!--->" end at once, as in
                close = page.find(b"-->", start + 2)  # browsers: the idiom <!--[if !IE]><!--> shows what follows)
                stop = close + 3 if close != -1 else len(page)
                spans.append((start, stop))
                hidden_until = stop
                continue
            # a script or style keeps its opening tag (the src that names a library)
            body = page.find(b">", end) + 1
            if body == 0:  # "<script" without ">": the page ends there
                spans.append((start, len(page)))
                return spans
            closing, hidden_until = edge + 1, body
        elif edge == closing:
            stop = end if closing == 5 else page.find(b">", end) + 1
            if stop == 0:  # "</script" without its ">": the page ends there
                stop = len(page)
            spans.append((body, stop))
            closing, hidden_until = None, stop
    if closing is not None:
        spans.append((body, len(page)))
    return spans


class _Context:
    """Whether positions of a page (asked in increasing order) are hidden (inside a span of `hidden_spans`) or
    inside a tag; each byte of the page is scanned at most a few times over all questions."""

    def __init__(self, page: bytes):
        self.page = page
        self.spans = hidden_spans(page)
        self.starts = [start for start, _ in self.spans]
        self.scanned = 0  # the last '<' and '>' before this position are known
        self.last_open = self.last_close = -1
        self.next_open = self.next_close = -1  # the first '<' and '>' at or after the position last asked
        self.links = None  # `in_link`'s state, made on its first question: the link tags' iterators,
        self.link_last = self.link_next = [-1, -1]  # and the last (<a, </a) before and first after it

    def hidden(self, position: int) -> bool:
        k = bisect.bisect_right(self.starts, position) - 1
        return k >= 0 and position < self.spans[k][1]

    def in_tag(self, position: int) -> bool:
        """Whether `position` lies inside a tag: after a '<' with no '<' or '>' between, and before a '>' that
        comes before the next '<' (the TAG pattern `<[^<>]*>`: "a < b" in text is no tag)."""
        page = self.page
        if position > self.scanned:
            found = page.rfind(b"<", self.scanned, position)
            self.last_open = found if found != -1 else self.last_open
            found = page.rfind(b">", self.scanned, position)
            self.last_close = found if found != -1 else self.last_close
            self.scanned = position
        if self.last_open == -1 or self.last_close > self.last_open:
            return False
        if self.next_close < position and self.next_close != len(page):
            found = page.find(b">", position)
            self.next_close = found if found != -1 else len(page)
        if self.next_open < position and self.next_open != len(page):
            found = page.find(b"<", position)
            self.next_open = found if found != -1 else len(page)
        return self.next_close < len(page) and self.next_close < self.next_open

    def in_text(self, position: int) -> bool:
        return not self.hidden(position) and not self.in_tag(position)

    def in_link(self, position: int) -> bool:
        """Whether `position` lies in the text of a link: after an `<a>` tag with no `</a>` between, and before a
        `</a>` that comes before the next `<a>` (an unclosed `<a>` makes no link of the rest of the page)."""
        if self.links is None:  # link tags in page order, read as far as the positions asked
            self.links = [_LINK_OPEN.finditer(self.page), _LINK_CLOSE.finditer(self.page)]
            self.link_last, self.link_next = [-1, -1], [_start(edges) for edges in self.links]
        for k in (0, 1):
            while self.link_next[k] < position:
                self.link_last[k], self.link_next[k] = self.link_next[k], _start(self.links[k])
        return self.link_last[0] > self.link_last[1] and self.link_next[1] < self.link_next[0]


def _start(matches) -> int:
    """Where the next match of an iterator starts; past any page when there is none."""
    match = next(matches, None)
    return match.start() if match is not None else 1 << 62


def _display_tex(page: bytes, i: int) -> bool:
    """Whether the `$$` at `i` opens display TeX: not part of `$$$` (prices, templates), closed by another `$$`
    within `DISPLAY_REACH` bytes, and holding text that reads as math (`formula_count.reads_as_math`, on the text
    between them without tags)."""
    if page[i - 1 : i] == b"$" or page[i + 2 : i + 3] in (b"$", b""):
        return False
    closing = page.find(b"$$", i + 2)
    if closing == -1 or closing - i > DISPLAY_REACH:
        return False
    content = _TAG.sub(b" ", page[i + 2 : closing]).decode("utf-8", "replace")
    return reads_as_math(unescape(content))


def _tex_class(page: bytes, start: int) -> bool:
    """Whether the "tex" at `start` ends a name in a class attribute (TEX_CLASS, within CLASS_REACH bytes)."""
    attribute = page.rfind(b"class=", max(0, start - CLASS_REACH), start)
    return attribute != -1 and TEX_CLASS.match(page, attribute, start + 4) is not None


def math_signals(html: str | bytes, max_bytes: int = 2_000_000, words_needed: int = 0) -> tuple[str | None, int]:
    """(the first markup/TeX marker found or None, number of distinct math words in text) for a page's raw HTML;
    the first `max_bytes` bytes are looked at (default 2 MB). `words_needed`: where the page has no markup or TeX
    candidate and fewer distinct math words anywhere than that, it cannot pass on words, and that smaller number is
    returned without looking where the words stand (default 0: always look)."""
    raw = html.encode("utf-8", "surrogatepass") if isinstance(html, str) else html
    page = raw[:max_bytes].lower()
    markup = _MARKUP.find_matches_as_indexes(page)
    tex = _TEX.find_matches_as_indexes(page)
    words = _VOCABULARY.find_matches_as_indexes(page)
    if not (markup or tex or words):  # most pages
        return None, 0
    if not (markup or tex) and words_needed:  # the next most: a few common words ("multiple", "formula")
        anywhere = len({index for index, _, _ in words})
        if anywhere < words_needed:
            return None, anywhere
    # every candidate in page order (the context sweeps forward): (start, automaton, pattern index)
    candidates = [(start, _MARKUP_KIND, index) for index, start, _ in markup]
    candidates += [(start, _TEX_KIND, index) for index, start, _ in tex]
    candidates += [(start, _WORD_KIND, index) for index, start, _ in words]
    candidates.sort()
    context = _Context(page)
    class_checks = display_checks = 0
    found_words = set()
    for start, kind, index in candidates:
        if kind == _MARKUP_KIND:
            if context.hidden(start):
                continue
            if index >= len(MARKUP_MARKERS):  # a class ending in "tex"
                if class_checks < MAX_CLASS_CHECKS and _tex_class(page, start):
                    return "class=tex", 0
                class_checks += 1
                continue
            marker = MARKUP_MARKERS[index]
            # an element counts where it stands; a library's name only inside a tag that is not a link (a script's
            # src or type, a class): in prose ("pages written in HTML, SVG and MathML") or in a link to an article
            # about it (href="/wiki/MathML") it is a word, not markup
            if marker.startswith(b"<") or (context.in_tag(start) and not _LINK_TAG.match(page, context.last_open)):
                return marker.decode(), 0
        elif kind == _TEX_KIND:
            marker = TEX_MARKERS[index]
            if marker == b"$$":
                if display_checks >= MAX_DISPLAY_CHECKS or not context.in_text(start):
                    continue
                display_checks += 1
                if _display_tex(page, start):
                    return "$$", 0
            elif context.in_text(start):
                return marker.decode(), 0
        elif index not in found_words:
            if _WORD_START[index] and page[start - 1 : start].isalpha():
                continue
            if context.in_text(start) and not context.in_link(start):
                found_words.add(index)
    return None, len(found_words)


class MathPrefilter(BaseFilter):
    """Keep pages with math markup or TeX, or ≥ `min_vocabulary` distinct math words (default: the config's
    `min_math_words`, 3). Reason: `no_math_signal`. Kept pages get `math_marker`
    metadata (the marker, or "vocabulary").

    The WARC reader can run it on each page's raw bytes, before decoding (`WarcHtmlReader(prefilter=...)`): the
    reader asks `verdict` and hands the pages dropped to `drop_raw`, which counts and ledgers them as `run` does; a
    page the reader kept carries its `math_marker`, and this step, later in the same pipeline, passes it without a
    second look. On a UTF-8 page the raw bytes are the bytes `filter` looks at (the decoded text, encoded again),
    so both give the same verdict."""

    name = "➗ Math prefilter"
    REASON = "no_math_signal"

    def __init__(
        self,
        min_vocabulary: int = default_of(FineMathConfig, "min_math_words"),
        exclusion_writer: DiskWriter | None = None,
    ):
        super().__init__(exclusion_writer)
        self.min_vocabulary = min_vocabulary

    def verdict(self, page: str | bytes) -> str | None:
        """The `math_marker` of a page (raw HTML bytes, or its text) that passes, or None for one that does not."""
        marker, words = math_signals(page, words_needed=self.min_vocabulary)
        if marker is not None:
            return marker
        return "vocabulary" if words >= self.min_vocabulary else None

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        if doc.metadata.get("math_marker") is not None:  # judged on its raw bytes by the reader already
            return True
        marker = self.verdict(doc.text)
        if marker is None:
            return False, self.REASON
        doc.metadata["math_marker"] = marker
        return True

    def drop_raw(self, page: Document, rank: int = 0) -> None:
        """Count and ledger a page dropped on its raw bytes by the reader, as `run` counts and ledgers a drop."""
        self.stat_update(StatHints.total)
        self.stat_update(StatHints.dropped)
        self.stat_update(f"dropped_{self.REASON}")
        if self.exclusion_writer:
            page.metadata["filter_reason"] = self.REASON
            self.exclusion_writer.write(page, rank)
