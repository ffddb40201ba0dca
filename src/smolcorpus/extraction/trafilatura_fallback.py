"""trafilatura's fallback comparison, run only where readability could change the outcome.

Without `no_fallback`, trafilatura 1.11 ends every extraction with `compare_extraction`: it runs its copy of
readability on the pruned page and keeps readability's text instead of its own when that one is more than twice as
long, or when its own is empty, has no paragraph text or more tables than paragraphs. Readability costs about
3 ms a math page (a seventh of the extraction), and on most pages it cannot win: its text is a subset of the
page's text nodes, in page order (it drops and moves elements, never copies them), so it is never longer, after
trafilatura's whitespace trimming, than the whole pruned page's text, plus `VIDEO` for each `<iframe>` (the
only text it writes). When that bound already makes the comparison come out for trafilatura's own text
(`readability_cannot_win`), readability is not run: `compare_extraction` gets an empty result, which it never
prefers, and goes on as before (its justext check does not depend on readability). The extracted text is the same
on every shared page; readability runs on 171 of them instead of 664 (on 14 of the 46 math pages instead of all).

`certain_fallback()` puts this in place for the duration of an extraction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

VIDEO_TEXT = len(" VIDEO")  # readability's `sanitize` writes VIDEO into an <iframe> of a video; a space around it


def readability_bound(candidate) -> int:
    """The most characters readability's text can have (as `compare_extraction` measures it: trimmed) when it is
    given `candidate`: the trimmed text of the whole of it, plus `VIDEO_TEXT` for each `<iframe>`."""
    from lxml.etree import tostring
    from trafilatura.utils import trim

    text = trim(tostring(candidate, method="text", encoding="utf-8").decode("utf-8")) or ""
    return len(text) + VIDEO_TEXT * sum(1 for _ in candidate.iter("iframe"))


def readability_cannot_win(candidate, body, len_text: int, options) -> bool:
    """Whether trafilatura's `compare_extraction` keeps its own extraction (`body`, `len_text` characters) whatever
    readability extracts from `candidate` (the pruned page readability is given), by its rules in trafilatura 1.11:
    readability's text has at most `readability_bound(candidate)` characters, and each rule under which it wins
    needs more than that or a `body` without paragraph text, with more tables than paragraphs or (for recall)
    without headings."""
    if len_text == 0:  # any text of readability's wins
        return False
    bound = readability_bound(candidate)
    if len_text > 2 * bound:  # "own text more than twice readability's": kept, before any other rule
        return True
    if bound > 2 * len_text:  # readability's could be more than twice as long
        return False
    substantial = bound > options.min_extracted_size * 2
    if substantial and not body.xpath(".//p//text()"):
        return False
    if substantial and len(body.findall(".//table")) > len(body.findall(".//p")):
        return False
    return not (options.focus == "recall" and bound > len_text and not body.xpath(".//head"))


@contextlib.contextmanager
def certain_fallback() -> Iterator[None]:
    """For the duration, trafilatura's `compare_extraction` skips readability where it cannot win
    (`readability_cannot_win`); trafilatura's functions are back afterwards."""
    from lxml.etree import Element
    from trafilatura import core, external

    compare, readability = core.compare_extraction, external.try_readability

    def compare_extraction(tree, backup_tree, body, text, len_text, options):
        def try_readability(candidate):
            if readability_cannot_win(candidate, body, len_text, options):
                return Element("div")  # no text: compare_extraction keeps its own
            return readability(candidate)

        external.try_readability = try_readability
        try:
            return compare(tree, backup_tree, body, text, len_text, options)
        finally:
            external.try_readability = readability

    core.compare_extraction = compare_extraction
    try:
        yield
    finally:
        core.compare_extraction = compare
