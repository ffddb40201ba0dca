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
    with pytest.raises(InputFileError, match="not a Parquet or JSONL"):
        list_document_files([str(tmp_path / "notes.txt")])
    with pytest.raises(InputFileError, match="no such file"):
        list_document_files([str(tmp_path / "missing")])


def test_hidden_files_in_folders_are_skipped(tmp_path):
    (tmp_path / ".parts").mkdir()
    (tmp_path / ".parts" / "x.json").write_text("{}")
    (tmp_path / "_tmp.jsonl").write_text("{}")
    (tmp_path / "real.jsonl").write_text(json.dumps({"text": "a"}))
    assert list_document_files([str(tmp_path)]) == [str(tmp_path / "real.jsonl")]
