"""A cheap math prefilter on raw HTML, run before extraction so most non-math pages never pay for it.

A page passes when it carries a math library or math markup (MathJax, KaTeX, MathML, AsciiMath, Wikipedia or
Distill math elements, LaTeX image services), TeX in its text (`\\(`, `\\[`, `$$`, `\\frac`, `\\begin{equation}`),
or at least `min_vocabulary` distinct math words (theorem, integral, polynomial, ...). Substring and regex scans
only: no parsing. Recall on the math pages of ../shared/data is tested; the benchmark reports its speed-up.
"""

from __future__ import annotations

import re

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

# every check is a substring search on the lower-cased page (C speed; regexes over whole pages cost ≈ 3 ms a
# page). Markers are grouped by a substring they all contain, so a page without "math" is scanned once for them.
MARKUP_MARKERS = {
    "math": ("mathjax", "<math", "math/tex", "mathml", "asciimath", "mwe-math", "<d-math", "<dt-math", "mathtex.cgi"),
    "tex": ("katex", "latex.php", "mimetex", "application/x-tex"),
    "codecogs": ("codecogs",),
}
TEX_MARKERS = ("\\(", "\\[", "$$", "\\frac", "\\begin{equation", "\\begin{align", "\\sum_", "\\int_")
# formula images and spans marked as TeX: class="latex", class="tex", class="... latex ..."
TEX_CLASS = re.compile(r"class=[\"'](?:[^\"']*\s)?(?:la)?tex[\s\"']")
# words of math prose, matched as substrings (" lemma" so that "dilemma" does not count)
MATH_VOCABULARY = (
    "theorem", " lemma", "equation", "integral", "derivative", "polynomial", "matri", "eigenvalue", "logarithm",
    "quadratic", "algebra", "calculus", "probability", "fraction", "inequality", "coefficient",
)  # fmt: skip


def math_signals(html: str, max_chars: int = 2_000_000) -> tuple[str | None, int]:
    """(the first markup/TeX marker found or None, number of distinct math words) for a page's raw HTML."""
    lowered = html[:max_chars].lower()
    marker = next((m for key, group in MARKUP_MARKERS.items() if key in lowered for m in group if m in lowered), None)
    if marker is None:
        marker = next((m for m in TEX_MARKERS if m in lowered), None)
    if marker is None:
        match = TEX_CLASS.search(lowered)
        marker = match[0] if match else None
    words = 0 if marker is not None else sum(word in lowered for word in MATH_VOCABULARY)
    return marker, words


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
