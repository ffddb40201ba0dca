"""Gopher's quality and repetition rules measured on the prose of a math page (`prose.py`), not on its formulas.

datatrove's `GopherQualityFilter` and `GopherRepetitionFilter` as they are, given the page's prose instead of its
text: formulas do not count as short or symbol words, a formula or a "Solution" label that recurs is not
repetition, and a reply's quote of an earlier post is not a duplicated paragraph. The kept document is unchanged.
Off by default in `finemath` (FineMath's recipe has no such rules; `benchmarks/finemath_filters` measures them).
"""

from __future__ import annotations

from datatrove.data import Document
from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter

from smolcorpus.filters.prose import prose_text

# an inline formula is one word of the sentence around it (so "for all $x$ in $S$" keeps its length and its
# stop words), alphabetic and of ordinary length
FORMULA_WORD = "formula"


def _prose_document(document: Document, placeholder: str) -> Document:
    return Document(text=prose_text(document.text, placeholder), id=document.id, metadata=document.metadata)


class ProseGopherQuality(GopherQualityFilter):
    """Gopher quality rules (datatrove's, same arguments) on the prose; each inline formula counts as one word."""

    name = "🥇 Gopher quality (prose)"

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return super().filter(_prose_document(doc, FORMULA_WORD))


class ProseGopherRepetition(GopherRepetitionFilter):
    """Gopher repetition rules (datatrove's, same arguments) on the prose, formulas left out."""

    name = "👯 Gopher repetition (prose)"

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return super().filter(_prose_document(doc, ""))
