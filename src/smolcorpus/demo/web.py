"""The demo's web pages: a WARC made offline from text every smolcorpus installation carries.

Math pages come from NumPy's docstrings that hold `.. math::` blocks (real formulas written by NumPy's authors):
each becomes an HTML page whose formulas use one of the markups the web uses — MathJax `math/tex` scripts, KaTeX
(TeX annotation + rendered HTML), MathML with a TeX annotation, Distill `d-math` — and inline `:math:` roles
become `\\(...\\)`. Pages without math come from Python's help topics. Both are written as HTTP responses into
one gzipped WARC, so the demo runs the `finemath` pipeline exactly as on Common Crawl.
"""

from __future__ import annotations

import html
import importlib
import inspect
import io
import re
from pathlib import Path

NUMPY_MODULES = ("numpy", "numpy.linalg", "numpy.fft", "numpy.polynomial.polynomial", "numpy.random")
# `.. math:: formula` on one line, or `.. math::` then (after optional blank lines) the indented formula lines
_MATH_BLOCK = re.compile(r"\.\. math::[ \t]*(\S[^\n]*)?\n(?(1)|(?:[ \t]*\n)*((?:[ \t]+\S[^\n]*(?:\n|$))+))")
_INLINE_MATH = re.compile(r":math:`([^`]+)`")
MARKUPS = ("mathjax", "katex", "mathml", "distill")
LIBRARIES = {  # what each markup's pages load (the prefilter looks for such markers)
    "mathjax": '<script src="https://cdn.example/mathjax/tex-chtml.js"></script>',
    "katex": '<link rel="stylesheet" href="https://cdn.example/katex.min.css">',
    "mathml": "",
    "distill": '<script src="https://distill.pub/template.v2.js"></script>',
}


def numpy_math_docstrings(limit: int = 40) -> list[tuple[str, str]]:
    """(qualified name, docstring) of NumPy callables whose docstrings contain `.. math::` blocks."""
    found, seen = [], set()
    for module_name in NUMPY_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name, obj in sorted(vars(module).items()):
            doc = inspect.getdoc(obj) if callable(obj) else None
            if doc and ".. math::" in doc and id(obj) not in seen:
                seen.add(id(obj))
                # the Examples section is interpreter sessions, not prose: a web article would not carry it
                found.append((f"{module_name}.{name}", doc.split("\nExamples\n--------")[0]))
    return found[:limit]


def _formula(tex: str, markup: str, display: bool) -> str:
    escaped = html.escape(tex)
    if markup == "mathjax":
        kind = "math/tex; mode=display" if display else "math/tex"
        return f'<span class="MathJax">[rendered]</span><script type="{kind}">{escaped}</script>'
    if markup == "katex":
        body = (f'<span class="katex"><span class="katex-mathml"><math><semantics><mrow></mrow><annotation '
                f'encoding="application/x-tex">{escaped}</annotation></semantics></math></span>'
                f'<span class="katex-html" aria-hidden="true">[rendered]</span></span>')  # fmt: skip
        return f'<span class="katex-display">{body}</span>' if display else body
    if markup == "mathml":
        mode = ' display="block"' if display else ""
        return (f'<math xmlns="http://www.w3.org/1998/Math/MathML"{mode}><semantics><mrow></mrow>'
                f'<annotation encoding="application/x-tex">{escaped}</annotation></semantics></math>')  # fmt: skip
    return f"<d-math{' block' if display else ''}>{escaped}</d-math>"


def math_page(name: str, doc: str, markup: str) -> str:
    """An HTML article for one docstring, its formulas in `markup`."""
    library = LIBRARIES[markup]
    formulas: list[str] = []

    def hold(match: re.Match) -> str:  # each display formula becomes its own paragraph, marked by its number
        body = match[1] or match[2] or ""
        formulas.append(" ".join(line.strip() for line in body.splitlines() if line.strip()))
        return f"\n\n\x00{len(formulas) - 1}\x00\n\n"

    parts = []
    for block in re.split(r"\n\s*\n", _MATH_BLOCK.sub(hold, doc + "\n")):
        block = block.strip()
        marker = re.fullmatch(r"\x00(\d+)\x00", block)
        if marker:
            parts.append(f"<div>{_formula(formulas[int(marker[1])], markup, display=True)}</div>")
        elif block:
            parts.append(f"<p>{_inline(block)}</p>")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{name}</title>{library}</head><body>"
            f"<nav><a href='/'>Home</a></nav><article><h1>{name}</h1>{''.join(parts)}</article>"
            f"<footer>Made from the docstring of {name} (NumPy).</footer></body></html>")  # fmt: skip


def _inline(text: str) -> str:
    pieces = _INLINE_MATH.split(html.escape(text))
    return "".join(f"\\({piece}\\)" if i % 2 else piece for i, piece in enumerate(pieces))


def help_page(topic: str, text: str) -> str:
    paragraphs = "".join(f"<p>{html.escape(p.strip())}</p>" for p in re.split(r"\n\s*\n", text) if p.strip())
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{topic}</title></head><body><article>"
            f"<h1>{topic}</h1>{paragraphs}</article></body></html>")  # fmt: skip


def write_demo_warc(path: Path, math_limit: int = 40, other_limit: int = 120) -> dict[str, int]:
    """Write the demo WARC; return how many math and other pages it holds."""
    from pydoc_data.topics import topics

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    pages = []
    for i, (name, doc) in enumerate(numpy_math_docstrings(math_limit)):
        pages.append((f"https://math.demo.invalid/numpy/{name}", math_page(name, doc, MARKUPS[i % len(MARKUPS)])))
    math_pages = len(pages)
    for topic, text in sorted(topics.items())[:other_limit]:
        pages.append((f"https://docs.demo.invalid/python/{topic}", help_page(topic, text)))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, page in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            payload = io.BytesIO(page.encode("utf-8"))
            writer.write_record(writer.create_warc_record(url, "response", payload=payload, http_headers=headers))
    return {"math_pages": math_pages, "other_pages": len(pages) - math_pages}
