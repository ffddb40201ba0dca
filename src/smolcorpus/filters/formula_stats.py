"""Formulas per kept page, as counters the run report draws (FineMath-style runs).

The math extractor puts each page's formula count in its `math_formulas` metadata (the one count of
`formula_count.py`: formulas rewritten from markup and TeX written in the text); the curated FineMath rows do not
carry it (the published columns have no such field), so `FormulaHistogram`, a pass-through step put just
before the curated writer, counts the kept pages per power-of-two bin: counters `formulas_per_page=0`, `=1`,
`=2-3`, `=4-7`, … `=1024+`, and `formulas_per_page=unknown` for a page without the metadata.
"""

from __future__ import annotations

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

COUNTER_PREFIX = "formulas_per_page="
LAST_BIN = 1024  # this many formulas and more share one bin


def formula_bin(count: int | None) -> str:
    """The bin of a page with `count` formulas: `0`, `1`, `2-3`, `4-7`, …, `1024+`; `unknown` for None."""
    if count is None:
        return "unknown"
    count = int(count)
    if count <= 1:
        return str(max(count, 0))
    low = 1 << (count.bit_length() - 1)  # the largest power of two ≤ count
    return f"{LAST_BIN}+" if low >= LAST_BIN else f"{low}-{2 * low - 1}"


class FormulaHistogram(PipelineStep):
    """Count the pages that pass by their number of formulas (`formulas_per_page=<bin>`); pages pass unchanged.

    Args:
        key: the metadata key holding the count (default `math_formulas`, as `MathExtractor` writes it).
    """

    name = "🧮 Formulas per page"
    type = "📊 - STATS"

    def __init__(self, key: str = "math_formulas"):
        super().__init__()
        self.key = key

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for document in data or ():
            self.stat_update(COUNTER_PREFIX + formula_bin(document.metadata.get(self.key)))
            yield document
