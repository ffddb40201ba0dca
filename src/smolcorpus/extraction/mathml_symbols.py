"""Unicode math characters → the TeX an author types, and each character's TeX class.

The table is docutils' `unichar2tex` (generated from Günter Milde's *unimathsymbols*, the data behind LaTeX's
unicode-math: ≈ 800 characters, commands of standard LaTeX, amssymb and amsmath; characters it lacks by the
shortest command `tex2unichar` gives them, e.g. ⤳ `\\leadsto`), with the spellings authors use most where a
character has several (′ → `'`, ∗ → `*`, → → `\\to`, ⟺ → `\\iff`, ℏ → `\\hbar`, ∖ → `\\setminus`, ⊥ → `\\perp`,
… → `\\dots`), invisible operators dropped, and what the table lacks derived from the Unicode names: Greek capitals
that look like Latin ones (Α → A) and the styled letters of the Mathematical Alphanumeric Symbols block
(𝒙 MATHEMATICAL BOLD ITALIC SMALL X → `\\boldsymbol{x}`); an accent standing alone is its command on nothing
(˙ → `\\dot{}`). Classes (relation, binary operator, large operator,
opening and closing fence, punctuation) come from docutils' `tex2unichar`, the same data read the other way.
Accents (`ACCENTS`) are the combining marks of `tex2unichar.mathaccent` and the spacing characters that decompose
to them (¯ = space + U+0304), plus the ASCII and arrow characters MathML writes over a base.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from docutils.utils.math import tex2unichar, unichar2tex

# a spelling per character where authors mostly write another one than the table's (or the table has none)
PREFERRED = {
    "′": "'", "″": "''", "‴": "'''", "∗": "*", "−": "-", "→": r"\to", "∕": "/", "⁄": "/", "∶": ":", "·": r"\cdot",
    "ℏ": r"\hbar", "∖": r"\setminus", "⊥": r"\perp", "⟂": r"\perp", "⊨": r"\models", "…": r"\dots",
    "⟺": r"\iff", "⟹": r"\implies", "△": r"\triangle", "°": r"^\circ", "□": r"\square", "∎": r"\blacksquare",
    "ϒ": r"\Upsilon", "‖": r"\|", "ℼ": r"\pi",
    "\u00a0": " ", "\u2009": r"\,", "\u200a": "", "\u200b": "", "\u2061": "", "\u2062": "", "\u2063": "",
    "\u2064": "", "\ufeff": "",
    "{": r"\{", "}": r"\}", "%": r"\%", "#": r"\#", "&": r"\&", "$": r"\$", "_": r"\_", "\\": r"\backslash",
    "~": r"\sim", "^": r"\hat{}",
}  # fmt: skip
# Greek capitals without a TeX command of their own: TeX sets them as the Latin letter they look like
GREEK_AS_LATIN = {
    "ALPHA": "A", "BETA": "B", "EPSILON": "E", "ZETA": "Z", "ETA": "H", "IOTA": "I", "KAPPA": "K", "MU": "M",
    "NU": "N", "OMICRON": "O", "RHO": "P", "TAU": "T", "CHI": "X",
}  # fmt: skip
# words of a Mathematical Alphanumeric Symbols name → TeX font command (in this order when several apply)
_STYLES = (("DOUBLE-STRUCK", r"\mathbb"), ("FRAKTUR", r"\mathfrak"), ("SCRIPT", r"\mathcal"),
           ("SANS-SERIF", r"\mathsf"), ("MONOSPACE", r"\mathtt"))  # fmt: skip

# TeX class of a character (docutils' tex2unichar tables, read character → class)
_CLASS_TABLES = {"rel": tex2unichar.mathrel, "bin": tex2unichar.mathbin, "op": tex2unichar.mathop,
                 "open": tex2unichar.mathopen, "close": tex2unichar.mathclose}  # fmt: skip
CLASSES = {char: kind for kind, table in _CLASS_TABLES.items() for char in table.values()}
CLASSES.update({"=": "rel", "<": "rel", ">": "rel", ":": "rel", "+": "bin", "-": "bin", "−": "bin", "*": "bin",
                "·": "bin", ",": "punct", ";": "punct", "(": "open", "[": "open", ")": "close", "]": "close",
                "{": "open", "}": "close", "⟨": "open", "⟩": "close"})  # fmt: skip

# accent characters written over (or under) a base → (narrow command, wide command)
_ACCENT_NAMES = {name: char for name, char in tex2unichar.mathaccent.items()}
OVER_ACCENTS = {
    "bar": (r"\bar", r"\overline"), "overline": (r"\bar", r"\overline"), "hat": (r"\hat", r"\widehat"),
    "tilde": (r"\tilde", r"\widetilde"), "vec": (r"\vec", r"\overrightarrow"), "dot": (r"\dot", r"\dot"),
    "ddot": (r"\ddot", r"\ddot"), "dddot": (r"\dddot", r"\dddot"), "check": (r"\check", r"\check"),
    "breve": (r"\breve", r"\breve"), "acute": (r"\acute", r"\acute"), "grave": (r"\grave", r"\grave"),
    "mathring": (r"\mathring", r"\mathring"), "overleftrightarrow": (r"\overleftrightarrow",) * 2,
}  # fmt: skip
ACCENTS = {_ACCENT_NAMES[name]: commands for name, commands in OVER_ACCENTS.items() if name in _ACCENT_NAMES}
ACCENTS.update({
    "^": ACCENTS[_ACCENT_NAMES["hat"]], "ˆ": ACCENTS[_ACCENT_NAMES["hat"]], "~": ACCENTS[_ACCENT_NAMES["tilde"]],
    "ˇ": ACCENTS[_ACCENT_NAMES["check"]], "→": ACCENTS[_ACCENT_NAMES["vec"]], "⟶": ACCENTS[_ACCENT_NAMES["vec"]],
    "―": OVER_ACCENTS["bar"], "_": OVER_ACCENTS["bar"], "-": OVER_ACCENTS["bar"], "−": OVER_ACCENTS["bar"],
    "∼": ACCENTS[_ACCENT_NAMES["tilde"]], "←": (r"\overleftarrow",) * 2, "⃖": (r"\overleftarrow",) * 2,
    "↔": (r"\overleftrightarrow",) * 2, "⏞": (r"\overbrace",) * 2, "︷": (r"\overbrace",) * 2,
    "⌢": (r"\overparen",) * 2, "⏜": (r"\overparen",) * 2, "`": ACCENTS[_ACCENT_NAMES["grave"]],
    "ˉ": OVER_ACCENTS["bar"],
})  # fmt: skip
# spacing accents: the characters whose compatibility decomposition is a space and one of the marks above
for _code in range(0x00A0, 0x3000):
    _parts = unicodedata.decomposition(chr(_code)).split()
    if _parts[:2] == ["<compat>", "0020"] and len(_parts) == 3 and chr(int(_parts[2], 16)) in ACCENTS:
        ACCENTS.setdefault(chr(_code), ACCENTS[chr(int(_parts[2], 16))])
UNDER_ACCENTS = {
    "_": r"\underline", "¯": r"\underline", "‾": r"\underline", "―": r"\underline", "-": r"\underline",
    "−": r"\underline", "\u0332": r"\underline", "\u0331": r"\underline", "⏟": r"\underbrace",
    "︸": r"\underbrace", "→": r"\underrightarrow", "⟶": r"\underrightarrow", "←": r"\underleftarrow",
    "↔": r"\underleftrightarrow",
}  # fmt: skip

# characters the table lacks but tex2unichar names (⤳ \leadsto, ⊶ \origof, …): the shortest name
_FROM_COMMANDS: dict[str, str] = {}
for _table in (
    tex2unichar.mathbin,
    tex2unichar.mathrel,
    tex2unichar.mathop,
    tex2unichar.mathopen,
    tex2unichar.mathclose,
):  # operators and fences (its other tables add symbol fonts: \\Leo, \\sun)
    for _name, _char in sorted(_table.items(), key=lambda item: (len(item[0]), item[0])):
        if re.fullmatch("[A-Za-z]+", _name) and not _char.isascii():
            _FROM_COMMANDS.setdefault(_char, "\\" + _name)

_COMMAND_END = re.compile(r"\\[A-Za-z]+$")


@cache
def char_tex(char: str) -> str:
    """The TeX for one character: a command, a styled letter, or the character itself."""
    if char in PREFERRED:
        return PREFERRED[char]
    tex = unichar2tex.uni2tex_table.get(ord(char)) or _FROM_COMMANDS.get(char)
    if tex is not None:
        return tex.strip()
    name = unicodedata.name(char, "")
    if name.startswith("GREEK CAPITAL LETTER ") and name[21:] in GREEK_AS_LATIN:
        return GREEK_AS_LATIN[name[21:]]
    if name == "GREEK SMALL LETTER OMICRON":
        return "o"
    if name.startswith("MATHEMATICAL "):
        return _styled(name) or char
    if char in ACCENTS and not char.isascii():  # a spacing accent on nothing
        return ACCENTS[char][0] + "{}"
    return char


def _styled(name: str) -> str | None:
    """`\\boldsymbol{x}` for MATHEMATICAL BOLD ITALIC SMALL X, `\\mathcal{A}` for …SCRIPT CAPITAL A, and so on."""
    match = re.fullmatch(r"MATHEMATICAL ((?:[A-Z-]+ )*?)(CAPITAL|SMALL|DIGIT) ([A-Z ]+)", name)
    if not match:
        return None
    style, case, letter = match[1].split(), match[2], match[3]
    if case == "DIGIT":
        base = str(["ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE"].index(letter))
    elif len(letter) == 1:
        base = letter if case == "CAPITAL" else letter.lower()
    else:
        try:
            base = char_tex(unicodedata.lookup(f"GREEK {case} LETTER {letter.removeprefix('FINAL ')}"))
        except KeyError:
            return None
    for word, command in _STYLES:
        if word in style:
            base = command + "{" + base + "}"
            break
    if "BOLD" in style:
        upright_latin = "ITALIC" not in style and len(letter) == 1 and base.isalnum()
        base = (r"\mathbf{" if upright_latin else r"\boldsymbol{") + base + "}"
    return base


def text_tex(text: str) -> str:
    """A token's text with each character as TeX, a space after a command that a letter follows."""
    out = ""
    for char in text:
        tex = char_tex(char)
        if out and _COMMAND_END.search(out) and tex[:1].isalpha():
            out += " "
        out += tex
    return out
