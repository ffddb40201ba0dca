"""A cheap math prefilter on raw HTML, run before extraction so most non-math pages never pay for it.

A page passes when it carries a math library or math markup (MathJax, KaTeX, MathML, AsciiMath, Wikipedia or
Distill math elements, LaTeX image services), TeX in its text (`\\(`, `\\[`, `$$`, `\\frac`, `\\begin{equation}`),
or at least `min_vocabulary` distinct math words (theorem, integral, polynomial, ...).

It looks only where math can be. The bodies of `<script>` and `<style>` elements and HTML comments are cut out
first (a script's opening tag stays: its `src` names the library it loads), so `\\(` in a JavaScript regular
expression, `Math.log` in code or `matrix(` in CSS do not count; TeX delimiters and math words count only in text,
not inside a tag's attributes; `$$` counts as display TeX when another `$$` closes it, `$$$` (prices) does not.
Everything runs on the page's bytes, lower-cased once (ASCII only: bytes.lower is a C loop, str.lower a Unicode
case mapping 5x slower), with substring searches and one tag-stripping regex for the text; no parsing. Recall on
every math page of ../shared/data and the share of other pages passed are tested; `benchmarks/finemath` reports
its speed (≈ 1.8 ms a page of 170 KB on one core: what is left is ≈ 30 scans of the page).
"""

from __future__ import annotations

import re

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

# Libraries and markup, looked for anywhere outside script bodies and comments (script src, a config script's
# type, elements and classes). Grouped by a substring they all contain: a page without "math" skips its group.
MARKUP_MARKERS = {
    b"math": (b"mathjax", b"<math", b"<m:math", b"<mml:math", b"math/tex", b"mathml", b"asciimath", b"mwe-math",
              b"<d-math", b"<dt-math", b"mathtex.cgi"),
    b"tex": (b"katex", b"latex.php", b"mimetex", b"application/x-tex"),
    b"codecogs": (b"codecogs",),
}  # fmt: skip
# TeX, counted only in text (not in attributes)
TEX_MARKERS = (b"\\(", b"\\[", b"$$", b"\\frac", b"\\begin{equation", b"\\begin{align", b"\\sum_", b"\\int_")
# formula images and spans marked as TeX: class="latex", class="tex", class="... latex ..."
TEX_CLASS = re.compile(rb"class=[\"'](?:[^\"']*\s)?(?:la)?tex[\s\"']")
# words of math prose, matched as substrings of text (" lemma" so that "dilemma" does not count); measured on the
# pages of ../shared/data: the last four let plain-HTML arithmetic pages (unit conversions, worked sums) through
# while passing 5 of 617 non-math pages on vocabulary alone
MATH_VOCABULARY = (
    b"theorem", b" lemma", b"equation", b"integral", b"derivative", b"polynomial", b"matri", b"eigenvalue",
    b"logarithm", b"quadratic", b"algebra", b"calculus", b"probability", b"fraction", b"inequality", b"coefficient",
    b"multipl", b"geometr", b"trigonometr", b" formula",
)  # fmt: skip
# element bodies and comments that hold no page text: (opening, closing)
HIDDEN_BLOCKS = ((b"<script", b"</script"), (b"<style", b"</style"), (b"<!--", b"-->"))


def visible_markup(page: bytes) -> bytes:
    """`page` (lower-cased HTML bytes) without the bodies of <script> and <style> elements and without comments;
    the opening tags of scripts and styles stay. An unclosed block hides the rest of the page, as a browser does."""
    kept = []
    position = 0
    upcoming = [page.find(opening) for opening, _ in HIDDEN_BLOCKS]  # next start of each kind of block
    while True:
        start = kind = -1
        for k, found in enumerate(upcoming):
            if found != -1 and (start == -1 or found < start):
                start, kind = found, k
        if start == -1:
            kept.append(page[position:])
            break
        opening, closing = HIDDEN_BLOCKS[kind]
        comment = opening == b"<!--"
        # a comment hides itself; a script or style keeps its opening tag (the src that names a library)
        body = start + len(opening) if comment else page.find(b">", start) + 1
        kept.append(page[position:start] if comment or body == 0 else page[position:body])
        end = page.find(closing, body) if body > 0 else -1
        if end == -1:
            break
        position = end + len(closing) if comment else page.find(b">", end) + 1
        if position == 0:  # "</script" without its ">": the page ends there
            break
        for k, found in enumerate(upcoming):
            if found != -1 and found < position:
                upcoming[k] = page.find(HIDDEN_BLOCKS[k][0], position)
    return b" ".join(kept)


def _display_tex(page: bytes, i: int) -> bool:
    """Whether the `$$` at `i` opens display TeX: not part of `$$$` (prices, templates), and closed by another
    `$$` within 5,000 bytes."""
    if page[i - 1 : i] == b"$" or page[i + 2 : i + 3] in (b"$", b""):
        return False
    closing = page.find(b"$$", i + 2)
    return closing != -1 and closing - i <= 5_000


def _has_display_tex(text: bytes) -> bool:
    """Whether a `$$` in `text` opens display TeX (each occurrence is checked in constant time but the closing
    search, so a page of a million `$` stays linear)."""
    i = text.find(b"$$")
    while i != -1:
        if _display_tex(text, i):
            return True
        i = text.find(b"$$", i + 2)
    return False


def _markup_marker(page: bytes) -> bytes | None:
    """The first library/markup marker in `page`. Markers of a group are looked for only around the occurrences of
    the group's key (one scan of the page for "math", not one per marker), unless the key is frequent."""
    for key, group in MARKUP_MARKERS.items():
        i = page.find(key)
        if i == -1:
            continue
        if page.count(key) > 16:  # e.g. "text" all over a page: scanning once per marker is cheaper
            found = next((m for m in group if m in page), None)
            if found is not None:
                return found
            continue
        while i != -1:
            for marker in group:
                start = i - marker.find(key)
                if start >= 0 and page.startswith(marker, start):
                    return marker
            i = page.find(key, i + 1)
    return None


# tags of the visible markup: what is left between them is the page's text. No "<" inside a tag: with `<[^>]*>` a
# page of "<" without ">" would be matched from every "<" to its end (quadratic: minutes for 2 MB)
TAG = re.compile(rb"<[^<>]*>")


def math_signals(html: str | bytes, max_bytes: int = 2_000_000) -> tuple[str | None, int]:
    """(the first markup/TeX marker found or None, number of distinct math words in text) for a page's raw HTML;
    the first `max_bytes` bytes are looked at (default 2 MB)."""
    raw = html.encode("utf-8", "surrogatepass") if isinstance(html, str) else html
    page = visible_markup(raw[:max_bytes].lower())
    marker = _markup_marker(page)
    # the class regex only where a class could end in "tex" (a regex over the whole page costs 10 scans)
    if marker is None and any(end in page for end in (b'tex"', b"tex'", b"tex ")):
        match = TEX_CLASS.search(page)
        marker = match[0] if match else None
    if marker is not None:
        return marker.decode(), 0
    # TeX and math words count in text only: the page without its tags (6x smaller than the markup, on average)
    text = TAG.sub(b" ", page)
    marker = next((m for m in TEX_MARKERS if m in text and (m != b"$$" or _has_display_tex(text))), None)
    if marker is not None:
        return marker.decode(), 0
    return None, sum(word in text for word in MATH_VOCABULARY)


class MathPrefilter(BaseFilter):
    """Keep pages with math markup or TeX, or ≥ `min_vocabulary` distinct math words (default 3). Reason:
    `no_math_signal`. Kept pages get `math_marker` metadata (the marker, or "vocabulary")."""

    name = "➗ Math prefilter"

    def __init__(self, min_vocabulary: int = 3, exclusion_writer: DiskWriter | None = None):
        super().__init__(exclusion_writer)
        self.min_vocabulary = min_vocabulary

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        marker, words = math_signals(doc.text)
        if marker is not None:
            doc.metadata["math_marker"] = marker
            return True
        if words >= self.min_vocabulary:
            doc.metadata["math_marker"] = "vocabulary"
            return True
        return False, "no_math_signal"
