"""Curated writers: fixed schemas, one folder per language (code) or per subset (math)."""

import pyarrow.parquet as pq
from datatrove.data import Document

from smolcorpus.writers.curated import (
    FINEMATH_SCHEMA,
    STACK_EDU_SCHEMA,
    FineMathWriter,
    StackEduWriter,
    language_slug,
)


def test_language_slugs():
    assert [language_slug(x) for x in ("C++", "C#", "Python", "Objective-C", "")] == [
        "cpp", "csharp", "python", "objective-c", "unknown"]  # fmt: skip


def test_stack_edu_rows_per_language(tmp_path):
    docs = [
        Document(
            text="int main() {}\n",
            id="a",
            metadata={
                "blob_id": "a" * 40,
                "language": "C++",
                "detected_licenses": ["MIT"],
                "edu_score": 3.4,
                "edu_int_score": 3,
            },
        ),  # fmt: skip
        Document(text="print(1)\n", id="b", metadata={"language": "Python"}),  # unscored: nulls
    ]
    writer = StackEduWriter(str(tmp_path))
    list(writer.run(iter(docs)))
    cpp = pq.read_table(tmp_path / "cpp" / "00000.parquet")
    assert cpp.schema.equals(STACK_EDU_SCHEMA) and cpp.to_pylist()[0]["int_score"] == 3
    python = pq.read_table(tmp_path / "python" / "00000.parquet").to_pylist()[0]
    assert python["score"] is None and python["blob_id"] == "b" and python["length_bytes"] == 9


def test_finemath_pages_go_to_every_subset_they_reach(tmp_path):
    docs = [Document(text=f"page {g}", id=str(g), metadata={"url": f"https://x/{g}", "math_int_score": g,
                                                            "math_score": g + 0.2}) for g in (2, 3, 4, 5)]  # fmt: skip
    list(FineMathWriter(str(tmp_path), {"3plus": 3, "4plus": 4}).run(iter(docs)))

    def ids(subset):
        table = pq.read_table(tmp_path / subset / "00000.parquet")
        assert table.schema.equals(FINEMATH_SCHEMA)
        return sorted(table["id"].to_pylist())

    assert ids("3plus") == ["3", "4", "5"] and ids("4plus") == ["4", "5"]
    list(FineMathWriter(str(tmp_path / "ungraded")).run(iter(docs)))
    assert pq.read_table(tmp_path / "ungraded" / "all" / "00000.parquet").num_rows == 4
