import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from smolcorpus.errors import InputFileError
from smolcorpus.readers import DocumentFileReader, document_format, list_document_files


def read_all(reader: DocumentFileReader, world_size: int = 1):
    docs = []
    for rank in range(world_size):
        docs.extend(reader.run(rank=rank, world_size=world_size))
    return docs


def counters(reader: DocumentFileReader) -> dict:
    return {key: value.total for key, value in reader.stats.stats.items()}


def test_format_from_name():
    assert document_format("a/b.jsonl.gz") == "jsonl"
    assert document_format("b.parquet") == "parquet"
    assert document_format("c.json.zst") == "jsonl"
    assert document_format("d.txt") is None


def test_reads_every_real_document_once(real_corpus, real_documents):
    docs = read_all(DocumentFileReader([str(real_corpus)]))
    assert {doc.id: doc.text for doc in docs} == real_documents
    assert len(docs) == len(real_documents)
    code = next(doc for doc in docs if doc.metadata.get("source") == "code")
    assert code.metadata["language"]  # other columns travel as metadata


def test_files_are_sharded_across_tasks_without_overlap(real_corpus, real_documents):
    files = list_document_files([str(real_corpus)])
    assert files == sorted(files) and len(files) == 8
    per_rank = [[d.id for d in DocumentFileReader([str(real_corpus)]).run(rank=r, world_size=3)] for r in range(3)]
    all_ids = [i for ids in per_rank for i in ids]
    assert len(all_ids) == len(set(all_ids)) == len(real_documents)
    assert all(per_rank)


def test_bad_records_are_counted_not_lost(tmp_path):
    path = tmp_path / "mixed.jsonl"
    lines = [
        json.dumps({"id": "ok", "text": "fine"}).encode(),
        json.dumps({"id": "empty", "text": ""}).encode(),
        json.dumps({"id": "null", "text": None}).encode(),
        json.dumps({"id": "no-text", "body": "x"}).encode(),
        b'{"id": "broken", "text": "unterminated',
        b'["not", "an", "object"]',
        b'{"id": "latin1", "text": "caf\xe9 au lait"}',
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    reader = DocumentFileReader([str(path)])
    docs = read_all(reader)
    assert [d.id for d in docs] == ["ok", "latin1"]
    assert docs[1].text == "caf\ufffd au lait"
    stats = counters(reader)
    assert stats["dropped_empty_text"] == 2
    assert stats["dropped_missing_text_column"] == 1
    assert stats["dropped_invalid_json"] == 2
    assert stats["undecodable_bytes_replaced"] == 1
    assert stats["documents"] == 2


def test_a_byte_order_mark_is_skipped_and_text_of_another_type_is_a_counted_drop(tmp_path, real_documents):
    """A JSONL file written with a UTF-8 BOM keeps its first record; a text that is a list, an object, a number or
    a boolean is `wrong_type_text`, never tokenized as its Python repr (`['a', 'b']`)."""
    (doc_id, text), *_ = real_documents.items()
    lines = [{"id": doc_id, "text": text}, {"id": "list", "text": ["a", "b"]}, {"id": "object", "text": {"a": 1}},
             {"id": "number", "text": 7}, {"id": "flag", "text": True}, {"id": "last", "text": "fine"}]  # fmt: skip
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join(json.dumps(line).encode() for line in lines) + b"\n")
    reader = DocumentFileReader([str(path)])
    docs = read_all(reader)
    assert [(d.id, d.text) for d in docs] == [(doc_id, text), ("last", "fine")]
    stats = counters(reader)
    assert stats["dropped_wrong_type_text"] == 4 and "dropped_invalid_json" not in stats


def test_binary_parquet_text_is_decoded_with_replacement(tmp_path):
    table = pa.table({"text": pa.array([b"plain", b"bad \xff byte", b""], pa.binary()), "id": ["a", "b", "c"]})
    pq.write_table(table, tmp_path / "bin.parquet")
    reader = DocumentFileReader([str(tmp_path / "bin.parquet")])
    docs = read_all(reader)
    assert [d.text for d in docs] == ["plain", "bad \ufffd byte"]
    assert counters(reader)["undecodable_bytes_replaced"] == 1
    assert counters(reader)["dropped_empty_text"] == 1


def test_missing_ids_get_file_and_row(tmp_path):
    with gzip.open(tmp_path / "noid.jsonl.gz", "wt") as f:
        f.write(json.dumps({"text": "one"}) + "\n" + json.dumps({"text": "two"}) + "\n")
    assert [d.id for d in read_all(DocumentFileReader([str(tmp_path)]))] == ["noid.jsonl.gz/0", "noid.jsonl.gz/1"]


def test_truncated_gzip_fails_naming_the_file(tmp_path, real_corpus):
    data = (real_corpus / "code" / "code-0.jsonl.gz").read_bytes()
    bad = tmp_path / "truncated.jsonl.gz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFileError, match="truncated.jsonl.gz"):
        read_all(DocumentFileReader([str(bad)]))


def test_corrupt_parquet_fails_naming_the_file(tmp_path):
    bad = tmp_path / "corrupt.parquet"
    bad.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputFileError, match="corrupt.parquet"):
        read_all(DocumentFileReader([str(bad)]))


def test_not_a_document_file_or_missing_path(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputFileError, match="not a Parquet, JSONL, CSV or TSV"):
        list_document_files([str(tmp_path / "notes.txt")])
    with pytest.raises(InputFileError, match="no such file"):
        list_document_files([str(tmp_path / "missing")])


def test_hidden_files_in_folders_are_skipped(tmp_path):
    (tmp_path / ".parts").mkdir()
    (tmp_path / ".parts" / "x.json").write_text("{}")
    (tmp_path / ".tmp.jsonl").write_text("{}")
    (tmp_path / "real.jsonl").write_text(json.dumps({"text": "a"}))
    assert list_document_files([str(tmp_path)]) == [str(tmp_path / "real.jsonl")]


def test_an_oversized_jsonl_document_is_dropped_with_bounded_memory(tmp_path):
    """A JSONL file with a 176 MB document between two real ones, tokenized by `smolcorpus tokenize` in a child
    process: the big line is dropped as too_large (streamed past, not read whole), the others are tokenized, and
    peak memory stays within 100 MB of tokenizing a one-line file (it grew past 6 GB)."""
    import json
    import sys

    from tests.conftest import run_measured

    path = tmp_path / "docs.jsonl"
    with open(path, "wb") as f:
        f.write(json.dumps({"id": "before", "text": "The first real document of the file."}).encode() + b"\n")
        f.write(b'{"id": "huge", "text": "')
        block = b"all work and no play " * 50_000
        for _ in range(176_000_000 // len(block)):
            f.write(block)
        f.write(b'"}\n')
        f.write(json.dumps({"id": "after", "text": "The document after the huge one."}).encode() + b"\n")
    assert path.stat().st_size > 170_000_000
    small = tmp_path / "small.jsonl"
    small.write_text(json.dumps({"id": "only", "text": "A single short document."}) + "\n")

    def tokenize(source, output):
        return run_measured([sys.executable, "-m", "smolcorpus.cli", "--quiet", "tokenize", str(source),
                             "--output", str(tmp_path / output)])  # fmt: skip

    baseline, baseline_mb = tokenize(small, "small")
    result, peak_mb = tokenize(path, "out")
    assert baseline.returncode == 0 and result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["num_documents"] == 2
    assert peak_mb < baseline_mb + 100, (peak_mb, baseline_mb)


def test_max_bytes_applies_to_parquet_text_and_jsonl_lines(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist([{"id": "a", "text": "short"}, {"id": "b", "text": "é" * 600}]),
                   tmp_path / "d.parquet")  # fmt: skip
    (tmp_path / "d.jsonl").write_text('{"id": "c", "text": "short"}\n{"id": "d", "text": "' + "x" * 2000 + '"}\n')
    reader = DocumentFileReader([str(tmp_path)], max_bytes=1000)
    docs = list(reader.run())
    assert sorted(d.id for d in docs) == ["a", "c"]
    assert reader.stats["dropped_too_large"].total == 2


def test_csv_and_tsv_documents(tmp_path, shared_data):
    """Real article bodies (with commas, quotes and newlines) written as CSV and TSV with a header row."""
    import csv
    import json

    truth = json.loads(
        (shared_data / "extraction_gt" / "article_extraction_benchmark" / "ground-truth.json").read_text()
    )
    rows = [
        {"id": key, "text": value["articleBody"], "score": i % 6}
        for i, (key, value) in enumerate(list(truth.items())[:20])
    ]
    for name, delimiter in (("docs.csv", ","), ("docs.tsv", "\t")):
        with open(tmp_path / name, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["id", "text", "score"], delimiter=delimiter)
            writer.writeheader()
            writer.writerows(rows)
    for name in ("docs.csv", "docs.tsv"):
        docs = list(DocumentFileReader([str(tmp_path / name)]).run())
        assert [d.id for d in docs] == [r["id"] for r in rows]
        assert [d.text for d in docs] == [r["text"] for r in rows]
        assert [d.metadata["score"] for d in docs] == [r["score"] for r in rows]
    assert document_format("labels.tsv.gz") == "tsv" and document_format("x.csv") == "csv"


def test_rows_without_ids_are_named_by_their_repository_path_or_url(tmp_path):
    """Issue 29: a row without an id column is named by what it says of itself (a Stack-Edu row: repository and
    path; a page: its URL; a blob id), and only a row without any of them by its place in its file."""
    rows = [{"text": "a", "repo_name": "o/r", "path": "src/a.py", "blob_id": "f" * 40},
            {"text": "b", "path": "b.md"}, {"text": "c", "url": "https://example.org/c"},
            {"text": "d", "blob_id": "e" * 40}, {"text": "e", "repo_name": "o/r"}]  # fmt: skip
    columns = ("text", "repo_name", "path", "url", "blob_id")
    pq.write_table(pa.table({c: [row.get(c) for row in rows] for c in columns}), tmp_path / "rows.parquet")
    ids = [d.id for d in read_all(DocumentFileReader([str(tmp_path / "rows.parquet")]))]
    assert ids == ["o/r/src/a.py", "b.md", "https://example.org/c", "e" * 40, "rows.parquet/4"]
