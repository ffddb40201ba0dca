"""Presentation MathML → LaTeX, for `<math>` elements that carry neither a TeX annotation nor an `alttext`.

Covers the elements web pages use (tokens, rows, scripts, fractions, roots, under/over scripts, fences, tables);
unknown elements contribute their children. Unicode operators and Greek letters become TeX commands so that the
output reads like the TeX an author would have written (`∑` → `\\sum`, `α` → `\\alpha`).
"""

from __future__ import annotations

import re

SYMBOLS = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\epsilon", "ϵ": r"\epsilon",
    "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "ϑ": r"\vartheta", "ι": r"\iota", "κ": r"\kappa",
    "λ": r"\lambda", "μ": r"\mu", "ν": r"\nu", "ξ": r"\xi", "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma",
    "τ": r"\tau", "υ": r"\upsilon", "φ": r"\phi", "ϕ": r"\phi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega",
    "Γ": r"\Gamma", "Δ": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda", "Ξ": r"\Xi", "Π": r"\Pi",
    "Σ": r"\Sigma", "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega",
    "∑": r"\sum", "∏": r"\prod", "∫": r"\int", "∮": r"\oint", "∞": r"\infty", "∂": r"\partial",
    "∇": r"\nabla", "±": r"\pm", "∓": r"\mp", "×": r"\times", "÷": r"\div", "⋅": r"\cdot", "·": r"\cdot",
    "∘": r"\circ", "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "≈": r"\approx", "≡": r"\equiv", "∼": r"\sim",
    "≅": r"\cong", "∝": r"\propto", "→": r"\to", "←": r"\leftarrow", "↔": r"\leftrightarrow",
    "⇒": r"\Rightarrow", "⇐": r"\Leftarrow", "⇔": r"\Leftrightarrow", "↦": r"\mapsto", "∈": r"\in",
    "∉": r"\notin", "∋": r"\ni", "⊂": r"\subset", "⊆": r"\subseteq", "⊃": r"\supset", "⊇": r"\supseteq",
    "∪": r"\cup", "∩": r"\cap", "∅": r"\emptyset", "∀": r"\forall", "∃": r"\exists", "¬": r"\neg",
    "∧": r"\wedge", "∨": r"\vee", "⊕": r"\oplus", "⊗": r"\otimes", "⊥": r"\perp", "∥": r"\parallel",
    "…": r"\ldots", "⋯": r"\cdots", "⋮": r"\vdots", "⋱": r"\ddots", "′": "'", "″": "''", "−": "-",
    "ℝ": r"\mathbb{R}", "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}", "ℚ": r"\mathbb{Q}", "ℂ": r"\mathbb{C}",
    "⟨": r"\langle", "⟩": r"\rangle", "⌊": r"\lfloor", "⌋": r"\rfloor", "⌈": r"\lceil", "⌉": r"\rceil",
    "\u2061": "", "\u2062": "", "\u2063": "", "\u2064": "", "\u00a0": " ",
}  # fmt: skip
# more symbols the web's MathML carries (as characters or resolved entities)
SYMBOLS.update({
    "∣": r"\mid", "∤": r"\nmid", "∖": r"\setminus", "≪": r"\ll", "≫": r"\gg", "⊊": r"\subsetneq",
    "↑": r"\uparrow", "↓": r"\downarrow", "ℓ": r"\ell", "ℏ": r"\hbar", "∠": r"\angle", "°": r"^\circ",
    "⋂": r"\bigcap", "⋃": r"\bigcup", "≺": r"\prec", "≻": r"\succ", "⊢": r"\vdash", "⊨": r"\models",
    "⟶": r"\longrightarrow", "⟹": r"\Longrightarrow", "⟺": r"\iff", "≃": r"\simeq", "≍": r"\asymp",
    "†": r"\dagger", "∗": "*", "⁡": "", "ϱ": r"\varrho", "ς": r"\varsigma", "ϖ": r"\varpi", "ℑ": r"\Im",
    "ℜ": r"\Re", "℘": r"\wp", "ℵ": r"\aleph", "∡": r"\measuredangle", "□": r"\square", "◻": r"\square",
    "⇌": r"\rightleftharpoons", "⊤": r"\top", "∎": r"\blacksquare", "∑": r"\sum", "⨁": r"\bigoplus",
    "⨂": r"\bigotimes", "∐": r"\coprod", "∬": r"\iint", "∭": r"\iiint",
})  # fmt: skip
ACCENTS = {"¯": r"\overline", "‾": r"\overline", "^": r"\hat", "ˆ": r"\hat", "~": r"\tilde", "˜": r"\tilde",
           "→": r"\vec", "⃗": r"\vec", "˙": r"\dot", "¨": r"\ddot", "_": r"\underline", "ˇ": r"\check",
           "´": r"\acute", "`": r"\grave", "˘": r"\breve", "⏞": r"\overbrace", "⏟": r"\underbrace",
           "︷": r"\overbrace", "︸": r"\underbrace", "∼": r"\tilde", "←": r"\overleftarrow"}  # fmt: skip
BIG_OPERATORS = {r"\sum", r"\prod", r"\int", r"\oint", r"\iint", r"\iiint", r"\bigcap", r"\bigcup",
                 r"\bigoplus", r"\bigotimes", r"\coprod", r"\lim", r"\max", r"\min", r"\sup", r"\inf",
                 r"\limsup", r"\liminf", r"\det", r"\gcd", r"\Pr"}  # fmt: skip
# names TeX writes as operators (\sin x, not the product s·i·n·x)
FUNCTIONS = frozenset({"sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth", "arcsin",
                       "arccos", "arctan", "log", "ln", "lg", "exp", "lim", "limsup", "liminf", "max", "min",
                       "sup", "inf", "det", "dim", "ker", "deg", "gcd", "arg", "hom", "Pr"})  # fmt: skip
# mathvariant → TeX font command
VARIANTS = {"bold": r"\mathbf", "double-struck": r"\mathbb", "script": r"\mathcal", "fraktur": r"\mathfrak",
            "bold-italic": r"\boldsymbol", "sans-serif": r"\mathsf", "monospace": r"\mathtt",
            "normal": r"\mathrm"}  # fmt: skip
# fences around a table → the matrix environment that draws them
MATRICES = {("(", ")"): "pmatrix", ("[", "]"): "bmatrix", ("{", "}"): "Bmatrix", ("|", "|"): "vmatrix",
            ("‖", "‖"): "Vmatrix", ("∥", "∥"): "Vmatrix"}  # fmt: skip


def local_name(element) -> str:
    """The element's tag without namespace (`{uri}mi`) or prefix (`m:mi`, which HTML parsers keep), lower case;
    "" for comments and processing instructions."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].rpartition(":")[2].lower()


def token_tex(text: str) -> str:
    """A token's text with Unicode symbols replaced by TeX commands (a space keeps `\\alpha x` apart)."""
    out = []
    for char in text.strip():
        command = SYMBOLS.get(char)
        if command is None:
            out.append("\\" + char if char in "{}%#&$_" else char)
        else:
            out.append(command + (" " if command.startswith("\\") and command[-1].isalpha() else ""))
    return "".join(out).strip()


_SINGLE = re.compile(r"\\[A-Za-z]+(?:\{[^{}]*\})?|\\.|.")  # x, \alpha, \mathbf{V}, \{


def group(tex: str) -> str:
    """`tex` as one script or argument: bare when it is a single character or command, else in braces."""
    tex = tex.strip()
    return tex if _SINGLE.fullmatch(tex) else "{" + tex + "}"


def _text(element) -> str:
    return "".join(element.itertext()).strip()


def _token(element, name: str) -> str:
    text = _text(element)
    tex = token_tex(text)
    if name == "mi":
        variant = VARIANTS.get(element.get("mathvariant") or "")
        if text in FUNCTIONS:
            return "\\" + text + " "
        if variant and text.isalnum() and not (variant == r"\mathrm" and len(text) > 1):
            return variant + "{" + tex + "}"
        if len(tex) > 1 and not tex.startswith("\\") and tex.isalpha():
            return r"\mathrm{" + tex + "}"
    if name == "mo" and text in FUNCTIONS:
        return "\\" + text + " "
    if name == "ms":
        return r"\text{``" + text + "''}"
    return tex


def _script_base(base: str) -> str:
    """A base that takes scripts: big operators and function names bare (`\\sum_{i}`), the rest grouped."""
    stripped = base.strip()
    if stripped in BIG_OPERATORS or stripped.lstrip("\\") in FUNCTIONS:
        return stripped
    return group(stripped)


def mathml_to_tex(element) -> str:
    """LaTeX for a presentation MathML element (usually `<math>`)."""
    name = local_name(element)
    children = [child for child in element if local_name(child)]
    if name in ("mi", "mn", "mo", "ms"):
        return _token(element, name)
    if name == "mtext":
        text = _text(element)
        return r"\text{" + text + "}" if text else " "
    if name == "mspace":
        return " "
    if name in ("annotation", "annotation-xml", "none", "mprescripts", "mphantom", "maligngroup", "malignmark"):
        return ""
    convert = [mathml_to_tex(child) for child in children]
    if name == "semantics":
        return convert[0] if convert else ""
    if name == "mfrac" and len(convert) == 2:
        command = r"\binom" if element.get("linethickness") in ("0", "0px", "0pt") else r"\frac"
        return command + "{" + convert[0].strip() + "}{" + convert[1].strip() + "}"
    if name == "msqrt":
        return r"\sqrt{" + " ".join(convert).strip() + "}"
    if name == "mroot" and len(convert) == 2:
        return r"\sqrt[" + convert[1].strip() + "]{" + convert[0].strip() + "}"
    if name == "msup" and len(convert) == 2:
        return _script_base(convert[0]) + "^" + group(convert[1])
    if name == "msub" and len(convert) == 2:
        return _script_base(convert[0]) + "_" + group(convert[1])
    if name in ("msubsup", "munderover") and len(convert) == 3:
        return _script_base(convert[0]) + "_" + group(convert[1]) + "^" + group(convert[2])
    if name in ("mover", "munder") and len(convert) == 2:
        base, script = convert
        accent = ACCENTS.get(_text(children[1]))
        if accent and base.strip() not in BIG_OPERATORS:
            return accent + "{" + base.strip() + "}"
        return _script_base(base) + ("^" if name == "mover" else "_") + group(script)
    if name == "mfenced":
        opening, closing = element.get("open", "("), element.get("close", ")")
        separator = (element.get("separators", ",") or ",")[:1]
        return _fenced(opening, closing, (separator + " ").join(part.strip() for part in convert))
    if name == "mtable":
        return r"\begin{matrix}" + r" \\ ".join(convert) + r"\end{matrix}"
    if name in ("mtr", "mlabeledtr"):
        cells = convert[1:] if name == "mlabeledtr" else convert
        return " & ".join(cell.strip() for cell in cells)
    if name == "menclose" and "radical" in (element.get("notation") or ""):
        return r"\sqrt{" + " ".join(convert).strip() + "}"
    if name == "mrow" and len(children) >= 3:
        matrix = _fenced_table(children, convert)
        if matrix:
            return matrix
    return " ".join(part for part in convert if part.strip()).replace("  ", " ")


def _fenced(opening: str, closing: str, inside: str) -> str:
    fence = {"{": r"\{", "}": r"\}", "⟨": r"\langle", "⟩": r"\rangle", "": "."}
    return r"\left" + fence.get(opening, opening) + " " + inside + r" \right" + fence.get(closing, closing)


def _fenced_table(children: list, convert: list) -> str | None:
    """`( table )` written as a row of fence, table, fence: the matrix environment that draws the fences."""
    first, last = _text(children[0]), _text(children[-1])
    environment = MATRICES.get((first, last))
    if environment and len(children) == 3 and local_name(children[1]) == "mtable":
        return convert[1].replace("{matrix}", "{" + environment + "}")
    return None
