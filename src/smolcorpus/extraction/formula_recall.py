"""How much of a page's math survived extraction: the measure behind the extraction benchmark and tests.

A formula is *kept exactly* when its TeX, with whitespace removed, appears in the extracted text with whitespace
removed. It is *kept notation-insensitively* when the same holds after `notation_key` on both sides, which forgives
differences that do not change the mathematics a reader sees:

- style and sizing commands: `\\displaystyle`, `\\textstyle`, `\\left`, `\\right`, `\\big…`, `\\Big…`;
- spacing commands: `\\,` `\\;` `\\:` `\\!` `\\ ` `~`, `\\quad`, `\\qquad`;
- grouping braces `{` `}` (so `{\\displaystyle x}` = `x`, `x^{2}` = `x^2`);
- spellings of one symbol: `\\le`/`\\leq`, `\\ge`/`\\geq`, `\\ne`/`\\neq`, `\\to`/`\\rightarrow`,
  `\\gets`/`\\leftarrow`, `\\lbrace`/`\\{`, `\\vert`/`|`, `\\land`/`\\wedge`, `\\lor`/`\\vee`, `\\lnot`/`\\neg`;
- HTML entities and Unicode minus / non-breaking spaces.

Markdown escaping (`\\_`, `\\*`) is *not* forgiven: an escaped formula is a broken formula.

`formula_inventory(page)` lists the TeX a page carries in its source, independently of the extractor (used for
pages without a curated formula list, such as the MathJax and Distill pages of `benchmarks/extraction`).
"""

from __future__ import annotations

import html as html_lib
import re

import lxml.html

_STYLE = re.compile(r"\\(?:displaystyle|textstyle|scriptstyle|left|right|[Bb]igg?[lr]?|middle)(?![A-Za-z])")
_SPACING = re.compile(r"\\(?:[,;:! ]|q?quad(?![A-Za-z]))|~")
_SYNONYMS = {
    r"\leq": r"\le", r"\geq": r"\ge", r"\neq": r"\ne", r"\rightarrow": r"\to", r"\leftarrow": r"\gets",
    r"\lbrace": r"\{", r"\rbrace": r"\}", r"\vert": "|", r"\land": r"\wedge", r"\lor": r"\vee",
    r"\lnot": r"\neg", r"\dfrac": r"\frac", r"\tfrac": r"\frac",
}  # fmt: skip
_COMMAND = re.compile(r"\\[A-Za-z]+")
_WHITESPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """`text` without whitespace."""
    return _WHITESPACE.sub("", text)


def notation_key(tex: str) -> str:
    """`tex` with the notation differences listed in the module docstring removed (whitespace too)."""
    tex = html_lib.unescape(tex).replace("\u2212", "-").replace("\u00a0", " ")
    # a line break `\\` is not `\` + a spacing command; `\\mapsto` is `\ ` + `\mapsto` whose space was lost
    # (formula lists joined from one formula a line)
    tex = re.sub(r"(?<!\\)\\\\(?=[A-Za-z]{2})", r"\\", " ".join(tex.split()))
    tex = tex.replace("\\\\", "\x00")
    tex = _STYLE.sub("", tex)
    tex = _SPACING.sub("", tex).replace("\x00", "\\\\")
    tex = _COMMAND.sub(lambda m: _SYNONYMS.get(m[0], m[0]) + " ", tex)
    tex = tex.replace("{", "").replace("}", "")
    return squash(tex)


def kept(formulas: list[str], text: str) -> tuple[int, int]:
    """(kept exactly, kept notation-insensitively) counts of `formulas` in the extracted `text`."""
    exact_text, loose_text = squash(text), notation_key(text)
    exact = sum(squash(f) in exact_text for f in formulas)
    loose = sum(notation_key(f) in loose_text for f in formulas)
    return exact, loose


# --- a page's own TeX, for pages without a curated formula list -------------------------------------------------

_TEXT_TEX = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]|\$\$(.+?)\$\$", re.DOTALL)
_NOT_FORMULAS = {"", r"\begingroup", r"\endgroup"}


def _hidden(element) -> bool:
    """Inside an element the reader never sees (Distill's hidden formula cache); math libraries' own hidden
    source copies (Wikipedia's `mwe-math-mathml` span) do not count as hidden."""
    for node in (element, *element.iterancestors()):
        if "math" in (node.get("class") or "").lower():
            return False
        style = (node.get("style") or "").replace(" ", "").lower()
        if "display:none" in style or node.get("hidden") is not None or node.tag in ("template", "noscript"):
            return True
    return False


def formula_inventory(page: bytes) -> list[str]:
    """The TeX of every visible formula whose source is TeX: MathJax `math/tex` scripts, TeX annotations of
    MathML/KaTeX (Wikipedia's `{\\displaystyle …}` unwrapped), Distill `d-math`/`dt-math`, and `\\(..\\)`,
    `\\[..\\]`, `$$..$$` in visible text; runs of whitespace become one space."""
    tree = lxml.html.document_fromstring(page, parser=lxml.html.HTMLParser(encoding="utf-8"))
    formulas = []
    for script in tree.xpath("//script[starts-with(@type, 'math/tex')]"):
        formulas.append(script.text or "")
    for annotation in tree.xpath("//*[local-name()='annotation'][contains(@encoding, 'tex')]"):
        if not _hidden(annotation):
            tex = annotation.text or ""
            match = re.fullmatch(r"\s*\{\\displaystyle\s*(.*)\}\s*", tex, re.DOTALL)
            formulas.append(match[1] if match else tex)
    for element in tree.xpath("//*[local-name()='d-math' or local-name()='dt-math']"):
        if not _hidden(element):
            formulas.append("".join(element.itertext()))
    for element in tree.xpath("//body//*[not(self::script or self::style)]"):
        for text in (element.text, element.tail):
            if text and not _hidden(element):
                formulas += [next(g for g in m.groups() if g is not None) for m in _TEXT_TEX.finditer(text)]
    formulas = (" ".join(html_lib.unescape(f).split()) for f in formulas)
    return [f for f in formulas if f not in _NOT_FORMULAS]
