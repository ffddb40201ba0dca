"""Token shards per group: reading curated files, which groups get a manifest, and groups nothing was kept of
(no tokenizer is loaded here; the grouped runs are in the corpus pipelines' tests)."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.io import get_datafolder

from smolcorpus.tokenize.grouped import (
    GroupedManifestWriter,
    GroupedTokenShardWriter,
    _has_documents,
    read_curated_documents,
)
from smolcorpus.tokenize.shards import part_record_name
from smolcorpus.tokenize.tokenizer import TokenizerSpec

TOKENIZER = TokenizerSpec("test", "/nowhere/tokenizer.json", "0" * 64, 49152, "<|endoftext|>", 0)


def test_curated_rows_become_documents_with_metadata(real_documents, tmp_path):
    articles = sorted((k, v) for k, v in real_documents.items() if k.startswith("article/"))[:5]
    rows = [{"blob_id": f"b{i}", "text": text, "language": "en"} for i, (_, text) in enumerate(articles)]
    rows.append({"blob_id": "empty", "text": None, "language": "en"})
    (tmp_path / "en").mkdir()
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "en" / "00000.parquet")
    docs = list(read_curated_documents(get_datafolder(str(tmp_path)), "en/00000.parquet", "blob_id"))
    assert [d.id for d in docs] == ["b0", "b1", "b2", "b3", "b4", "empty"]
    assert [d.text for d in docs[:5]] == [text for _, text in articles] and docs[5].text == ""
    assert docs[0].metadata == {"blob_id": "b0", "language": "en"}  # every column but the text


def write_record(folder, rank, documents):
    (folder / part_record_name(rank)).parent.mkdir(parents=True, exist_ok=True)
    (folder / part_record_name(rank)).write_text(json.dumps({"documents": documents}))


def test_which_groups_have_documents(tmp_path):
    folder = get_datafolder(str(tmp_path))
    assert not _has_documents(folder, 2)  # no record: no curated files for this group
    write_record(tmp_path, 0, 0)
    assert _has_documents(folder, 2)  # a task missing: the manifest writer must report it
    write_record(tmp_path, 1, 0)
    assert not _has_documents(folder, 2)  # every task finished, nothing kept
    write_record(tmp_path, 1, 3)
    assert _has_documents(folder, 2)


def test_groups_nothing_was_kept_of_are_skipped(tmp_path):
    (tmp_path / "curated").mkdir()
    writer = GroupedTokenShardWriter(str(tmp_path / "curated"), str(tmp_path / "tokens"), ["python", "go"], TOKENIZER)
    assert list(writer.run(None, rank=0, world_size=1)) == []
    assert not (tmp_path / "tokens").exists()  # no group folder, no tokenizer loaded, nothing written
    manifests = GroupedManifestWriter(str(tmp_path / "tokens"), ["python", "go"], TOKENIZER, 1, None)
    assert list(manifests.run(None, rank=0, world_size=1)) == []
    assert "manifests" not in manifests.stats.to_dict()  # no manifest counted
    assert not (tmp_path / "tokens").exists()
