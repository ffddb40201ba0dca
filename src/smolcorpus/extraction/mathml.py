"""Presentation MathML → the LaTeX an author would have written, for `<math>` elements that carry neither a TeX
annotation nor an `alttext`. General rules by MathML construct and character class, never by page or site:

- tokens: each character as its TeX command (`mathml_symbols.py`: `∑` → `\\sum`, `α` → `\\alpha`, `ℝ` →
  `\\mathbb{R}`, `′` → `'`); `mathvariant` as a font command (`\\mathbf`, `\\mathbb`, `\\mathcal`, `\\boldsymbol`
  for bold Greek, `\\mathrm` for an upright Latin letter); TeX's operator names as commands (`\\sin`), another
  name applied to an argument (U+2061 follows) as `\\operatorname{tr}`, other words `\\mathrm{…}`; `mtext` as
  `\\text{…}`; `mspace` by its width (`\\,` `\\:` `\\;` `\\quad` `\\qquad` `\\!`);
- rows: spaces around relations, binary operators and large operators, none elsewhere (`x^{-1}`, `2a`, `f(x)`),
  a space where a command meets a letter (`\\times x`); fences around a table as the environment that draws them
  (pmatrix, bmatrix, Bmatrix, vmatrix, Vmatrix, cases); parentheses around a zero-thickness fraction as `\\binom`;
  `\\left`/`\\right` only around tall content (fractions, large operators, tables); paired `‖` as `\\lVert`/`\\rVert`;
- scripts: bare on large operators and limits (`\\sum_{i=1}^{n}`, `\\lim_{x \\to 0}`), braces only where TeX
  needs them, primes as `'`; under/over scripts: accents as `\\hat`/`\\widehat`, `\\bar`/`\\overline`,
  `\\tilde`/`\\widetilde`, `\\vec`/`\\overrightarrow` (narrow on one symbol or when the accent does not stretch),
  `\\dot`, `\\ddot`, `\\underline`, `\\overbrace`/`\\underbrace`, an arrow with a label as `\\xrightarrow`, any
  other `\\overset`/`\\underset`;
- fractions (a zero line without parentheses: `\\genfrac`, or `\\substack` under a large operator), roots, `mfenced`,
  `menclose` (`\\sqrt`, `\\boxed`, `\\cancel`), `mmultiscripts` (`{}_{a}^{b}X`), `maction` (its shown child);
  tables as matrix environments, `aligned` (columns aligned right, left, …), `array` with its column alignment.

Unknown elements contribute their children.
"""

from __future__ import annotations

import re
from functools import cache

from smolcorpus.extraction.mathml_symbols import ACCENTS, CLASSES, UNDER_ACCENTS, char_tex, text_tex

# names TeX writes as operators (\sin x, not the product s·i·n·x); those in LIMITS take scripts below in display
FUNCTIONS = frozenset({"sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth", "arcsin",
                       "arccos", "arctan", "log", "ln", "lg", "exp", "lim", "limsup", "liminf", "max", "min",
                       "sup", "inf", "det", "dim", "ker", "deg", "gcd", "arg", "hom", "Pr"})  # fmt: skip
LIMITS = frozenset({"lim", "limsup", "liminf", "max", "min", "sup", "inf", "det", "gcd", "Pr"})
BIG_OPERATORS = frozenset({char_tex(char) for char, kind in CLASSES.items() if kind == "op"})
# fences around a table → the matrix environment that draws them ("" = nothing: `{` alone opens cases)
MATRICES = {("(", ")"): "pmatrix", ("[", "]"): "bmatrix", ("{", "}"): "Bmatrix", ("|", "|"): "vmatrix",
            ("‖", "‖"): "Vmatrix", ("∥", "∥"): "Vmatrix", ("{", ""): "cases"}  # fmt: skip
FENCES = {"{": r"\{", "}": r"\}", "⟨": r"\langle", "⟩": r"\rangle", "‖": r"\|", "〈": r"\langle", "〉": r"\rangle",
          "⌊": r"\lfloor", "⌋": r"\rfloor", "⌈": r"\lceil", "⌉": r"\rceil"}  # fmt: skip
OPENING = {"(": ")", "[": "]", "{": "}", "⟨": "⟩", "〈": "〉", "⌊": "⌋", "⌈": "⌉", "|": "|", "‖": "‖"}
# a labelled arrow: the arrow (an `mo` under/over which a label stands) → the extensible arrow command
ARROWS = {"→": r"\xrightarrow", "⟶": r"\xrightarrow", "←": r"\xleftarrow", "⟵": r"\xleftarrow"}
# the word of a mathvariant → TeX font command (the alphabet part; bold, italic, normal are handled apart)
ALPHABETS = {"double-struck": r"\mathbb", "script": r"\mathcal", "fraktur": r"\mathfrak", "sans-serif": r"\mathsf",
             "monospace": r"\mathtt"}  # fmt: skip
# mathvariant of an `mtext` → text font command
TEXT_FONTS = {"bold": r"\textbf", "italic": r"\textit", "sans-serif": r"\textsf", "monospace": r"\texttt"}
# MathML's named spaces, in em
NAMED_SPACES = {"veryverythinmathspace": 1 / 18, "verythinmathspace": 2 / 18, "thinmathspace": 3 / 18,
                "mediummathspace": 4 / 18, "thickmathspace": 5 / 18, "verythickmathspace": 6 / 18,
                "veryverythickmathspace": 7 / 18}  # fmt: skip
UNITS = {"em": 1.0, "ex": 0.43, "px": 1 / 16, "pt": 0.1, "mu": 1 / 18, "mm": 0.284, "cm": 2.84, "in": 7.2, "": 1.0}
CONTENT_MATHML = frozenset({"apply", "ci", "cn", "csymbol", "bind", "share", "cerror", "cs", "cbytes"})
# a row that TeX sets taller than a line: its fences grow (\left( … \right))
_TALL = re.compile(r"\\(?:frac|dfrac|sum|prod|int|iint|iiint|oint|bigcup|bigcap|begin|binom|genfrac|substack)\b")
# one character, one command with its arguments (\mathbf{x}, \sqrt[3]{x}), or a number
_ATOM = re.compile(
    r"\\[A-Za-z]+\*?(?:\[[^\[\]]*\])?(?:\{(?:[^{}]|\{[^{}]*\})*\})*|\\.|[^\\{}^_\s]|[0-9]+(?:\.[0-9]+)?"
)
_TRIM = re.compile(r"^\s+|(?<!\\)\s+$")
_COMMAND_END = re.compile(r"\\[A-Za-z]+$")
_SCRIPT_END = re.compile(r"[_^](?:[A-Za-z0-9]|\\[A-Za-z]+)$")
_SPACING = r"(?:\\[ ,:;!]|\\q?quad(?![A-Za-z])|\s)"


def local_name(element) -> str:
    """The element's tag without namespace (`{uri}mi`) or prefix (`m:mi`, which HTML parsers keep), lower case;
    "" for comments and processing instructions."""
    tag = element.tag
    return _local_name(tag) if isinstance(tag, str) else ""


@cache
def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2].rpartition(":")[2].lower()


def token_tex(text: str) -> str:
    """A token's text with Unicode symbols replaced by TeX commands (a space keeps `\\alpha x` apart)."""
    return text_tex(text.strip())


def group(tex: str) -> str:
    """`tex` as one script or argument: bare when it is a single character or a command without argument, else in
    braces (`x^2`, `x^\\alpha`, `x^{10}`, `x^{\\mathsf{H}}`, `\\lambda_{\\max}`: an operator name is a macro of several
    tokens)."""
    tex = _trim(tex)
    bare = re.fullmatch(r"\\[A-Za-z]+|\\.|[^\\{}^_\s]", tex) and tex.lstrip("\\") not in FUNCTIONS
    return tex if bare else "{" + tex + "}"


def mathml_to_tex(element) -> str:
    """LaTeX for a presentation MathML element (usually `<math>`)."""
    tex = _Converter(element).convert(element)
    tex = re.sub(r"(?<!\\)\s+", " ", tex)
    tex = re.sub(rf"^{_SPACING}+|(?<!\\){_SPACING}+$", "", tex)
    return tex if tex.strip() else " "


def _children(element) -> list:
    return [child for child in element if local_name(child)]


def _text(element) -> str:
    return "".join(element.itertext()).strip()


def _unwrap(element):
    """The element itself, or what a row or style of one child holds (`<mrow><mo>∑</mo></mrow>` → the `mo`)."""
    while local_name(element) in ("mrow", "mstyle", "mpadded"):
        children = _children(element)
        if len(children) != 1:
            break
        element = children[0]
    return element


def _is_token(element, *names: str) -> bool:
    return local_name(element) in (names or ("mo", "mi", "mn", "mtext"))


def _zero_line(element) -> bool:
    """An `mfrac` drawn without a line (`linethickness` 0, 0px, 0pt, 0em): a binomial or a stack."""
    if local_name(element) != "mfrac":
        return False
    match = re.match(r"\s*([0-9]*\.?[0-9]+)", element.get("linethickness") or "")
    return bool(match) and float(match[1]) == 0


def _space_tex(width: str) -> str:
    """The TeX spacing command nearest to a MathML width ("0.167em", "thickmathspace", "-0.1667em", "1em")."""
    width = (width or "").strip().lower()
    negative = width.startswith("negative")
    if width.removeprefix("negative") in NAMED_SPACES:
        em = NAMED_SPACES[width.removeprefix("negative")] * (-1 if negative else 1)
    else:
        match = re.fullmatch(r"(-?[0-9]*\.?[0-9]+)\s*([a-z]*)", width)
        if not match or match[2] not in UNITS:
            return ""
        em = float(match[1]) * UNITS[match[2]]
    if em <= -0.1:
        return r"\!"
    for limit, command in ((0.1, ""), (0.19, r"\,"), (0.25, r"\:"), (0.31, r"\;"), (0.7, r"\ "), (1.5, r"\quad")):
        if em < limit:
            return command
    return r"\qquad"


def _is_atom(tex: str) -> bool:
    """Whether `tex` takes a script without braces: one character or command (with its brace arguments), a number,
    or one group in parentheses or brackets."""
    tex = tex.strip()
    if _ATOM.fullmatch(tex):
        return _balanced(tex)
    if tex[:1] in "([" and tex[-1:] == {"(": ")", "[": "]"}[tex[0]]:
        depth = 0
        for index, char in enumerate(tex):
            depth += (char == tex[0]) - (char == tex[-1])
            if depth == 0 and index < len(tex) - 1:
                return False
        return depth == 0 and _balanced(tex)
    return False


def _balanced(tex: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", tex):
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


class _Converter:
    def __init__(self, math) -> None:
        # ‖ … ‖ in pairs: the first of each pair opens a norm (\lVert), the second closes it (\rVert)
        # (the list keeps lxml's element proxies, whose ids the table holds, alive)
        norms = [mo for mo in math.iter() if "‖" in (mo.text or "") and local_name(mo) == "mo" and _text(mo) == "‖"]
        self.norms = norms
        self.norm_sides = {}
        if len(norms) % 2 == 0:
            self.norm_sides = {id(mo): r"\lVert" if index % 2 == 0 else r"\rVert" for index, mo in enumerate(norms)}
        self.in_operator_script = 0  # > 0 while converting the limits of a large operator
        self.in_script = 0  # > 0 inside a script, which authors write without spaces (\sum_{i=1}^{n})

    # --- dispatch -------------------------------------------------------------------------------------------

    def convert(self, element) -> str:
        name = local_name(element)
        if name in _HANDLERS:
            return getattr(self, _HANDLERS[name])(element)
        if name in ("annotation", "annotation-xml", "none", "mprescripts", "mphantom", "maligngroup", "malignmark"):
            return ""
        return self._row(_children(element))

    # --- tokens ---------------------------------------------------------------------------------------------

    def _mi(self, element) -> str:
        text = _text(element)
        variant = (element.get("mathvariant") or "").lower()
        if re.fullmatch(r"[A-Za-z]{2,}", text):
            if text in FUNCTIONS:
                return "\\" + text
            following = element.getnext()
            while following is not None and not local_name(following):
                following = following.getnext()
            if following is not None and local_name(following) == "mo" and _text(following) == "\u2061":
                return r"\operatorname{" + text + "}"
            return _styled(text, variant or "normal", word=True)
        return _styled(text, variant, word=False)

    def _mn(self, element) -> str:
        return _styled(_text(element), (element.get("mathvariant") or "").lower(), word=True)

    def _mo(self, element) -> str:
        text = _text(element)
        if text in FUNCTIONS:
            return "\\" + text
        if text == "mod":
            return r"\bmod"
        if re.fullmatch(r"[A-Za-z]{2,}", text):
            return r"\operatorname{" + text + "}"
        if id(element) in self.norm_sides:
            return self.norm_sides[id(element)]
        return token_tex(text)

    def _mtext(self, element) -> str:
        # MathML trims and collapses ASCII whitespace in tokens; other spaces (no-break: `\text{ if }`) count
        raw = re.sub(r"[ \t\n\r]+", " ", "".join(element.itertext())).strip(" ")
        if not raw.strip():
            return r"\quad" if re.search("[\u2001\u2003]", raw) else (r"\ " if raw else "")
        if not re.search(r"[^\W\d_]", raw):  # no letters: punctuation, digits, symbols are math
            return token_tex(raw)
        text = re.sub(r"\s+", " ", raw.replace("\u00a0", " "))
        text = re.sub(r"[\\{}%#&$_^~]", lambda m: _TEXT_ESCAPES[m[0]], text)
        variant = (element.get("mathvariant") or "").lower()
        command = next((command for key, command in TEXT_FONTS.items() if key in variant), r"\text")
        return command + "{" + text + "}"

    def _ms(self, element) -> str:
        text = re.sub(r"[\\{}%#&$_^~]", lambda m: _TEXT_ESCAPES[m[0]], _text(element))
        return r"\text{``" + text + "''}"

    def _mspace(self, element) -> str:
        if element.get("linebreak") in ("newline", "indentingnewline"):
            return r" \\ "
        return _space_tex(element.get("width") or "")

    def _mglyph(self, element) -> str:
        return token_tex(element.get("alt") or "")

    # --- layout ---------------------------------------------------------------------------------------------

    def _semantics(self, element) -> str:
        children = _children(element)
        if children and local_name(children[0]) in CONTENT_MATHML:
            for child in children[1:]:
                if local_name(child) == "annotation-xml" and "presentation" in (child.get("encoding") or "").lower():
                    return self._row(_children(child))
        return self.convert(children[0]) if children else ""

    def _maction(self, element) -> str:
        children = _children(element)
        try:
            shown = children[int(element.get("selection") or 1) - 1]
        except (ValueError, IndexError):
            shown = children[0] if children else None
        return self.convert(shown) if shown is not None else ""

    def _mfrac(self, element) -> str:
        children = _children(element)
        if len(children) != 2:
            return self._row(children)
        numerator, denominator = (_trim(self.convert(child)) for child in children)
        if _zero_line(element):
            if self.in_operator_script:
                return r"\substack{" + numerator + r" \\ " + denominator + "}"
            return r"\genfrac{}{}{0pt}{}{" + numerator + "}{" + denominator + "}"
        return r"\frac{" + numerator + "}{" + denominator + "}"

    def _msqrt(self, element) -> str:
        return r"\sqrt{" + _trim(self._row(_children(element))) + "}"

    def _mroot(self, element) -> str:
        children = _children(element)
        if len(children) != 2:
            return self._msqrt(element)
        return r"\sqrt[" + _trim(self.convert(children[1])) + "]{" + _trim(self.convert(children[0])) + "}"

    def _menclose(self, element) -> str:
        notation = (element.get("notation") or "longdiv").split()
        inside = _trim(self._row(_children(element)))
        if "radical" in notation:
            return r"\sqrt{" + inside + "}"
        if "box" in notation or "roundedbox" in notation:
            return r"\boxed{" + inside + "}"
        if any(strike in notation for strike in ("updiagonalstrike", "downdiagonalstrike", "horizontalstrike")):
            return r"\cancel{" + inside + "}"
        if notation == ["top"]:
            return r"\overline{" + inside + "}"
        if notation == ["bottom"]:
            return r"\underline{" + inside + "}"
        return inside

    def _mfenced(self, element) -> str:
        opening, closing = element.get("open", "("), element.get("close", ")")
        children = _children(element)
        if len(children) == 1:
            inner = _unwrap(children[0])
            if local_name(inner) == "mtable" and (opening.strip(), closing.strip()) in MATRICES:
                return self._mtable(inner, MATRICES[opening.strip(), closing.strip()])
            if _zero_line(inner) and (opening, closing) == ("(", ")"):
                return self._binom(inner)
        separators = "".join((element.get("separators", ",") or "").split())
        parts = []
        for index, child in enumerate(children):
            if index and separators:
                parts.append(separators[min(index - 1, len(separators) - 1)] + " ")
            parts.append(_trim(self.convert(child)))
        return _fence(opening, closing, "".join(parts))

    def _mtable(self, element, environment: str | None = None) -> str:
        rows = []
        for row in _children(element):
            cells = _children(row) if local_name(row) in ("mtr", "mlabeledtr") else [row]
            if local_name(row) == "mlabeledtr":
                cells = cells[1:]
            rows.append(" & ".join(_trim(self.convert(cell)) for cell in cells))
        columns = max((len(_children(row)) for row in _children(element)), default=1)
        if environment is None and self.in_operator_script and columns == 1:
            return r"\substack{" + r" \\ ".join(rows) + "}"
        spec = ""
        if environment is None:
            aligns = (element.get("columnalign") or "").split()
            if len(aligns) >= 2 and all(a == ("right" if i % 2 == 0 else "left") for i, a in enumerate(aligns)):
                environment = "aligned"
            elif any(align != "center" for align in aligns):
                environment = "array"
                aligns += [aligns[-1]] * (columns - len(aligns))
                spec = "{" + "".join(align[0] for align in aligns[:columns]) + "}"
            else:
                environment = "matrix"
        return rf"\begin{{{environment}}}{spec}" + r" \\ ".join(rows) + rf"\end{{{environment}}}"

    def _binom(self, fraction) -> str:
        top, bottom = (_trim(self.convert(child)) for child in _children(fraction))
        return r"\binom{" + top + "}{" + bottom + "}"

    # --- scripts --------------------------------------------------------------------------------------------

    def _base(self, element) -> tuple[str, bool]:
        """(TeX of a script base, whether it takes limits: a large operator or TeX's lim, max, …)."""
        inner = _unwrap(element)
        tex = _trim(self.convert(element))
        takes_limits = (
            tex in BIG_OPERATORS
            or tex.lstrip("\\") in LIMITS
            or (local_name(inner) == "mo" and inner.get("movablelimits") == "true")
            or tex.startswith((r"\overbrace", r"\underbrace"))
        )
        if not tex:
            return "{}", takes_limits
        return (tex if takes_limits or _is_atom(tex) else "{" + tex + "}"), takes_limits

    def _script(self, element, operator: bool) -> str:
        """A script's TeX (not yet grouped); the limits of a large operator stack rows (`\\substack`)."""
        self.in_operator_script += operator
        self.in_script += 1
        try:
            return _trim(self.convert(element))
        finally:
            self.in_operator_script -= operator
            self.in_script -= 1

    def _msub(self, element) -> str:
        return self._scripts(element, sub=1, sup=None)

    def _msup(self, element) -> str:
        return self._scripts(element, sub=None, sup=1)

    def _msubsup(self, element) -> str:
        return self._scripts(element, sub=1, sup=2)

    def _scripts(self, element, sub: int | None, sup: int | None) -> str:
        children = _children(element)
        if len(children) != 1 + (sub is not None) + (sup is not None):
            return self._row(children)
        base, operator = self._base(children[0])
        primes = _text(children[sup]) if sup is not None else ""
        if primes and all(char in "′″‴'" for char in primes):  # f', r'_{t+1}
            base += "".join(char_tex(char) for char in primes)
            sup = None
        if sub is not None:
            base += "_" + group(self._script(children[sub], operator))
        if sup is not None:
            base += "^" + group(self._script(children[sup], operator))
        return base

    def _mover(self, element) -> str:
        return self._underover(element, under=None, over=1)

    def _munder(self, element) -> str:
        return self._underover(element, under=1, over=None)

    def _munderover(self, element) -> str:
        return self._underover(element, under=1, over=2)

    def _underover(self, element, under: int | None, over: int | None) -> str:
        children = _children(element)
        if len(children) != 1 + (under is not None) + (over is not None):
            return self._row(children)
        marks = {}  # script index → (accent element, its commands)
        for index, table in ((over, ACCENTS), (under, UNDER_ACCENTS)):
            script = _unwrap(children[index]) if index is not None else None
            if script is not None and _is_token(script) and _text(script) in table:
                marks[index] = (script, table[_text(script)])
        if marks:  # \hat{x}, \underbrace{a+b}, and a script beside an accent as \underset / \overset
            tex = _trim(self.convert(children[0]))
            for index, command in ((under, r"\underset"), (over, r"\overset")):
                if index in marks:
                    tex = self._accent(element, tex, *marks[index])
                elif index is not None:
                    tex = command + "{" + self._script(children[index], False) + "}{" + tex + "}"
            return tex
        base, operator = self._base(children[0])
        word = _unwrap(children[0])
        if _is_token(word, "mo", "mi") and re.fullmatch(r"[A-Za-z]{2,}", _text(word)) and not operator:
            base, operator = r"\operatorname*{" + _text(word) + "}", True  # argmax under a limit
        below = self._script(children[under], operator) if under is not None else None
        above = self._script(children[over], operator) if over is not None else None
        if operator:
            return base + ("_" + group(below) if below else "") + ("^" + group(above) if above else "")
        arrow = ARROWS.get(_text(children[0]))
        if arrow and local_name(_unwrap(children[0])) == "mo":
            return arrow + ("[" + below + "]" if below else "") + "{" + (above or "") + "}"
        base = _trim(self.convert(children[0]))
        if below is not None:
            base = r"\underset{" + below + "}{" + base + "}"
        if above is not None:
            base = r"\overset{" + above + "}{" + base + "}"
        return base

    def _accent(self, element, base: str, mark, commands) -> str:
        """`base` under (or over) an accent: the narrow command when the accent does not stretch or stands on
        one symbol (`\\hat{x}`), the wide one when it stretches or spans more (`\\widehat{xy}`, `\\overline`)."""
        if isinstance(commands, str):
            return commands + "{" + base + "}"
        narrow, wide = commands
        stretchy = mark.get("stretchy")
        if stretchy == "false":
            command = narrow
        elif stretchy == "true" or "false" in (mark.get("accent"), element.get("accent")):
            command = wide
        else:
            command = narrow if re.fullmatch(r"\\[A-Za-z]+(?:\{\\?[A-Za-z0-9]\})?|\\.|.", base) else wide
        return command + "{" + base + "}"

    def _mmultiscripts(self, element) -> str:
        children = _children(element)
        if not children:
            return ""
        names = [local_name(child) for child in children]
        split = names.index("mprescripts") if "mprescripts" in names else len(children)
        post, pre = children[1:split], children[split + 1 :]

        def pairs(scripts: list) -> str:
            out = ""
            for index in range(0, len(scripts) - 1, 2):
                below, above = (_trim(self.convert(script)) for script in scripts[index : index + 2])
                out += ("_" + group(below) if below else "") + ("^" + group(above) if above else "")
            return out

        base, _ = self._base(children[0])
        return ("{}" + pairs(pre) if pre else "") + base + pairs(post)

    # --- rows -----------------------------------------------------------------------------------------------

    def _row(self, children: list) -> str:
        pieces: list[tuple[str, str]] = []  # (TeX, class: rel, bin, op, open, close, punct, space, ord)
        fences = [_unwrap(child) for child in children]  # MathJax wraps a fence in a row of its own
        index = 0
        while index < len(children):
            if _is_token(fences[index], "mo") and index + 1 < len(children):
                opening = _text(fences[index])
                inner = _unwrap(children[index + 1])
                closing = fences[index + 2] if index + 2 < len(children) else None
                closing_text = _text(closing) if closing is not None and _is_token(closing, "mo", "mi") else None
                environment = MATRICES.get((opening, closing_text or "")) or MATRICES.get((opening, ""))
                if local_name(inner) == "mtable" and environment:
                    pieces.append((self._mtable(inner, environment), "ord"))
                    index += 3 if closing_text is not None and (opening, closing_text) in MATRICES else 2
                    continue
                if _zero_line(inner) and opening == "(" and closing_text == ")":
                    pieces.append((self._binom(inner), "ord"))
                    index += 3
                    continue
            pieces.append((self.convert(children[index]), self._class(children[index])))
            index += 1
        first, last = (fences[0], fences[-1]) if fences else (None, None)
        if (
            len(pieces) > 2
            and pieces[0][1] == "open"
            and pieces[-1][1] == "close"
            and _TALL.search("".join(tex for tex, _ in pieces[1:-1]))
            and OPENING.get(_text(first)) == _text(last)
            and _one_group([kind for _, kind in pieces])
            and "false" not in (first.get("stretchy"), last.get("stretchy"))
        ):
            return _fence(_text(first), _text(last), _join(pieces[1:-1], self.in_script > 0), tall=True)
        return _join(pieces, self.in_script > 0)

    def _class(self, element) -> str:
        """The TeX class of a row item, for spacing: relation, binary operator, large operator, fence, …"""
        texclass = (element.get("data-mjx-texclass") or "").lower()  # MathJax 3 states it
        if texclass in ("open", "close", "ord", "rel", "bin", "op", "punct"):
            return texclass
        if "MJX-TeXAtom-ORD" in (element.get("class") or ""):  # MathJax 2 (Wikipedia): `{/}` is ordinary
            return "ord"
        element = _unwrap(element)
        name = local_name(element)
        if name == "mspace":
            return "space"
        if name in ("munderover", "munder", "mover", "msubsup", "msub", "msup"):
            children = _children(element)
            base = _unwrap(children[0]) if children else None
            if base is not None and local_name(base) == "mo":
                text = _text(base)
                return "op" if CLASSES.get(text) == "op" or text in LIMITS else CLASSES.get(text, "ord")
            return "ord"
        if name != "mo":
            return "ord"
        text = _text(element)
        if text in FUNCTIONS:
            return "ord"  # \det(A), \log x; with limits below (\max_a) it is an `munder`: "op"
        if element.get("form") == "prefix" and CLASSES.get(text) == "bin":
            return "unary"
        if text in ("|", "‖") or id(element) in self.norm_sides:
            return {r"\lVert": "open", r"\rVert": "close"}.get(self.norm_sides.get(id(element)), "ord")
        if len(text) > 1 and not re.fullmatch(r"[A-Za-z]+", text):
            return "rel" if all(CLASSES.get(char) == "rel" for char in text) else "ord"
        return CLASSES.get(text, "ord")


_HANDLERS = {name: "_" + name for name in ("mi", "mn", "mo", "mtext", "ms", "mspace", "mglyph", "semantics",
                                           "maction", "mfrac", "msqrt", "mroot", "menclose", "mfenced", "mtable",
                                           "msub", "msup", "msubsup", "mover", "munder", "munderover",
                                           "mmultiscripts")}  # fmt: skip
_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "#": r"\#", "&": r"\&",
                 "$": r"\$", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}  # fmt: skip
_LONG_ARROWS = frozenset({r"\iff", r"\implies", r"\impliedby", r"\Longleftrightarrow", r"\Longrightarrow"})


def _join(pieces: list[tuple[str, str]], compact: bool = False) -> str:
    """A row's items as TeX: spaces around relations, binary and large operators, after punctuation (not in a
    script: `compact`); a space where a command meets a letter; nothing elsewhere."""
    out = ""
    previous = None  # class of the last item written
    for position, (tex, kind) in enumerate(pieces):
        tex = _trim(tex)
        if not tex.strip() and kind != "space":
            continue
        if kind == "space":
            neighbours = {pieces[position - 1][0].strip() if position else "",
                          pieces[position + 1][0].strip() if position + 1 < len(pieces) else ""}  # fmt: skip
            if neighbours & _LONG_ARROWS or not tex.strip():
                continue
        if kind == "bin" and previous in (None, "open", "rel", "bin", "unary", "punct", "op"):
            kind = "unary"
        spaced = kind in ("rel", "bin", "space") or (kind == "op" and previous not in (None, "open"))
        if compact:
            spaced = kind == "space"
        if out and (spaced or previous in (("space",) if compact else ("rel", "bin", "op", "punct", "space"))):
            out = _trim(out) + " "
        elif out and _COMMAND_END.search(out) and re.match(r"[A-Za-z0-9\\]", tex):
            out += " "  # \alpha x, \alpha \beta
        elif out and re.search(r"\\operatorname\*?\{[^{}]*\}$", out) and re.match(r"[A-Za-z0-9\\]", tex):
            out += " "  # \operatorname{tr} A
        elif out and _SCRIPT_END.search(out) and re.match(r"[A-Za-z0-9\\]", tex):
            out += " "  # a_k b_k, x_1 2
        out += tex
        previous = kind
    return _merge_fonts(out)


def _one_group(kinds: list[str]) -> bool:
    """Whether a row's first fence closes at its last item (`( … )`, not `( … ) ( … )`)."""
    depth = 0
    for index, kind in enumerate(kinds):
        depth += (kind == "open") - (kind == "close")
        if depth == 0 and index < len(kinds) - 1:
            return False
    return depth == 0


def _trim(tex: str) -> str:
    """`tex` without surrounding whitespace, keeping the space of a trailing `\\ ` (a spacing command)."""
    if not tex or not (tex[0].isspace() or tex[-1].isspace()):
        return tex
    return _TRIM.sub("", tex)


# two runs of the same font command in a row (`\\mathbf{a}\\mathbf{b}`), merged into one by _merge_fonts
_FONT_PAIR = re.compile(r"(\\math(?:bf|rm|bb|cal|frak|sf|tt|it))\{([^{}\\]*)\}\1\{([^{}\\]*)\}")


def _merge_fonts(tex: str) -> str:
    r"""`\mathbf{A}\mathbf{B}` → `\mathbf{AB}` (MathML sets a styled word one letter a token)."""
    while True:
        merged = _FONT_PAIR.sub(r"\1{\2\3}", tex)
        if merged == tex:
            return tex
        tex = merged


def _fence(opening: str, closing: str, inside: str, tall: bool | None = None) -> str:
    """`inside` between two fences; `\\left`/`\\right` when it is tall (a fraction, a large operator, a table)."""
    if tall is None:
        tall = bool(_TALL.search(inside))
    left, right = (FENCES.get(fence.strip(), fence.strip()) for fence in (opening, closing))
    if tall:
        return r"\left" + (left or ".") + " " + _trim(inside) + r" \right" + (right or ".")
    return left + _trim(inside) + right


def _styled(text: str, variant: str, word: bool) -> str:
    """A token's TeX in its `mathvariant`: `\\mathbf{v}`, `\\mathbb{R}`, `\\boldsymbol{\\alpha}`, `\\mathrm{d}`,
    `\\mathrm{kg}` (a word is upright unless its variant says otherwise)."""
    if not text:
        return ""
    tex = token_tex(text)
    if not variant or tex.startswith((r"\math", r"\boldsymbol")):
        return tex
    words = variant.replace("double-struck", "doublestruck").replace("sans-serif", "sansserif").split("-")
    alphabet = next((command for key, command in ALPHABETS.items() if key.replace("-", "") in words), None)
    bold, italic = "bold" in words, "italic" in words
    latin = bool(re.fullmatch(r"[A-Za-z0-9]+", text))
    if word and latin and text.isdigit() and not (bold or alphabet):
        return tex
    if alphabet and (latin or alphabet in (r"\mathsf", r"\mathtt")):
        tex = alphabet + "{" + tex + "}"
        return r"\boldsymbol{" + tex + "}" if bold else tex
    if bold:
        return (r"\mathbf{" if latin and not italic else r"\boldsymbol{") + tex + "}"
    if latin and (variant == "normal" and (word or text.isalpha())):
        return r"\mathrm{" + tex + "}"
    if latin and italic and word and len(text) > 1:
        return r"\mathit{" + tex + "}"
    return tex
