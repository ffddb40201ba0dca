"""Math written in plain HTML, without MathML or TeX: superscripts, subscripts and MediaWiki's inline math.

Extractors flatten `<sup>`/`<sub>` into the text around them, which loses their meaning (`10<sup>6</sup>` → `106`,
`x<sup>2</sup>` → `x2`), and trafilatura garbles a script holding an element: Wikipedia's "Hermitian matrix"
came out as `AA\\nH= AHA` for A A<sup>H</sup> = A<sup>H</sup> A and `*H* ij =\\n\\n*H*` for H<sub><i>ij</i></sub>.
`write_inline_math(tree)` and `write_scripts(tree)` rewrite them before extraction:

- MediaWiki's inline math (`span.texhtml`: the `{{math}}` and `{{mvar}}` templates) is math by its author's
  word: it becomes a formula, `$AA^{H} = A^{H}A$`, `$H_{ij}$` (kind `html_math`), with italics dropped, overlines
  as `\\overline{…}` and bold as `\\mathbf{…}`.
- Any other superscript or subscript becomes `^` / `_` notation in the text (`10^6`, `km^2`, `x_{i}`, braces
  when it is longer than one character), except where plain text is the convention and the meaning survives
  flattening: footnote markers and other links (`[1]`, `*`, `†`, a letter after a word), ordinals (`19th`,
  `1er`), trademark signs, and chemical formulas (digits or `x` after an element symbol: `H2O`, `SnO2`, `SiNx`).
  Such text is no formula (no `$`), so no math is invented on pages without any.

Pure functions over lxml trees: `write_inline_math` runs before `math_markup.rewrite_math` (which counts its
formulas with the page's others), `write_scripts` after it (plain-text math in a math-named element stays plain
text, not TeX to be delimited); scripts inside formulas, MathML, code and pre are left alone.
"""

from __future__ import annotations

import re

from lxml import etree

from smolcorpus.extraction.math_markup import FORMULA_MARK

KIND = "html_math"
# ordinal suffixes written as superscripts: 1st 2nd 3rd 4th, 1er 2e 3ème, 1º 1ª, Mme Mlle
ORDINALS = frozenset({"st", "nd", "rd", "th", "er", "re", "e", "ème", "eme", "è", "o", "a", "os", "as", "º", "ª",
                      "me", "mme", "lle", "r", "d", "te", "de"})  # fmt: skip
# text of superscripts that are marks, not exponents: footnote markers, trademark and copyright signs
MARKS = re.compile(r"\[[^\]]*\]|[*†‡§¶#]+|®|™|℠|©|TM|SM|Â®", re.IGNORECASE)
# a letter as a superscript is an exponent after a number, a bracket or a one-letter name (`2^n`, `(AB)^T`, `A^H`),
# and a footnote marker after a word (`Value<sup>a</sup>`)
EXPONENT_BASE = re.compile(r"(?:[\d)}]|\b[A-Za-z])$")
SCRIPT_WORDS = 2  # words (of three letters or more) a script holds at most; more is small print (a caption)
_WORD = re.compile(r"[^\W\d_]{3,}")
# the end of an element symbol, the base of a chemical formula's subscript count (H2O, SnO2, Ca(OH)2, SiNx)
CHEMICAL_BASE = re.compile(r"(?:[A-Z][a-z]?|\))$")
CHEMICAL_COUNT = re.compile(r"\d+|x|n|[+-]|\d*[+-]")
OUTSIDE = "not(ancestor::script or ancestor::style or ancestor::code or ancestor::pre or ancestor::math)"


def write_inline_math(tree) -> None:
    """MediaWiki's inline math (`span.texhtml`) as formulas (kind `html_math`), before `rewrite_math`, which counts
    them with the page's other formulas."""
    for span in tree.xpath(f"//span[contains(concat(' ', normalize-space(@class), ' '), ' texhtml ')][{OUTSIDE}]"):
        if span.xpath(f"ancestor::*[@{FORMULA_MARK}]") or span.getparent() is None:
            continue
        tex = " ".join(_tex(span).split())
        if not tex:
            continue
        formula = etree.Element("span", {FORMULA_MARK: KIND})
        formula.text = f"${tex}$"
        formula.tail = span.tail
        span.getparent().replace(span, formula)


def write_scripts(tree) -> None:
    """Every other superscript and subscript as `^` / `_` notation, or left as it is (module docstring); after
    `rewrite_math`, so that formulas (and math-named elements holding plain-text math) are judged on the page as
    written."""
    # innermost first, so that a script inside a script is notation by the time the outer one is read
    for script in reversed(tree.xpath(f"//sup[{OUTSIDE}] | //sub[{OUTSIDE}]")):
        if script.getparent() is None or script.xpath(f"ancestor-or-self::*[@{FORMULA_MARK}]"):
            continue
        notation = _notation(script)
        if notation is not None:
            _replace_with_text(script, notation)


def _tex(element) -> str:
    """TeX of MediaWiki's HTML math: the text, `_{…}`/`^{…}` for scripts, `\\overline`, `\\mathbf`."""
    parts = [_escape(element.text or "")]
    for child in element:
        if isinstance(child.tag, str):
            tag = child.tag.lower()
            inner = _tex(child)
            if tag in ("sub", "sup"):
                parts.append(("_" if tag == "sub" else "^") + _group(inner.strip()))
            elif "overline" in (child.get("style") or "").replace(" ", ""):
                parts.append(r"\overline{" + inner + "}")
            elif tag in ("b", "strong"):
                parts.append(r"\mathbf{" + inner + "}")
            else:
                parts.append(inner)
        parts.append(_escape(child.tail or ""))
    return "".join(parts)


def _escape(text: str) -> str:
    """Text as TeX: the characters TeX reads as commands or groups written as themselves; a non-breaking space is a
    space."""
    return re.sub(r"([{}%#&$])", r"\\\1", text.replace("\xa0", " ")).replace("_", r"\_")


def _group(text: str) -> str:
    return text if len(text) == 1 else "{" + text + "}"


def _notation(script) -> str | None:
    """`^x` / `_{xy}` for a superscript or subscript, or None to leave it as it is: a mark, a citation's page
    (`:p. 7`), an ordinal, a link, a chemical count, small print (`SCRIPT_WORDS`), an empty one."""
    text = " ".join(script.text_content().split())
    if not text or MARKS.fullmatch(text) or text.startswith(":") or script.xpath(".//a | .//img"):
        return None
    if "reference" in (script.get("class") or "") or len(_WORD.findall(text)) > SCRIPT_WORDS:
        return None
    before = _text_before(script)
    if script.tag.lower() == "sup":
        if text.lower() in ORDINALS and re.search(r"(?:\d|\bM|\bMl)$", before):
            return None
        if re.fullmatch(r"\(?[A-Za-z]\)?", text) and not EXPONENT_BASE.search(before):
            return None
        return "^" + _group(text)
    if CHEMICAL_COUNT.fullmatch(text) and CHEMICAL_BASE.search(before):
        return None
    return "_" + _group(text)


def _text_before(element) -> str:
    """The text just before the element in its parent (the previous sibling's tail, or the parent's text)."""
    previous = element.getprevious()
    if previous is not None:
        return previous.tail or ("".join(previous.itertext()) if previous.tail is None else "")
    parent = element.getparent()
    return (parent.text or "") if parent is not None else ""


def _replace_with_text(element, text: str) -> None:
    """Put `text` (and the element's tail) where the element was."""
    parent = element.getparent()
    joined = text + (element.tail or "")
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + joined
    else:
        parent.text = (parent.text or "") + joined
    parent.remove(element)
