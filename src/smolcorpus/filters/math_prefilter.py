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

MARKUP_MARKERS = (
    "mathjax", "katex", "<math", "math/tex", "mathml", "asciimath", "mwe-math", "<d-math", "<dt-math",
    "latex.php", "codecogs", "mimetex", "mathtex.cgi", "application/x-tex",
)  # fmt: skip
TEX_MARKERS = re.compile(
    r"\\\(|\\\[|\$\$|\\frac\b|\\begin\{(?:equation|align|eqnarray|matrix)|\\sum_|\\int_"
    r"|class=[\"'][^\"']*\b(?:tex|latex)\b"  # formula images and spans marked as TeX
)
MATH_VOCABULARY = re.compile(
    r"\b(theorem|lemma|corollary|proof|equation|integral|derivative|polynomial|matrix|matrices|eigenvalue|"
    r"logarithm|exponent|quadratic|algebra|geometry|calculus|probability|arithmetic|fraction|denominator|"
    r"numerator|hypotenuse|trigonometr\w*|vector|theorem|inequality|factorial|prime number|divisible|"
    r"coefficient|asymptot\w*|differential|converge\w*|integer)\b",
    re.IGNORECASE,
)


def math_signals(html: str, max_chars: int = 2_000_000) -> tuple[str | None, int]:
    """(the first markup/TeX marker found or None, number of distinct math words) for a page's raw HTML."""
    head = html[:max_chars]
    lowered = head.lower()
    marker = next((m for m in MARKUP_MARKERS if m in lowered), None)
    if marker is None:
        match = TEX_MARKERS.search(head)
        marker = match[0] if match else None
    words = {w.lower() for w in MATH_VOCABULARY.findall(head)} if marker is None else set()
    return marker, len(words)


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
