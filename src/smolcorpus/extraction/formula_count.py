"""The one definition of a page's formulas, which every count uses (the `extract` header and `--explain`, the
`math_formulas` metadata, `formulas_per_page`, the domain statistics, the report; the prefilter's TeX rule).

After `math_markup.rewrite_math`, a page's formulas are, in page order, each counted once:

- every element `rewrite_math` made (it carries `FORMULA_MARK` = its kind: `script_tex`, `katex`, `bbcode`, …);
- TeX the page writes in its text (`tex_in_text`): `$…$`, `$$…$$`, `\\(…\\)`, `\\[…\\]` and math environments
  (`\\begin{equation}…\\end{equation}`, `align`, `cases`, …), in text nodes outside those elements and outside
  script, style, code, pre, textarea and noscript (where MathJax does not look either).

Dollar text is not math. The rules are the usual conventions of TeX in text (pandoc's and MathJax's):

- `\\$` is a dollar sign; a run of three or more `$` is no delimiter;
- a `$` opens inline math only when a non-space follows it, and closes it only after a non-space and when no digit
  follows (`$5 and $10`, `US$ 3.5`, `$20-$30` are amounts), unless what it holds has a TeX command, `^` or `_`
  (`$ \\sin x $`); `$a$$b$` is two inline formulas;
- what a pair of delimiters holds must read as math (`reads_as_math`): not an amount followed by a currency word or
  magnitude (`199 billion in 2020, up from US`), no quotes (`"`, a backtick: code, ASCII art) or undecodable
  bytes, not prose (two
  words that are not function names, and no TeX command); but a TeX command, a superscript or subscript with its
  argument (`x^2`, `a_{n}`), an operator, or a single token (`x`, `5`, `ABC`, `n!`).

Cost: one regular-expression pass over a text node finds every delimiter; pairing them walks that list once (a
rejected `\\(…\\)` or environment is skipped whole, a rejected `$` pair moves to its closing `$`), and the content
rules read each stretch of text at most once, so a page costs time linear in its length whatever it holds.
"""

from __future__ import annotations

import re

# attribute on the elements that hold a rewritten formula (`$...$` text), for the steps after the rewrite
FORMULA_MARK = "data-smolcorpus-formula"
TEX_IN_TEXT = "tex_in_text"  # the kind of a formula written as TeX in the page's text
# elements whose text is never math (MathJax's skipHtmlTags)
NOT_MATH_ELEMENTS = ("script", "style", "code", "pre", "textarea", "noscript")
MATH_ENVIRONMENTS = frozenset(
    f"{name}{star}"
    for name in ("equation", "align", "alignat", "aligned", "alignedat", "gather", "gathered", "multline", "flalign",
                 "split", "eqnarray", "displaymath", "math", "cases", "dcases", "rcases", "array", "subarray",
                 "matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "smallmatrix", "CD", "subequations")
    for star in ("", "*")
)  # fmt: skip
MAX_INLINE = 1_000  # characters of an inline `$…$` formula, at most (the longest on the shared pages: 400)
NOT_FORMULAS = frozenset({r"$\begingroup$", r"$\endgroup$"})  # Stack Exchange's scoping macros

# every delimiter in one pass: `\\` (a TeX line break, so that `\\[1em]` opens nothing), `\$`, runs of `$`,
# `\(` `\)` `\[` `\]`, `\begin{name}` `\end{name}`
_TOKEN = re.compile(r"\\\\|\\\$|\$+|\\[()\[\]]|\\(begin|end)\{([A-Za-z]{1,20}\*?)\}")
_OPEN, _CLOSE = {"\\(": "\\)", "\\[": "\\]"}, ("\\)", "\\]")

# an amount: a number, then a currency word, a magnitude or the words that join amounts ("5 and", "3 per")
_AMOUNT = re.compile(
    r"[-+]?\d[\d,.]*(?:\s*(?:thousand|million|billion|trillion|hundred|grand|mn|bn|mln|bln|tn|bucks?|dollars?|"
    r"cents?|usd|us|cad|aud|nzd|hkd|sgd|per|each|apiece|a|an|or|and|to|for|in|off|of|on|at|up|from|plus|worth)\b"
    r"|[kmb]\s+[a-z])",
    re.IGNORECASE,
)
# a command, or a superscript or subscript with its argument (`x^2`, `a_{n}`; `___` is no subscript)
_TEX_COMMAND = re.compile(r"\\[A-Za-z]+|[\^_][A-Za-z0-9{\\('+*-]")
_COMMAND = re.compile(r"\\[A-Za-z]+")
_SCRIPT = re.compile(r"[\^_][A-Za-z0-9{\\('+*-]")
_NOT_TEX = re.compile('[`"\ufffd\x00-\x08\x0e-\x1f]')  # quotes (code, ASCII art), undecodable bytes, controls
_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}")
# function names written without a backslash (`max(a, b)`, `log n`): not prose
FUNCTION_NAMES = frozenset(("sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh",
                            "tanh", "log", "ln", "lg", "exp", "max", "min", "sup", "inf", "lim", "det", "dim", "ker",
                            "deg", "gcd", "lcm", "mod", "arg", "var", "cov"))  # fmt: skip
_OPERATOR = re.compile(r"[=+\-*/<>|!()\[\],;:≤≥≠≈≡×÷±∓·→←↦∈∉⊂⊆∪∩∑∏∫√∞∂∇′]")
_SYMBOL = re.compile(r"[^\W_]")  # a variable or a number: a letter (Latin, Greek, ℝ, ℂ, …) or a digit
_TOKEN_ONLY = re.compile(r"[\w.,'!]+")  # one token: any letters or digits (`x`, `5`, `ℝ`, `n!`)


def reads_as_math(content: str) -> bool:
    """Whether what a pair of TeX delimiters holds is math, not dollar text (see the module docstring)."""
    content = content.strip()
    if not content or _AMOUNT.match(content) or _NOT_TEX.search(content):
        return False
    if _COMMAND.search(content):
        return True
    if not _SYMBOL.search(content):  # punctuation alone
        return False
    if _SCRIPT.search(content):
        return True
    if sum(word.lower() not in FUNCTION_NAMES for word in _WORD.findall(content)) >= 2:
        return False
    return _OPERATOR.search(content) is not None or _TOKEN_ONLY.fullmatch(content) is not None


def tex_in_text(text: str) -> list[str]:
    """The formulas written as TeX in `text`, with their delimiters, in order (see the module docstring)."""
    return [text[start:end] for start, end in tex_spans(text)]


def tex_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every formula written as TeX in `text`, delimiters included, in order, not overlapping."""
    if "$" not in text and "\\" not in text:
        return []
    tokens = [(m.start(), m.end(), m[0] if m[1] is None else m[1], m[2]) for m in _TOKEN.finditer(text)]
    # for each token, the index of the next `$`/`$$` run, `\)` and `\]` after it (one backward walk)
    count = len(tokens)
    next_dollar, next_close = [count] * count, {close: [count] * count for close in _CLOSE}
    following = {"$": count, "\\)": count, "\\]": count}
    for i in range(count - 1, -1, -1):
        next_dollar[i], next_close["\\)"][i], next_close["\\]"][i] = following["$"], following["\\)"], following["\\]"]
        kind = tokens[i][2]
        if kind in ("$", "$$"):
            following["$"] = i
        elif kind in _CLOSE:
            following[kind] = i
    ends: dict[str, list[int]] = {}  # environment → indexes of its `\end{…}` tokens, and how many lie behind
    for i, (_, _, kind, name) in enumerate(tokens):
        if kind == "end" and name in MATH_ENVIRONMENTS:
            ends.setdefault(name, []).append(i)
    passed = dict.fromkeys(ends, 0)
    found = []
    i = 0
    while i < count:
        start, end, kind, name = tokens[i]
        j = count
        if kind in ("$", "$$"):
            j = next_dollar[i]
            closing = tokens[j] if j < count else None
            if closing is not None and kind == "$" and closing[2] == "$$":  # `$a$$b$`: two inline formulas
                closing = (closing[0], closing[0] + 1, "$", None)
            if closing is not None and closing[2] == kind and _dollar_pair(text, tokens[i], closing):
                found.append((start, closing[1]))
                if closing[1] < tokens[j][1]:  # the second `$` of `$$` opens the next formula
                    tokens[j] = (closing[1], tokens[j][1], "$", None)
                    i = j
                else:
                    i = j + 1
            else:  # the closing candidate may open the next pair ("$5 and $x$")
                i += 1
            continue
        if kind in _OPEN:
            j = next_close[_OPEN[kind]][i]
            if j < count and reads_as_math(text[end : tokens[j][0]]):
                found.append((start, tokens[j][1]))
        elif kind == "begin" and name in ends:
            closings = ends[name]
            while passed[name] < len(closings) and closings[passed[name]] <= i:
                passed[name] += 1
            if passed[name] < len(closings):
                j = closings[passed[name]]
                if text[end : tokens[j][0]].strip():
                    found.append((start, tokens[j][1]))
        i = j + 1 if j < count else i + 1  # a pair, math or not, is read once
    return [(start, end) for start, end in found if text[start:end] not in NOT_FORMULAS]


def _dollar_pair(text: str, opening: tuple, closing: tuple) -> bool:
    """Whether `$`…`$` (or `$$`…`$$`) tokens delimit math: inline without a TeX command, a non-space after the
    opening and before the closing `$`, no digit after it; and content that `reads_as_math`."""
    content = text[opening[1] : closing[0]]
    if opening[2] == "$" and len(content) > MAX_INLINE:
        return False
    if opening[2] == "$" and not _TEX_COMMAND.search(content):
        after = text[closing[1] : closing[1] + 1]
        if content[:1].isspace() or content[-1:].isspace() or after.isdigit():
            return False
    return reads_as_math(content)


def page_formulas(tree) -> list[tuple[str, str]]:
    """(kind, TeX with its delimiters) of every formula of a tree `rewrite_math` rewrote, in page order: the
    elements it made, and TeX written in the other text (`tex_in_text`)."""
    outside = " or ".join(f"ancestor::{name}" for name in NOT_MATH_ELEMENTS)
    query = (
        f"//*[@{FORMULA_MARK}] | //text()[contains(., '$') or contains(., '\\')]"
        f"[not(ancestor::*[@{FORMULA_MARK}] or {outside})]"
    )
    found = []
    for node in tree.xpath(query):
        if isinstance(node, str):
            found += [(TEX_IN_TEXT, formula) for formula in tex_in_text(node)]
        else:
            found.append((node.get(FORMULA_MARK) or "formula", node.text or ""))
    return found


def count_by_kind(formulas: list[tuple[str, str]]) -> dict[str, int]:
    """{kind: n} of `page_formulas`' list, kinds in the order they first appear."""
    counts: dict[str, int] = {}
    for kind, _ in formulas:
        counts[kind] = counts.get(kind, 0) + 1
    return counts
