import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from tokenizers import Tokenizer

from smolcorpus.config import validate_config
from smolcorpus.run import run_config
from smolcorpus.tokenize import encode_documents, read_manifest


def tokenize_run(inputs, output, tasks=3, **tokenize):
    config = validate_config(
        {
            "pipeline": "tokenize",
            "name": "test",
            "output_dir": str(output),
            "input": {"paths": [str(p) for p in inputs]},
            "tokenize": tokenize,
            "executor": {"kind": "local", "tasks": tasks, "workers": 2},
        }
    )
    return run_config(config)


def read_rows(folder):
    manifest = read_manifest(str(folder))
    rows = []
    for shard in manifest["shards"]:
        rows.extend(pq.read_table(folder / shard["file"]).to_pylist())
    return manifest, rows


@pytest.fixture(scope="module")
def tokenized(real_corpus, tmp_path_factory):
    output = tmp_path_factory.mktemp("tokens")
    summary = tokenize_run([real_corpus], output, carry_columns=["source", "language"])
    return output, summary


def test_ids_round_trip_and_match_a_direct_tokenizers_call(tokenized, real_documents, smollm2_tokenizer):
    output, _ = tokenized
    manifest, rows = read_rows(output)
    direct = Tokenizer.from_file(smollm2_tokenizer.path)
    direct.encode_special_tokens = True
    assert len(rows) == len(real_documents)
    for row in rows:
        text = real_documents[row["id"]]
        ids = row["input_ids"]
        assert ids[-1] == 0  # <|endoftext|> closes every document
        assert direct.decode(ids[:-1], skip_special_tokens=False) == text
        assert ids[:-1] == direct.encode(text, add_special_tokens=False).ids
        assert row["n_tokens"] == len(ids)


def test_schema_dtype_and_manifest(tokenized, real_documents, smollm2_tokenizer):
    output, summary = tokenized
    manifest, rows = read_rows(output)
    schema = pq.read_schema(output / manifest["shards"][0]["file"])
    assert str(schema.field("input_ids").type) == "list<element: uint16>"
    assert str(schema.field("n_tokens").type) == "int32"
    assert {"id", "source", "language"} <= set(schema.names)
    assert manifest["dtype"] == "uint16" and manifest["vocab_size"] == 49_152
    assert manifest["eos_token_id"] == 0 and manifest["eos_token"] == "<|endoftext|>"
    assert manifest["tokenizer"]["sha256"] == smollm2_tokenizer.sha256
    assert manifest["num_documents"] == len(real_documents) == sum(s["documents"] for s in manifest["shards"])
    assert manifest["num_tokens"] == sum(r["n_tokens"] for r in rows) == sum(s["tokens"] for s in manifest["shards"])
    assert manifest["pack_length"] is None
    assert summary.counter("tokenize", "tokens") == manifest["num_tokens"]
    # the copy next to the shards is the tokenizer that wrote them
    assert json.loads((output / "tokenizer.json").read_text()) == json.loads(Path(smollm2_tokenizer.path).read_text())


def test_datasets_loads_the_shards(tokenized, real_documents):
    import datasets

    output, _ = tokenized
    dataset = datasets.load_dataset("parquet", data_files=str(output / "*.parquet"), split="train")
    assert dataset.num_rows == len(real_documents)
    assert set(dataset["id"]) == set(real_documents)


def test_packed_rows_are_the_document_stream_cut_in_windows(real_corpus, tmp_path, tokenized, smollm2_tokenizer):
    _, doc_rows = read_rows(tokenized[0])
    summary = tokenize_run([real_corpus / "articles"], tmp_path, tasks=1, pack_length=255)
    manifest, rows = read_rows(tmp_path)
    assert manifest["pack_length"] == 255
    assert all(len(row["input_ids"]) == 256 for row in rows)
    by_id = {row["id"]: row["input_ids"] for row in doc_rows}
    articles = [by_id[i] for i in sorted(by_id) if i.startswith("article/")]
    # one task reads articles-0 then articles-1 in file order; rows are consecutive windows of that stream
    stream = [token for row in pq.read_table(real_corpus / "articles" / "articles-0.parquet").to_pylist()
              + pq.read_table(real_corpus / "articles" / "articles-1.parquet").to_pylist()
              for token in by_id[row["id"]]]  # fmt: skip
    assert sum(len(a) for a in articles) == len(stream)
    packed = [token for row in rows for token in row["input_ids"]]
    assert packed == stream[: len(packed)]
    assert manifest["dropped_tail_tokens"] == len(stream) - len(packed) < 256
    assert summary.counter("tokenize", "dropped_tail_tokens") == manifest["dropped_tail_tokens"]


def test_literal_special_token_text_is_not_the_special_id(smollm2_tokenizer):
    tokenizer = smollm2_tokenizer.load()
    tokenizer.encode_special_tokens = True
    flat, offsets = encode_documents(tokenizer, ["a <|endoftext|> b", "x"], 0, np.dtype(np.uint16))
    first = flat[offsets[0] : offsets[1]]
    assert list(first).count(0) == 1 and first[-1] == 0
    assert tokenizer.decode(first[:-1].tolist(), skip_special_tokens=False) == "a <|endoftext|> b"


def test_max_tokens_per_shard_rotates_files(real_corpus, tmp_path):
    tokenize_run(
        [real_corpus / "code"],
        tmp_path,
        tasks=1,
        max_tokens_per_shard=50_000,
        tokens_per_row_group=10_000,
        batch_size=20,
    )
    manifest, rows = read_rows(tmp_path)
    assert len(manifest["shards"]) > 3
    assert all(s["file"].startswith("00000_") for s in manifest["shards"])
    assert pq.ParquetFile(tmp_path / manifest["shards"][0]["file"]).metadata.num_row_groups >= 2
    assert len({row["id"] for row in rows}) == len(rows)


def test_a_long_text_is_encoded_in_pieces_with_the_ids_of_the_whole_text(real_documents):
    """A text past MAX_PIECE_CHARS (real documents joined: prose and code) is cut before lone spaces and encoded
    MAX_BATCH_CHARS at a time, which bounds the tokenizer's memory; the ids are those of the whole text."""
    from smolcorpus.tokenize.shards import MAX_BATCH_CHARS, MAX_PIECE_CHARS, encode_documents, text_pieces
    from smolcorpus.tokenize.tokenizer import resolve_tokenizer_spec

    spec = resolve_tokenizer_spec(None)
    tokenizer = spec.load()
    long_text = "\n\n".join(real_documents.values())
    while len(long_text) < 3 * MAX_PIECE_CHARS:
        long_text += "\n" + long_text
    pieces = text_pieces(long_text)
    assert len(pieces) > 3 and "".join(pieces) == long_text
    assert all(len(piece) <= MAX_PIECE_CHARS for piece in pieces) and MAX_PIECE_CHARS < MAX_BATCH_CHARS
    texts = ["a short one", long_text, "x" * (MAX_PIECE_CHARS + 7)]  # the last has no space to cut at
    flat, offsets = encode_documents(tokenizer, texts, spec.eos_token_id, spec.dtype)
    for i, text in enumerate(texts[:2]):
        expected = tokenizer.encode(text, add_special_tokens=False).ids + [spec.eos_token_id]
        assert flat[offsets[i] : offsets[i + 1]].tolist() == expected
    assert flat[offsets[3] - 1] == spec.eos_token_id and len(flat) == offsets[3]
