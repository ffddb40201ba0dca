"""The prose of an extracted math page: its text without formulas, quoted replies and exercise scaffolding.

Rules written for web prose (Gopher's word and symbol ratios, its repetition statistics, fastText language ID)
misread math pages: a TeX formula is a run of short symbol "words" and long command "words", the same formula or
the same "Solution" heading recurs on every exercise, and a forum reply quotes the post it answers. Those rules
are run on `prose_text(text)` instead, which removes:

- formulas written as TeX with delimiters (`$…$`, `$$…$$`, `\\(…\\)`, `\\[…\\]`, `\\begin{env}…\\end{env}`), the
  form every formula of an extracted page takes; an inline formula becomes `placeholder` (default: nothing);
- lines that hold nothing but formulas and punctuation once the formulas are gone;
- quoted lines (Markdown `>`), the copy of an earlier post inside a reply;
- scaffolding lines: a lone label such as `Solution`, `**Answer:**`, `Example 3.2`, `Exercise 4 (a)`, `Proof.`;
- the `#` marks of Markdown headings (syntax of the extraction, not symbols of the page).

Linear in the text: every pattern is bounded (a formula is at most `MAX_FORMULA_CHARS`), so a page of unclosed
delimiters costs what any page of its size costs.
"""

from __future__ import annotations

import bisect
import re

MAX_FORMULA_CHARS = 2_000
MAX_SCAFFOLD_LINE = 80  # a label is short; longer lines are never matched (and cost nothing)

# every delimiter of a formula, in one pass; openers are paired with the next closer of their kind (bisect), so the
# scan is O(n log n) whatever the text holds, and a formula longer than MAX_FORMULA_CHARS is not one
_DELIMITER = re.compile(r"\$\$|\$|\\[()\[\]]|\\(begin|end)\{([a-zA-Z]+\*?)\}")
_CLOSER = {"$$": "$$", "$": "$", "\\(": "\\)", "\\[": "\\]"}
# what is left of a line whose formulas are gone, when the line held nothing else
_ONLY_PUNCTUATION = re.compile(r"[\s.,;:!?()\[\]{}=+\-*/|&<>~^_'\"`#]*")
_QUOTE = re.compile(r"\s{0,3}>(?!>)")  # not a `>>>` prompt
_HEADING_MARKS = re.compile(r"\s{0,3}#{1,6}\s")  # Markdown syntax, not symbols of the text
# a line that is only a label: optional Markdown marks, one scaffolding word, an optional number/letter, a colon
SCAFFOLD_WORDS = (
    "answer", "answers", "solution", "solutions", "example", "examples", "exercise", "exercises", "problem",
    "problems", "question", "questions", "proof", "hint", "hints", "step", "theorem", "lemma", "corollary",
    "definition", "remark", "note", "claim", "case", "part", "check", "try it", "your turn", "show solution",
    "hide solution", "show answer", "hide answer", "reveal answer", "click to reveal", "worked example",
)  # fmt: skip
_LABEL_WORD = "|".join(re.escape(word) for word in SCAFFOLD_WORDS)
_SCAFFOLD = re.compile(
    rf"[\s#*_>\-–—|]*(?:{_LABEL_WORD})\b[\s.]*(?:[\dA-Za-z]{{1,3}}(?:[.\-][\dA-Za-z]{{1,3}}){{0,3}})?[\s.]*"
    r"(?:\([a-zA-Z0-9ivx]{1,4}\))?[\s*_:.)\-–—|]*",
    re.IGNORECASE,
)


def formula_spans(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, display) of every delimited TeX formula in `text`, in order, not overlapping.

    An inline `$…$` stays on one line, its content neither starts nor ends with a space, and it is not an amount
    followed by prose (`$5 and $10` is money; `$x$`, `$2^n$` and `$5x+3$` are math)."""
    tokens = [(m.start(), m.end(), m[0] if m[1] is None else f"\\{m[1]}{{{m[2]}}}") for m in _DELIMITER.finditer(text)]
    starts_of: dict[str, list[int]] = {}  # closer text → indices of its tokens
    for index, (_, _, token) in enumerate(tokens):
        starts_of.setdefault(token, []).append(index)
    spans, index = [], 0
    while index < len(tokens):
        start, end, token = tokens[index]
        closer = _CLOSER.get(token)
        if token.startswith("\\begin"):
            closer = token.replace("\\begin{", "\\end{", 1)
        match = _next_after(starts_of.get(closer, []), index) if closer else None
        if match is not None and tokens[match][1] - start <= MAX_FORMULA_CHARS:
            close_start, close_end, _ = tokens[match]
            if token != "$" or _inline_dollars(text, end, close_start):
                spans.append((start, close_end, token != "$" and token != "\\("))
                index = match + 1
                continue
        index += 1
    return spans


def _next_after(candidates: list[int], index: int) -> int | None:
    """The first of the sorted token indices `candidates` after `index`."""
    position = bisect.bisect_right(candidates, index)
    return candidates[position] if position < len(candidates) else None


def _inline_dollars(text: str, inner_start: int, inner_end: int) -> bool:
    inner = text[inner_start:inner_end]
    if not inner or "\n" in inner or inner[0].isspace() or inner[-1].isspace():
        return False
    # money, not math: "$5 and $10" (an amount, then prose), "$3$0" (the closing `$` opens an amount)
    return not (inner[0].isdigit() and " " in inner) and not text[inner_end + 1 : inner_end + 2].isdigit()


def prose_text(text: str, placeholder: str = "") -> str:
    """`text` without formulas (inline ones replaced by `placeholder`, display ones by a line break),
    formula-only lines, quoted lines and scaffolding lines (see the module docstring)."""
    parts, last = [], 0
    for start, end, display in formula_spans(text):
        parts += [text[last:start], "\n" if display else placeholder]
        last = end
    parts.append(text[last:])
    kept = []
    for line in "".join(parts).split("\n"):
        if _QUOTE.match(line) or (len(line) <= MAX_SCAFFOLD_LINE and _SCAFFOLD.fullmatch(line)):
            continue
        line = _HEADING_MARKS.sub("", line, count=1)
        bare = line.replace(placeholder, " ") if placeholder else line
        if line.strip() and _ONLY_PUNCTUATION.fullmatch(bare):
            continue  # a line of formulas (and the commas or "=" between them)
        kept.append(line)
    return "\n".join(kept)
