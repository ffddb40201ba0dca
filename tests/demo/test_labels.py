"""The demo's labelling rules on known sources and pages, and the labelled sets they make from what installs."""

import sysconfig
from pathlib import Path

from smolcorpus.demo.labels import (
    CODE_MAX_BYTES,
    CODE_MIN_BYTES,
    code_examples,
    code_grade,
    documented_share,
    formula_count,
    math_grade,
    stdlib_sources,
    web_examples,
)

SOURCE = '''"""A module docstring
on two lines."""

import os


def size(path):
    """One line."""
    # the size in bytes
    return os.path.getsize(path)


class Box:
    value = 1  # a trailing comment is code: the line holds code
'''


def test_documented_share_counts_comment_and_docstring_lines():
    # 9 non-blank lines; documented: the module docstring (2), the function docstring (1), the comment (1)
    assert documented_share(SOURCE) == 4 / 9
    assert code_grade(SOURCE) == 4  # 44% → one point per 10%
    assert code_grade("x = 1\ny = 2\n") == 0
    assert code_grade('"""Only a docstring."""\n') == 5  # 100%, capped at 5
    assert code_grade("def broken(:\n") is None and documented_share("def broken(:\n") is None


def test_line_numbers_follow_python_not_form_feeds():
    # a form feed is whitespace to Python, a line break to str.splitlines: the docstring must stay on line 3
    source = 'x = 1\n\x0c\n"""doc"""\ny = 2\n'
    assert documented_share('x = 1\n\x0c\ndef f():\n    """doc"""\n') == 1 / 3
    assert code_grade(source) == 0  # not a module docstring: the first statement is `x = 1`


def test_formulas_are_counted_as_the_demo_counts_them():
    text = "The sum $$\\sum_i x_i$$ and the mean \\(\\bar x\\), then $$y = ax + b$$."
    assert formula_count(text) == 3 and math_grade(text) == 3
    assert math_grade("no formula here") == 0
    assert math_grade(" ".join(["\\(x\\)"] * 9)) == 5


def test_stdlib_sources_are_small_library_files():
    root = Path(sysconfig.get_paths()["stdlib"])
    files = stdlib_sources(limit=40)
    assert 20 <= len(files) <= 40 and files == stdlib_sources(limit=40)
    for path in files:
        parts = set(path.relative_to(root).parts)
        assert not parts & {"test", "tests", "site-packages", "idlelib"}
        assert CODE_MIN_BYTES <= path.stat().st_size <= CODE_MAX_BYTES


def test_code_examples_are_graded_by_the_rule():
    rows = code_examples(limit=40)
    assert len(rows) >= 20 and all(row["id"].startswith("stdlib/") for row in rows)
    assert all(row["score"] == code_grade(row["text"]) for row in rows)
    assert len({row["score"] for row in rows}) >= 3  # the rule spreads real files over the grades


def test_web_examples_are_extracted_pages_graded_by_the_rule():
    rows = web_examples(limit=25)
    assert len(rows) == 25 and all(row["id"].startswith("scipy.special/") for row in rows)
    assert all(row["id"].replace("/", ".") in row["text"][:200] for row in rows)  # the page title, as extracted
    assert all(row["score"] == math_grade(row["text"]) for row in rows)
    assert {0.0} < {row["score"] for row in rows}  # pages with and without formulas
    assert not any("<math" in row["text"] or "katex" in row["text"] for row in rows)  # markup became TeX
