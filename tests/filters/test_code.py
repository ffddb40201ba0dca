"""Code filters on the real files of ../shared/data/code, whose index marks what each file is."""

import json

import pytest
from datatrove.data import Document

from smolcorpus.config import CodeFiltersConfig
from smolcorpus.filters.code import (
    AlphanumericFilter,
    CodeLanguageFilter,
    CommunityFileFilter,
    DataHeavyFilter,
    EncodedDataFilter,
    FileSizeFilter,
    GeneratedFilter,
    LineLengthFilter,
    MinifiedFilter,
    PermissiveLicenseFilter,
    VendoredFilter,
)

# what the index calls a file → the drop reasons that are right for it
EXPECTED = {
    "minified": ("minified", "vendored_path"),
    "lockfile": ("lockfile", "vendored_path"),
    "webpack bundle": ("generated_bundle", "minified"),
    "IDE-generated": ("generated_tool_file",),
    "auto-generated index": ("generated_link_index",),
    "data-heavy": ("data_numeric_literal", "data_literal_table", "vendored_header", "vendored_path"),
    "vendored": ("vendored_path", "vendored_header"),
    "boilerplate docs": ("community_file",),
}


@pytest.fixture(scope="module")
def code_documents(shared_data):
    documents = []
    for line in (shared_data / "code" / "index.jsonl").read_text().splitlines():
        entry = json.loads(line)
        text = (shared_data / entry["file"]).read_bytes().decode("utf-8", errors="replace")
        metadata = {"path": entry["path"], "language": entry["language"], "repo_name": entry["repo"],
                    "edu_hint": entry["edu_hint"], "category": entry["category"],
                    # the index's hand labels, under names the filters do not read (Stack v2's is_vendor/is_generated
                    # flags would drop these files without testing our rules)
                    "marked_generated": entry["is_generated"], "marked_vendor": entry["is_vendor"]}  # fmt: skip
        documents.append(Document(text=text, id=entry["file"], metadata=metadata))
    return documents


def rule_filters(rules: CodeFiltersConfig = CodeFiltersConfig()) -> list:
    """The rule filters in the stack_edu pipeline's order (cheap metadata checks first, text scans last), with the
    config's thresholds: steps have none of their own."""
    return [
        FileSizeFilter(rules.min_bytes, rules.max_bytes),
        VendoredFilter(),
        CommunityFileFilter(),
        GeneratedFilter(),
        MinifiedFilter(),
        EncodedDataFilter(rules.max_encoded_fraction, rules.max_encoded_run),
        DataHeavyFilter(rules.max_data_file_bytes, rules.max_table_fraction, rules.max_digit_fraction),
        LineLengthFilter(rules.max_line_length, rules.max_mean_line_length),
        AlphanumericFilter(rules.min_alphanumeric_fraction),
    ]


def first_drop(doc: Document) -> str | None:
    for step in rule_filters():
        result = step.filter(doc)
        if result is not True:
            return result[1]
    return None


def is_marked(doc: Document) -> bool:
    category = doc.metadata["category"]
    return (
        doc.metadata["marked_generated"]
        or doc.metadata["marked_vendor"]
        or any(word in category for word in ("minified", "lockfile", "data-heavy", "boilerplate docs"))
    )


def test_marked_files_are_dropped_with_the_right_reason(code_documents):
    marked = [doc for doc in code_documents if is_marked(doc)]
    assert len(marked) >= 18
    for doc in marked:
        reason = first_drop(doc)
        allowed = next((reasons for key, reasons in EXPECTED.items() if key in doc.metadata["category"]), None)
        assert reason is not None, f"{doc.id} ({doc.metadata['category']}) survived the rule filters"
        assert allowed is None or reason in allowed, f"{doc.id}: dropped as {reason}, expected one of {allowed}"


def test_tutorial_files_survive(code_documents):
    tutorials = [doc for doc in code_documents if doc.metadata["edu_hint"] == "high"]
    dropped = {doc.id: first_drop(doc) for doc in tutorials if first_drop(doc)}
    assert len(tutorials) >= 250
    assert len(dropped) <= 0.05 * len(tutorials), dropped


def test_filters_run_as_datatrove_steps_and_count_reasons(code_documents):
    steps = rule_filters()
    stream = iter(code_documents)
    for step in steps:
        stream = step.run(stream)
    kept = list(stream)
    dropped = {key: int(value.total) for step in steps for key, value in step.stats.stats.items()
               if key.startswith("dropped_")}  # fmt: skip
    assert len(kept) + sum(dropped.values()) == len(code_documents)
    assert dropped["dropped_minified"] >= 2 and dropped["dropped_lockfile"] >= 2
    assert dropped["dropped_community_file"] == 1  # trekhleb/javascript-algorithms' CODE_OF_CONDUCT.md


def test_metadata_filters():
    doc = Document(text="x = 1\n", id="a", metadata={"language": "Python", "license_type": "no_license"})
    assert CodeLanguageFilter().filter(doc) is True
    assert CodeLanguageFilter(["Rust"]).filter(doc) == (False, "language_not_allowed")
    assert PermissiveLicenseFilter().filter(doc) == (False, "license_not_permissive")
    permissive = Document(text="", id="b", metadata={"detected_licenses": ["MIT", "Apache-2.0"]})
    assert PermissiveLicenseFilter().filter(permissive) is True
    assert PermissiveLicenseFilter().filter(Document(text="", id="c")) == (False, "license_unknown")
    assert FileSizeFilter(min_bytes=1, max_bytes=3).filter(doc) == (False, "file_too_large")
    rules = CodeFiltersConfig()  # the config holds the defaults; steps take them as arguments
    assert FileSizeFilter(rules.min_bytes, rules.max_bytes).filter(doc) == (False, "file_too_small")
    line_length = LineLengthFilter(rules.max_line_length, rules.max_mean_line_length)
    assert line_length.filter(Document(text="y" * 1001, id="d")) == (False, "max_line_length")


def test_stack_v2_flags_drop_vendored_and_generated_rows():
    source = "def add(a, b):\n    return a + b\n"
    assert VendoredFilter().filter(Document(text=source, id="a", metadata={"path": "src/add.py"})) is True
    flagged = Document(text=source, id="b", metadata={"path": "src/add.py", "is_vendor": True})
    assert VendoredFilter().filter(flagged) == (False, "vendored_flag")
    generated = Document(text=source, id="c", metadata={"path": "src/add.py", "is_generated": True})
    assert GeneratedFilter().filter(generated) == (False, "generated_flag")
    assert GeneratedFilter().filter(Document(text=source, id="d", metadata={"is_generated": False})) is True
