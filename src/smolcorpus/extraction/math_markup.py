"""Turn the ways web pages carry math into TeX text, so that an ordinary extractor keeps it.

Extractors such as trafilatura (datatrove's `Trafilatura` step) drop `<script>`, `<math>` and `<img>` elements,
which is where most math lives. `rewrite_math` replaces each formula element of a parsed page with a text
node `$...$` (inline) or `$$...$$` (display), and removes the rendered copies math libraries add next to the
source (MathJax's CHTML/SVG output, KaTeX's HTML), so every formula ends up in the text exactly once:

- MathJax: `<script type="math/tex">` (`; mode=display` for display), `math/asciimath` (converted to LaTeX),
  `math/mml` (MathML); custom TeX delimiters declared in the page's MathJax config (rewritten to `$`/`$$`);
- KaTeX: the `annotation encoding="application/x-tex"` inside `.katex` (display inside `.katex-display`);
- MathML: a TeX annotation, else `alttext`, else a conversion of the presentation markup (`mathml.py`);
- Wikipedia's `mwe-math-element` (MathML + fallback image) and formula images whose `alt` holds LaTeX;
- Distill's `<d-math>` / `<dt-math>` (TeX as text; `block` for display);
- AsciiMath in backticks on pages that load ASCIIMathML.js or MathJax's AsciiMath input.

Pure functions over lxml trees; the datatrove step that runs them with a timeout is `math_extractor.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from smolcorpus.extraction.formula_count import FORMULA_MARK, count_by_kind, page_formulas
from smolcorpus.extraction.mathml import local_name, mathml_to_tex

# rendered output of math libraries (the source formula is kept elsewhere in the page)
RENDERED_CLASSES = ("MathJax", "MathJax_Display", "MathJax_Preview", "MathJax_SVG", "MathJax_SVG_Display",
                    "MathJax_CHTML", "MJX_Assistive_MathML", "katex-html", "MathJax_MathML")  # fmt: skip
LATEX_IMAGE_HINTS = re.compile(r"latex|tex|math|codecogs|equation|formula", re.IGNORECASE)
TEX_LIKE = re.compile(r"\\[A-Za-z]+|[\^_]\{?|\\[{}]|=|\\frac")
# ASCIIMathML.js, MathJax's AsciiMath input, or a MathJax v2 combined config with AsciiMath (`config=AM_CHTML`,
# `TeX-MML-AM_HTMLorMML`)
ASCIIMATH_PAGE = re.compile(r"asciimath|[=,-]AM_[A-Za-z]+", re.IGNORECASE)
# a backtick escaped with a backslash is a literal backtick for ASCIIMathML.js (and how AsciiMath tutorials show the
# source, \`x^2\`, next to its rendering, `x^2`): it neither opens nor closes a formula
BACKTICK_MATH = re.compile(r"(?<!\\)`([^`\n]{1,400})(?<!\\)`")
ESCAPED_BACKTICK = re.compile(r"\\`")
_CONFIG_DELIMITERS = re.compile(r"(inlineMath|displayMath)\s*:\s*(\[\s*\[.*?\]\s*\])", re.DOTALL)
_DELIMITER_PAIR = re.compile(r"\[\s*(['\"])(.*?)\1\s*,\s*(['\"])(.*?)\3\s*\]")
STANDARD_DELIMITERS = {("$", "$"), ("$$", "$$"), ("\\(", "\\)"), ("\\[", "\\]")}


@dataclass
class MathStats:
    """What `rewrite_math` found, by source (`script_tex`, `katex`, `mathml_annotation`, `mathml_alttext`,
    `mathml_converted`, `image_alt`, `d_math`, `asciimath`, `config_delimiters`, `tex_in_text`, …), and `errors`.
    After `rewrite_math`, `found` counts `formulas`, the page's formulas as `formula_count.page_formulas` defines
    them (the one count: `total` is `MathExtractor`'s `math_formulas`)."""

    found: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    formulas: list[tuple[str, str]] = field(default_factory=list, repr=False)  # (kind, TeX with delimiters)

    def add(self, kind: str, count: int = 1) -> None:
        self.found[kind] = self.found.get(kind, 0) + count

    @property
    def total(self) -> int:
        return sum(self.found.values())


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


# class names of elements that hold a formula's TeX source for a page script to render (KaTeX's auto-render and
# home-grown renderers: `<div class="math">\frac{a}{b}</div>`)
TEX_SOURCE_CLASSES = frozenset({"math", "tex", "latex", "equation", "formula", "math-display", "math-inline",
                                "math-block", "display-math", "inline-math"})  # fmt: skip
# every class name a pass looks for
CLASS_NAMES = frozenset({"katex", "mwe-math-element", "amath", *RENDERED_CLASSES, *TEX_SOURCE_CLASSES})
# FORMULA_MARK (formula_count.py): the attribute on the elements that hold a rewritten formula (`$...$` text)

BLOCK_TAGS = frozenset({"p", "div", "figure", "figcaption", "section", "table", "ul", "ol", "pre", "blockquote",
                        "h1", "h2", "h3", "h4", "h5", "h6"})  # fmt: skip

# MathJax scripts some sites use as macros (Stack Exchange wraps every post in \begingroup ... \endgroup)
NOT_FORMULAS = frozenset({"", r"\begingroup", r"\endgroup"})
# the same macros written as text formulas (Stack Exchange's hidden `$\begingroup$` spans)
SCOPING_MACROS = re.compile(r"\$\\(?:begin|end)group\$")


def _replace(element, tex: str, display: bool, kind: str) -> None:
    """Put `$tex$` / `$$tex$$` where `element` was, keeping the text that followed it; the new element carries
    `FORMULA_MARK` = `kind`."""
    tex = " ".join(tex.split())
    parent = element.getparent()
    if parent is None:
        return
    if tex in NOT_FORMULAS:
        _remove(element)
        return
    # a display formula that stands between blocks becomes its own paragraph; inside a paragraph it stays inline
    block_parent = local_name(parent) in ("body", "div", "section", "article", "main", "td", "li", "blockquote")
    # a formula that is all its block holds (a cell of an equation grid) also becomes a paragraph: a lone span
    # in a div is dropped by trafilatura as an empty block
    following = element.getnext()
    alone = (
        element.getprevious() is None
        and not (parent.text or "").strip()
        and not (element.tail or "").strip()
        and (following is None or local_name(following) in BLOCK_TAGS)
    )
    new = etree.Element("p" if block_parent and (display or alone) else "span", {FORMULA_MARK: kind})
    new.text = f"$${tex}$$" if display else f"${tex}$"
    new.tail = element.tail
    parent.replace(element, new)


def _remove(element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:  # keep the text that followed the removed element
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _is_display_math(element) -> bool:
    return element.get("display") == "block" or element.get("mode") == "display"


def _mathml_tex(math, stats: MathStats) -> tuple[str, str]:
    """(TeX, kind) of a `<math>` element: its TeX annotation, else its `alttext`, else a conversion."""
    for annotation in math.iter():
        if local_name(annotation) == "annotation" and "tex" in (annotation.get("encoding") or "").lower():
            kind, tex = "mathml_annotation", annotation.text or ""
            break
    else:
        kind, tex = ("mathml_alttext", math.get("alttext")) if math.get("alttext") else ("mathml_converted", None)
        if tex is None and not any(local_name(child) for child in math) and (math.text or "").strip():
            # MediaWiki source markup kept by wiki mirrors: `<math>\frac{a}{b}</math>` holds TeX, not MathML
            kind, tex = "math_tex_source", math.text
        elif tex is None:
            tex = mathml_to_tex(math)
    stats.add(kind)
    return tex, kind


def asciimath_to_tex(expression: str) -> str:
    """LaTeX for an AsciiMath expression (py_asciimath's translator); the expression itself if it fails."""
    global _ASCIIMATH
    if _ASCIIMATH is None:
        _ASCIIMATH = _load_asciimath()
    try:
        tex = _ASCIIMATH.translate(expression, from_file=False, pprint=False)
    except Exception:  # the grammar rejects some inputs; keeping the AsciiMath beats losing the formula
        return expression
    return tex.strip("$ ")


_ASCIIMATH = None


def _load_asciimath():
    """py_asciimath's translator. Its modules call `logging.basicConfig(level=DEBUG)` on import, which would turn
    on every library's debug logging in the process: the root logger is put back as it was."""
    import logging

    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        from py_asciimath.translator.translator import ASCIIMath2Tex

        return ASCIIMath2Tex(log=False, inplace=True)
    finally:
        root.setLevel(level)
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)


def page_delimiters(tree) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(inline, display) TeX delimiters a page's MathJax config declares, beyond the standard `$`, `\\(`, `\\[`."""
    inline, display = [], []
    for script in tree.iter("script"):
        text = script.text or ""
        if "MathJax" not in text and "tex2jax" not in text and "inlineMath" not in text:
            continue
        for kind, pairs in _CONFIG_DELIMITERS.findall(text):
            for _, opening, _, closing in _DELIMITER_PAIR.findall(pairs):
                opening = opening.encode().decode("unicode_escape")
                closing = closing.encode().decode("unicode_escape")
                if (opening, closing) not in STANDARD_DELIMITERS:
                    (inline if kind == "inlineMath" else display).append((opening, closing))
    return inline, display


def _set_text(element, attribute: str, value: str) -> bool:
    """Set `element.text` or `.tail`; False when lxml refuses the string (a control character the parser let
    through elsewhere in the node), leaving the node as it was."""
    try:
        setattr(element, attribute, value)
    except ValueError:
        return False
    return True


def _rewrite_text_nodes(tree, pattern: re.Pattern, convert, marker: str, kind: str | None = None) -> int:
    """Rewrite the matches of `pattern` in every text node that contains `marker` (a substring every match has,
    found by XPath in C, so pages without it cost one scan) outside script, style, code, pre and formulas already
    rewritten; return the number of matches rewritten. With a `kind`, each match becomes a formula element
    (`convert(match)` its text, `FORMULA_MARK` = `kind`), so that it counts once, as that kind; without, the text
    is substituted (`convert` may be a string)."""
    count = 0
    outside = "not(ancestor::script or ancestor::style or ancestor::code or ancestor::pre"
    outside += f" or ancestor::*[@{FORMULA_MARK}])"
    query = f"//text()[contains(., {_xpath_string(marker)})][{outside}]"
    for text in tree.xpath(query):
        owner, attribute = text.getparent(), "text" if text.is_text else "tail"
        if kind is not None:
            count += _formula_elements(owner, attribute, str(text), pattern, convert, kind)
            continue
        new, n = pattern.subn(convert, str(text))
        if n and _set_text(owner, attribute, new):
            count += n
    return count


def _formula_elements(owner, attribute: str, text: str, pattern: re.Pattern, convert, kind: str) -> int:
    """Split `owner`'s text or tail at the matches of `pattern` into text and `<span FORMULA_MARK=kind>` elements
    holding `convert(match)`; return the number of matches (0, the node unchanged, when lxml refuses a piece)."""
    spans, pieces, last = [], [], 0
    for match in pattern.finditer(text):
        pieces.append(text[last : match.start()])
        span = etree.Element("span", {FORMULA_MARK: kind})
        if not _set_text(span, "text", convert(match)):
            return 0
        spans.append(span)
        last = match.end()
    parent = owner if attribute == "text" else owner.getparent()
    if not spans or parent is None:
        return 0
    tails = [*pieces[1:], text[last:]]
    if not all(_set_text(span, "tail", tail or None) for span, tail in zip(spans, tails, strict=True)):
        return 0
    if not _set_text(owner, attribute, pieces[0] or None):
        return 0
    at = 0 if attribute == "text" else parent.index(owner) + 1
    for offset, span in enumerate(spans):
        parent.insert(at + offset, span)
    return len(spans)


_BREAK = "\x01"


def _join_lines_of_tex(tree, pattern: re.Pattern, marker: str) -> None:
    """Forum software turns the newlines of a post into `<br>`, which splits a multi-line formula (`[tex]` on one
    line, the TeX on the next) over several text nodes. In elements holding only text and `<br>`, the breaks
    inside a `pattern` match are removed, so that the text rewrite sees each formula whole."""
    for element in tree.xpath(f"//*[br][.//text()[contains(., {_xpath_string(marker)})]]"):
        if any(local_name(child) != "br" for child in element):
            continue
        joined = _BREAK.join([element.text or "", *(child.tail or "" for child in element)])
        rejoined, n = pattern.subn(lambda m: m[0].replace(_BREAK, "\n"), joined)
        if not n or rejoined == joined:
            continue
        lines = rejoined.split(_BREAK)
        for child in list(element):
            element.remove(child)
        if not _set_text(element, "text", lines[0]):
            continue
        for line in lines[1:]:
            etree.SubElement(element, "br").tail = line


def _xpath_string(value: str) -> str:
    """`value` as an XPath string literal."""
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    return "concat(" + ', "\'", '.join(f"'{part}'" for part in value.split("'")) + ")"


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# the elements of formula markup found by name (what `local-name()` of the XPath these replace gave: a tag without
# its namespace; HTML parsers keep a prefix, `m:math`, which `expose_text_containers` takes off first)
# and the pass that handles them
FORMULA_TAGS = {"mjx-container": "mathjax3", "math": "mathml", "d-math": "distill", "dt-math": "distill",
                "formula": "custom", "amath": "custom"}  # fmt: skip


def _elements_by_name(root, classes: frozenset, tags: dict[str, str]) -> tuple[dict[str, list], dict[str, list]]:
    """Elements carrying each of `classes` as a class token, and elements named like a key of `tags`, by its value,
    in page order: one pass over the page in Python (0.3 ms a math page) instead of an XPath scan per name or kind
    (0.3-0.5 ms each)."""
    by_class: dict[str, list] = {}
    by_tag: dict[str, list] = {}
    for element in root.iter(etree.Element):
        tag = element.tag
        if tag[0] == "{":
            tag = tag.rpartition("}")[2]
        if tag in tags:
            by_tag.setdefault(tags[tag], []).append(element)
        value = element.get("class")
        if value:
            for token in value.split():
                if token in classes:
                    by_class.setdefault(token, []).append(element)
    return by_class, by_tag


def _attached(element, root) -> bool:
    """Whether `element` is still in the page (not inside an element an earlier rewrite took out)."""
    top = element
    for top in element.iterancestors():  # noqa: B007
        pass
    return top is root


def rewrite_math(tree) -> MathStats:
    """Rewrite every formula of the lxml HTML tree in place (see the module docstring); return what was found.

    Kinds are handled outermost first (a MathJax 3 container or a Wikipedia math element holds a `<math>`); an
    element inside one already replaced is skipped, so no formula is seen twice.
    """
    stats = MathStats()
    uses_asciimath = any(ASCIIMATH_PAGE.search(s.get("src") or s.text or "") for s in tree.iter("script"))
    inline, display = page_delimiters(tree)
    root = tree.getroottree().getroot()
    # candidates found once, before any rewrite: rewrites add only `span`, `p` and `br` elements, and a candidate
    # an earlier pass took out is skipped below
    classed, named = _elements_by_name(root, CLASS_NAMES, FORMULA_TAGS)

    def by_class(*names: str) -> list:
        return [element for name in names for element in classed.get(name, ())]

    passes = [  # (candidates, handler), outermost kinds first
        (lambda: tree.xpath("//script[starts-with(translate(@type, 'MATH', 'math'), 'math/')]"), _script),
        (lambda: by_class("katex"), _katex),
        (lambda: by_class("mwe-math-element"), _wikipedia),
        (lambda: named.get("mathjax3", []), _mathjax3),
        (lambda: by_class(*RENDERED_CLASSES), lambda e, s: _remove(e)),
        (lambda: named.get("mathml", []), _math),
        (lambda: named.get("distill", []), _distill),
        (lambda: named.get("custom", []) + by_class("amath"), _custom_formula),
        (lambda: by_class(*sorted(TEX_SOURCE_CLASSES)), _tex_source_element),
        (lambda: tree.xpath("//img"), _image),
        (lambda: tree.xpath("//code[not(ancestor::pre)]"), _code),
    ]
    for candidates, handle in passes:
        for element in candidates():
            if not _attached(element, root):  # inside a formula an earlier pass replaced
                continue
            try:
                handle(element, stats)
            except Exception:  # one broken formula must not cost the page
                stats.errors += 1
    if uses_asciimath:
        asciimath = lambda m: f"${asciimath_to_tex(m[1])}$"  # noqa: E731
        stats.add("asciimath", _rewrite_text_nodes(tree, BACKTICK_MATH, asciimath, "`", "asciimath"))
        _rewrite_text_nodes(tree, ESCAPED_BACKTICK, "`", "\\`")  # shown as a backtick: the source as code
    _rewrite_text_nodes(tree, SCOPING_MACROS, "", "group$")
    _join_lines_of_tex(tree, BBCODE_MATH, "[/")
    stats.add("bbcode", _rewrite_text_nodes(tree, BBCODE_MATH, _bbcode, "[/", "bbcode"))
    stats.add(
        "wordpress_latex",
        _rewrite_text_nodes(tree, WORDPRESS_LATEX, lambda m: f"${_wordpress_tex(m[1])}$", "$latex", "wordpress_latex"),
    )
    for delimiters, wrap in ((inline, "$"), (display, "$$")):
        for opening, closing in delimiters:
            pattern = re.compile(re.escape(opening) + r"(.+?)" + re.escape(closing), re.DOTALL)
            replace = lambda m, w=wrap: f"{w}{m[1].strip()}{w}"  # noqa: E731
            stats.add("config_delimiters", _rewrite_text_nodes(tree, pattern, replace, opening, "config_delimiters"))
    # the one definition of the page's formulas: what was rewritten (the elements it left) and TeX in the text
    stats.formulas = page_formulas(tree)
    stats.found = count_by_kind(stats.formulas)
    return stats


def _script(element, stats: MathStats) -> None:
    kind = (element.get("type") or "").lower()
    display = "mode=display" in kind
    if kind.startswith("math/tex"):
        stats.add("script_tex")
        _replace(element, element.text or "", display, "script_tex")
    elif kind.startswith("math/asciimath"):
        stats.add("asciimath")
        _replace(element, asciimath_to_tex(element.text or ""), display, "asciimath")
    elif kind.startswith("math/mml") and (element.text or "").strip():
        math = etree.fromstring(element.text.strip().encode())
        _replace(element, *_with_display(_mathml_tex(math, stats), _is_display_math(math)))


def _katex(element, stats: MathStats) -> None:
    annotation = next((a for a in element.iter() if local_name(a) == "annotation"), None)
    if annotation is not None:
        stats.add("katex")
        wrapper = element.getparent()
        if wrapper is not None and "katex-display" in _classes(wrapper):
            # replace the display wrapper itself, so a formula standing between paragraphs becomes a paragraph
            # (a bare span left inside a div is dropped by trafilatura)
            _replace(wrapper, annotation.text or "", True, "katex")
        else:
            display = any("katex-display" in _classes(a) for a in element.iterancestors())
            _replace(element, annotation.text or "", display, "katex")


def _wikipedia(element, stats: MathStats) -> None:
    """Wikipedia: MathML with a TeX annotation, plus a fallback image whose alt is the same TeX."""
    math = next((m for m in element.iter() if local_name(m) == "math"), None)
    image = next(element.iter("img"), None)
    if math is not None:
        tex, kind = _mathml_tex(math, stats)
    elif image is not None and image.get("alt"):
        stats.add("image_alt")
        tex, kind = image.get("alt"), "image_alt"
    else:
        return
    display = "display" in (image.get("class") or "" if image is not None else "")
    _replace(element, _strip_displaystyle(tex), display or (math is not None and _is_display_math(math)), kind)


def _mathjax3(element, stats: MathStats) -> None:
    """MathJax 3 output: rendered glyphs plus the source as assistive MathML."""
    math = next((m for m in element.iter() if local_name(m) == "math"), None)
    if math is None:
        # without assistive MathML the container holds either CSS-drawn glyphs (no text) or, on pages saved
        # before MathJax ran, the TeX source itself
        text = " ".join("".join(element.itertext()).split())
        if text and TEX_LIKE.search(text):
            stats.add("mjx_text")
            _replace_delimited(element, text, element.get("display") == "true", "mjx_text")
        else:
            _remove(element)
    else:
        _replace(element, *_with_display(_mathml_tex(math, stats), element.get("display") == "true"))


def _math(element, stats: MathStats) -> None:
    _replace(element, *_with_display(_mathml_tex(element, stats), _is_display_math(element)))


def _distill(element, stats: MathStats) -> None:
    stats.add("d_math")
    _replace(element, "".join(element.itertext()), element.get("block") is not None, "d_math")


def _image(element, stats: MathStats) -> None:
    """A formula image: TeX from `alt` or `title` when they hold TeX and the image looks like a rendered formula,
    else from the image URL of a TeX renderer (`image_url_tex`)."""
    src = element.get("src") or ""
    hints = " ".join(filter(None, [element.get("class"), src]))
    display = "display" in hints.lower()
    for attribute in ("alt", "title"):
        text = (element.get(attribute) or "").strip()
        if text.startswith("$latex ") or text.startswith("latex "):  # WordPress.com's shortcode kept in alt
            text = _wordpress_tex(text.split(" ", 1)[1].rstrip("$"))
        if text and TEX_LIKE.search(text) and LATEX_IMAGE_HINTS.search(hints):
            stats.add("image_alt")
            _replace(element, text.strip("$").strip(), display, "image_alt")
            return
    tex = image_url_tex(src)
    if tex:
        stats.add("image_url")
        _replace(element, tex, display, "image_url")


# TeX renderers that take the formula in the image URL: the whole query (mimeTeX, mathTeX, CodeCogs) or one
# parameter (WordPress and others' latex.php?latex=, Google Chart's chl= with cht=tx, tex= / formula=)
_QUERY_RENDERERS = re.compile(r"(?:mimetex|mathtex)\.cgi$|\.latex$|/latex$", re.IGNORECASE)
_TEX_PARAMETERS = ("latex", "tex", "chl", "formula", "eq", "equation")
# rendering options that CodeCogs and mimeTeX accept in front of the formula
_RENDER_OPTIONS = re.compile(r"^\s*(?:\\(?:dpi|bg|fg|fn|png|gif|svg|inline|normal|large|Large|small|tiny|huge|Huge)"
                             r"(?:_\w+|\{[^}]*\})?\s*)+")  # fmt: skip


def image_url_tex(src: str) -> str | None:
    """The TeX a formula-renderer image URL carries (URL-decoded), or None for other images."""
    from urllib.parse import parse_qs, unquote, urlsplit

    if "?" not in src:
        return None
    try:
        parts = urlsplit(src)
    except ValueError:
        return None
    path, query = parts.path, parts.query
    if not query:
        return None
    tex = None
    if _QUERY_RENDERERS.search(path):
        tex = unquote(query)
    elif re.search(r"latex|tex|math|chart|formula|equation", path, re.IGNORECASE):
        values = parse_qs(query, keep_blank_values=False)
        if path.endswith("/chart") and values.get("cht") != ["tx"]:
            return None
        tex = next((values[name][0] for name in _TEX_PARAMETERS if values.get(name)), None)
    if not tex:
        return None
    tex = _RENDER_OPTIONS.sub("", tex).strip()
    return tex if tex and TEX_LIKE.search(tex) or (tex and len(tex) <= 3) else None


def _custom_formula(element, stats: MathStats) -> None:
    """`<formula>` elements and AsciiMath's `<amath>` / `span.amath`: the text is the formula."""
    text = " ".join("".join(element.itertext()).split())
    if not text:
        _remove(element)
        return
    if local_name(element) == "formula":
        stats.add("formula_element")
        display = element.get("display") == "block" or element.get("type") == "display"
        _replace_delimited(element, text, display, "formula_element")
    else:
        stats.add("asciimath")
        _replace(element, asciimath_to_tex(text.strip("`")), False, "asciimath")


_OPENING_DELIMITER = re.compile(r"(?<!\\)\\[\[(]")  # \( or \[, not the line break \\[1em]
TEX_COMMAND = re.compile(r"\\[A-Za-z]+|[\^_]\{")


def _tex_source_element(element, stats: MathStats) -> None:
    """An element named like a formula (`TEX_SOURCE_CLASSES`) that holds bare TeX (a command or a braced script,
    no delimiters) becomes a delimited formula; one holding plain-text math (`1 yr = 525600 min`) or already
    delimited TeX is left as it is."""
    if not (_classes(element) & TEX_SOURCE_CLASSES) or any(local_name(c) not in ("br", "") for c in element):
        return
    text = "".join(element.itertext()).strip()
    if not text or not TEX_COMMAND.search(text) or "$" in text or _OPENING_DELIMITER.search(text):
        return
    stats.add("tex_source")
    _replace(element, text, local_name(element) in ("div", "p"), "tex_source")


def _code(element, stats: MathStats) -> None:
    """`<code>` around nothing but a delimited formula (`<code>$x^2$</code>`, a common way to stop Markdown
    editors from mangling TeX): the formula, as text."""
    if len(element):
        return
    text = (element.text or "").strip()
    match = DELIMITED.fullmatch(text)
    if match:
        stats.add("code_tex")
        _replace_delimited(element, text, text.startswith(("$$", "\\[")), "code_tex")


# a formula with its own delimiters, as a whole string
DELIMITED = re.compile(r"\$\$.+?\$\$|\$[^$]+\$|\\\(.+?\\\)|\\\[.+?\\\]|\\begin\{(\w+\*?)\}.+?\\end\{\1\}", re.DOTALL)
# forum BBCode math tags: [tex] and [math] display, [itex] inline (PhysicsForums' convention); [latex] inline
BBCODE_MATH = re.compile(r"\[(tex|itex|math|latex)\](.+?)\[/\1\]", re.IGNORECASE | re.DOTALL)
# WordPress.com's LaTeX shortcode in text: $latex x^2&bg=ffffff$
WORDPRESS_LATEX = re.compile(r"\$latex\s+([^$]+?)\$")


def _bbcode(match: re.Match) -> str:
    tex = match[2].strip()
    return f"$${tex}$$" if match[1].lower() in ("tex", "math") else f"${tex}$"


def _wordpress_tex(tex: str) -> str:
    """The formula of a WordPress `$latex …$` shortcode, without its `&bg=`, `&fg=`, `&s=` options."""
    return re.sub(r"&(?:amp;)?(?:bg|fg|s|zoom)=[^&$]*", "", tex).strip()


def _replace_delimited(element, text: str, display: bool, kind: str) -> None:
    """Like `_replace`, for text that may already carry its delimiters (kept as they are)."""
    if DELIMITED.fullmatch(text.strip()):
        parent = element.getparent()
        if parent is None:
            return
        block = display and local_name(parent) in ("body", "div", "section", "article")
        new = etree.Element("p" if block else "span", {FORMULA_MARK: kind})
        new.text = text.strip()
        new.tail = element.tail
        parent.replace(element, new)
    else:
        _replace(element, text, display, kind)


def _with_display(tex_and_kind: tuple[str, str], display: bool) -> tuple[str, bool, str]:
    """`_replace`'s arguments from `_mathml_tex`'s (TeX, kind)."""
    return tex_and_kind[0], display, tex_and_kind[1]


def _strip_displaystyle(tex: str) -> str:
    """Wikipedia wraps every annotation in `{\\displaystyle ...}`; the formula is what is inside."""
    match = re.fullmatch(r"\s*\{\\displaystyle\s*(.*)\}\s*", tex, re.DOTALL)
    return match[1] if match else tex
