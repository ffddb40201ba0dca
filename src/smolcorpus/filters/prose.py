"""The prose of an extracted math page: its text without formulas, quoted replies and exercise scaffolding.

Rules written for web prose (Gopher's word and symbol ratios, its repetition statistics, fastText language ID)
misread math pages: a TeX formula is a run of short symbol "words" and long command "words", the same formula or
the same "Solution" heading recurs on every exercise, and a forum reply quotes the post it answers. Those rules
are run on `prose_text(text)` instead, which removes:

- formulas written as TeX with delimiters (`$…$`, `$$…$$`, `\\(…\\)`, `\\[…\\]`, math environments), the form every
  formula of an extracted page takes, found as every formula count finds them (`formula_count.tex_spans`: money
  such as `$5 and $10` is no formula); an inline formula becomes `placeholder` (default: nothing), a display
  formula a line break;
- lines that hold nothing but formulas and punctuation once the formulas are gone;
- quoted lines (Markdown `>`), the copy of an earlier post inside a reply;
- scaffolding lines: a lone label such as `Solution`, `**Answer:**`, `Example 3.2`, `Exercise 4 (a)`, `Proof.`;
- the `#` marks of Markdown headings (syntax of the extraction, not symbols of the page).

Linear in the text: `tex_spans` pairs delimiters in one pass, and the line patterns run on short lines only, so a
page of unclosed delimiters costs what any page of its size costs.
"""

from __future__ import annotations

import re

from smolcorpus.extraction.formula_count import tex_spans

MAX_SCAFFOLD_LINE = 80  # a label is short; longer lines are never matched (and cost nothing)

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


def prose_text(text: str, placeholder: str = "") -> str:
    """`text` without formulas (inline ones replaced by `placeholder`, display ones by a line break),
    formula-only lines, quoted lines and scaffolding lines (see the module docstring)."""
    parts, last = [], 0
    for start, end in tex_spans(text):  # the formulas as every count sees them (formula_count.py)
        display = text.startswith(("$$", "\\[", "\\begin"), start)
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
