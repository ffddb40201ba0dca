"""Presentation MathML → LaTeX, for `<math>` elements that carry neither a TeX annotation nor an `alttext`.

Covers the elements web pages use (tokens, rows, scripts, fractions, roots, under/over scripts, fences, tables);
unknown elements contribute their children. Unicode operators and Greek letters become TeX commands so that the
output reads like the TeX an author would have written (`∑` → `\\sum`, `α` → `\\alpha`).
"""

from __future__ import annotations

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
ACCENTS = {"¯": r"\overline", "‾": r"\overline", "^": r"\hat", "ˆ": r"\hat", "~": r"\tilde", "˜": r"\tilde",
           "→": r"\vec", "⃗": r"\vec", "˙": r"\dot", "¨": r"\ddot", "_": r"\underline"}  # fmt: skip
BIG_OPERATORS = {r"\sum", r"\prod", r"\int", r"\oint", "lim", r"\lim", "max", "min", "sup", "inf"}


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
            out.append("\\" + char if char in "{}%#&$" else char)
        else:
            out.append(command + (" " if command.startswith("\\") and command[-1].isalpha() else ""))
    return "".join(out).strip()


def group(tex: str) -> str:
    return tex if len(tex) == 1 else "{" + tex + "}"


def mathml_to_tex(element) -> str:
    """LaTeX for a presentation MathML element (usually `<math>`)."""
    name = local_name(element)
    children = [child for child in element if local_name(child)]
    convert = [mathml_to_tex(child) for child in children]
    if name in ("mi", "mn", "mo", "ms"):
        tex = token_tex("".join(element.itertext()))
        if name == "mi" and len(tex) > 1 and not tex.startswith("\\"):
            return (
                r"\mathrm{" + tex + "}"
                if tex.isalpha() and tex not in ("sin", "cos", "tan", "log", "ln", "exp", "lim", "max", "min", "det")
                else tex
            )
        return tex
    if name == "mtext":
        text = "".join(element.itertext()).strip()
        return r"\text{" + text + "}" if text else ""
    if name == "mspace":
        return " "
    if name in ("annotation", "annotation-xml", "none", "mprescripts", "mphantom"):
        return ""
    if name == "semantics":
        return convert[0] if convert else ""
    if name == "mfrac" and len(convert) == 2:
        return r"\frac{" + convert[0] + "}{" + convert[1] + "}"
    if name == "msqrt":
        return r"\sqrt{" + " ".join(convert) + "}"
    if name == "mroot" and len(convert) == 2:
        return r"\sqrt[" + convert[1] + "]{" + convert[0] + "}"
    if name == "msup" and len(convert) == 2:
        return group(convert[0]) + "^" + group(convert[1])
    if name == "msub" and len(convert) == 2:
        return group(convert[0]) + "_" + group(convert[1])
    if name == "msubsup" and len(convert) == 3:
        return group(convert[0]) + "_" + group(convert[1]) + "^" + group(convert[2])
    if name in ("mover", "munder") and len(convert) == 2:
        base, script = convert
        accent = ACCENTS.get("".join(children[1].itertext()).strip())
        if accent and base.strip(" \\") not in BIG_OPERATORS:
            return accent + "{" + base + "}"
        return group(base) + ("^" if name == "mover" else "_") + group(script)
    if name == "munderover" and len(convert) == 3:
        return group(convert[0]) + "_" + group(convert[1]) + "^" + group(convert[2])
    if name == "mfenced":
        opening, closing = element.get("open", "("), element.get("close", ")")
        return r"\left" + (opening or ".") + ", ".join(convert) + r"\right" + (closing or ".")
    if name == "mtable":
        return r"\begin{matrix}" + r" \\ ".join(convert) + r"\end{matrix}"
    if name in ("mtr", "mlabeledtr"):
        return " & ".join(convert)
    return " ".join(part for part in convert if part).replace("  ", " ")
