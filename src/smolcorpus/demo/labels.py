"""The demo's labelled sets: graded 0–5 by a stated rule, from text every installation carries, and none of it in
what the demo's runs score (the scores the runs record are on held-out documents).

- code: small Python files of the standard library (the code run reads installed packages, not the standard
  library); grade = one point per 10% of non-blank lines that are comments or docstrings, at most 5;
- web: SciPy's `scipy.special` docstrings, written as pages like the demo WARC's NumPy pages (`demo/web.py`) and
  extracted by the pipeline's extractor; grade = TeX formulas on the page, at most 5.

These are demo labels: a rule made them, so a classifier that learns them proves the plumbing, not quality. Real
labels come from `smolcorpus annotate` (an LLM judge behind any OpenAI-compatible server).
"""

from __future__ import annotations

import ast
import inspect
import re
import sysconfig
from pathlib import Path

from smolcorpus.extraction.formula_count import tex_in_text

CODE_RULE = "grade = one point per 10% of non-blank lines that are comments or docstrings, at most 5"
WEB_RULE = "grade = TeX formulas on the page (display and inline), at most 5"
# standard-library folders that are not library code (tests, IDLE) or not the standard library (installed packages)
_SKIPPED_FOLDERS = {"site-packages", "dist-packages", "test", "tests", "idlelib", "idle_test", "__pycache__"}
# small files: fastText trains on ≈ 0.8 MB of text per second on one thread, and ≈ 300 such files span every grade
CODE_MIN_BYTES, CODE_MAX_BYTES = 500, 8_000
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def documented_share(source: str) -> float | None:
    """Share of non-blank lines that are whole-line `#` comments or docstrings (module, class, function); None
    when the source does not parse as Python."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    lines = _LINE_BREAK.split(source)  # Python's own line breaks (str.splitlines also breaks at form feeds)
    nonblank = {number for number, line in enumerate(lines, 1) if line.strip()}
    documented = {number for number in nonblank if lines[number - 1].lstrip().startswith("#")}
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                documented.update(range(first.lineno, first.end_lineno + 1))
    return len(documented & nonblank) / max(len(nonblank), 1)


def code_grade(source: str) -> int | None:
    """CODE_RULE: one point per 10% of documented lines, at most 5 (None: not Python)."""
    share = documented_share(source)
    return None if share is None else min(5, int(share * 10))


def formula_count(text: str) -> int:
    """TeX formulas in extracted text, display and inline, as every count in smolcorpus reads them
    (`extraction.formula_count.tex_in_text`)."""
    return len(tex_in_text(text))


def math_grade(text: str) -> int:
    """WEB_RULE: TeX formulas on the page, at most 5."""
    return min(5, formula_count(text))


def stdlib_sources(limit: int = 300) -> list[Path]:
    """Up to `limit` Python files of the standard library between CODE_MIN_BYTES and CODE_MAX_BYTES, evenly spread
    over the sorted list (modules up to two package levels down; no tests)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    files = [
        path
        for path in sorted(path for pattern in ("*.py", "*/*.py", "*/*/*.py") for path in root.glob(pattern))
        if not _SKIPPED_FOLDERS & set(path.relative_to(root).parts)
        and CODE_MIN_BYTES <= path.stat().st_size <= CODE_MAX_BYTES
    ]
    step = max(1, len(files) // limit)
    return files[::step][:limit]


def code_examples(limit: int = 300) -> list[dict]:
    """Labelled rows (`id`, `text`, `score`) of standard-library files, graded by CODE_RULE."""
    rows = []
    root = Path(sysconfig.get_paths()["stdlib"])
    for path in stdlib_sources(limit):
        text = path.read_text(encoding="utf-8", errors="replace")
        grade = code_grade(text)
        if grade is not None:
            rows.append({"id": f"stdlib/{path.relative_to(root).as_posix()}", "text": text, "score": float(grade)})
    return rows


def web_examples(limit: int = 400) -> list[dict]:
    """Labelled rows (`id`, `text`, `score`) of `scipy.special` docstring pages, graded by WEB_RULE on the text
    the pipeline's extractor returns (the text the precision classifier scores in the run)."""
    import scipy.special

    from smolcorpus.demo.web import MARKUPS, math_page
    from smolcorpus.extraction.math_extractor import extract_math_text

    rows = []
    documented = [(name, inspect.getdoc(obj)) for name, obj in sorted(vars(scipy.special).items())
                  if not name.startswith("_") and callable(obj)]  # fmt: skip
    for i, (name, doc) in enumerate((n, d) for n, d in documented if d):
        if len(rows) == limit:
            break
        # as the WARC's pages: no Examples section (interpreter sessions), formulas in one of the four markups
        html = math_page(f"scipy.special.{name}", doc.split("\nExamples\n--------")[0], MARKUPS[i % len(MARKUPS)])
        result = extract_math_text(html)
        if result is not None and result.text.strip():
            rows.append({"id": f"scipy.special/{name}", "text": result.text, "score": float(math_grade(result.text))})
    return rows
