"""The pure code rules: the fast implementations agree with their plain definitions on the real files of
../shared/data/code, and catch what they are meant to catch."""

import base64
import json
import os

import pytest

from smolcorpus.filters import code_rules


@pytest.fixture(scope="module")
def code_texts(shared_data):
    texts = []
    for line in (shared_data / "code" / "index.jsonl").read_text().splitlines():
        entry = json.loads(line)
        texts.append((shared_data / entry["file"]).read_bytes().decode("utf-8", errors="replace"))
    return texts


def reference_encoded_data(text):
    runs = [len(m.group()) for m in code_rules._ENCODED_RUN.finditer(text) if code_rules._looks_encoded(m.group())]
    return sum(runs) / max(len(text), 1), max(runs, default=0)


def test_fast_rules_match_their_definitions_on_real_files(code_texts):
    assert sum(not t.isascii() for t in code_texts) > 10  # both paths of alphanumeric_fraction run
    for text in code_texts:
        expected = sum(c.isalnum() for c in text) / max(len(text), 1)
        assert code_rules.alphanumeric_fraction(text) == pytest.approx(expected, abs=1e-12)
        assert code_rules.encoded_data(text) == reference_encoded_data(text)


def test_encoded_runs_are_found_inside_code():
    blob = base64.b64encode(os.urandom(600)).decode()
    text = f'ICON = "data:image/png;base64,{blob}"\nprint(ICON)\n'
    fraction, longest = code_rules.encoded_data(text)
    assert longest >= len(blob) and fraction > 0.8
    escaped = "".join(f"\\x{b:02x}" for b in os.urandom(40))
    assert code_rules.encoded_data(f"payload = b'{escaped}'")[1] == len(escaped)
    assert code_rules.encoded_data("a_very_long_identifier_name_" * 5) == (0.0, 0)  # no digits: not data
    assert code_rules.alphanumeric_fraction("ab, 12 çé!") == pytest.approx(6 / 10)


# real data tables in installed packages (matplotlib and docutils are dependencies; the others come with them):
# named colours, emoji codes, SPDX licences, Unicode → TeX, Vim builtins, and Babel's plural rules, whose
# docstrings hold doctests next to the table
INSTALLED_TABLES = ("matplotlib._color_data", "rich._emoji_codes", "packaging.licenses._spdx",
                    "docutils.utils.math.unichar2tex", "pygments.lexers._vim_builtins",
                    "babel.messages.plurals")  # fmt: skip


def installed_file(module: str):
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec(module) if importlib.util.find_spec(module.split(".")[0]) else None
    if spec is None or not spec.origin:
        pytest.skip(f"{module} is not installed")
    return Path(spec.origin)


@pytest.mark.parametrize("module", INSTALLED_TABLES)
def test_a_table_in_code_is_data_whatever_documents_it(module):
    path = installed_file(module)
    text = path.read_text(encoding="utf-8")
    assert code_rules.data_heavy_reason(text, path.name) == "literal_table"


def test_documentation_lines_of_real_files(shared_data):
    """Docstrings, doctests and doc comments of the real tutorial files; code and strings assigned to names
    (problem_008's 1000-digit number, in a docstring and in a constant) are not documentation."""
    python = shared_data / "code" / "python" / "TheAlgorithms__Python"
    checked = 0
    for path in sorted(python.rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = text.splitlines()
        documentation = code_rules.documentation_lines(text, path.name)
        for number, line in enumerate(lines):
            if line.lstrip().startswith(">>> "):
                assert number in documentation, (path, line)
            if line.startswith(("def ", "class ", "import ", "from ")):  # code at the module's level
                assert number not in documentation, (path, line)
        checked += bool(documentation)
    assert checked >= 25
    euler = (python / "project_euler" / "problem_008" / "sol1.py").read_text()
    lines, documentation = euler.splitlines(), code_rules.documentation_lines(euler, "sol1.py")
    digits = [n for n, line in enumerate(lines) if line.strip().strip('"').isdigit() and len(line.strip()) > 40]
    assert {n for n in digits if lines[n].startswith("    7")} <= documentation  # the problem statement
    assert not {n for n in digits if lines[n].lstrip().startswith('"')} & documentation  # the constant N
    java = next(path for path in sorted((shared_data / "code" / "java").rglob("*.java")) if "/**" in path.read_text())
    text = java.read_text()
    javadoc = [n for n, line in enumerate(text.splitlines()) if line.lstrip().startswith(("/**", "* ", "*/"))]
    assert javadoc and set(javadoc) <= code_rules.documentation_lines(text, java.name)


def test_a_tutorial_of_doctests_is_no_literal_table(shared_data):
    """Issue 29: TheAlgorithms/Python's conversions/weight_conversion.py (MIT) converts between ten units and
    checks every pair in its docstring: 100 doctest lines `>>> weight_conversion("kilogram","gram",1)`, over half
    the file, made it a `data_literal_table` drop. Its docstring documents the function: it is kept."""
    path = shared_data / "code" / "python" / "TheAlgorithms__Python" / "conversions" / "weight_conversion.py"
    if not path.is_file():
        pytest.skip(f"{path} is not in the shared data (TheAlgorithms/Python@f5988cc09, conversions/)")
    text = path.read_text()
    rows, chars = code_rules.largest_table(text.splitlines())
    assert rows >= 100 and chars >= 0.5 * len(text)  # a table by count, but of doctests
    assert code_rules.data_heavy_reason(text, path.name) is None


def test_github_community_files_by_path(shared_data):
    """The shared data's real CODE_OF_CONDUCT.md (trekhleb/javascript-algorithms) is a community file; none of its
    tutorial READMEs, nor any other file of the shared code, is."""
    entries = [json.loads(line) for line in (shared_data / "code" / "index.jsonl").read_text().splitlines()]
    community = [e["path"] for e in entries if code_rules.is_community_file(e["path"])]
    assert community == ["CODE_OF_CONDUCT.md"]
    is_community = code_rules.is_community_file
    assert all(map(is_community, [".github/SECURITY.md", "SECURITY.md", "docs/CONTRIBUTING.md", "CONTRIBUTING.rst",
                                  ".github/ISSUE_TEMPLATE/bug_report.yml", ".github/PULL_REQUEST_TEMPLATE/release.md",
                                  ".github/pull_request_template.md", "packages/cli/CODE-OF-CONDUCT.md",
                                  ".github/FUNDING.yml", ".github/CODEOWNERS"]))  # fmt: skip
    # names that can title a real document count only where GitHub reads them; code files never
    assert not any(map(is_community, ["docs/tutorial/security.md", "src/support.md", "werkzeug/security.py",
                                      "contributing/README.md", ".github/workflows/ci.yml", "README.md"]))  # fmt: skip
