import json

import pytest

from smolcorpus.tokenize.manifest import MANIFEST_FORMAT, ManifestError, ManifestWriter, build_manifest, read_manifest


def part(rank, shards):
    return {"rank": rank, "shards": shards, "dropped_tail_tokens": rank}


def test_build_manifest_orders_by_rank_and_sums(smollm2_tokenizer):
    records = [
        part(1, [{"file": "00001_0000.parquet", "documents": 2, "rows": 2, "tokens": 30}]),
        part(0, [{"file": "00000_0000.parquet", "documents": 3, "rows": 3, "tokens": 10},
                 {"file": "00000_0001.parquet", "documents": 1, "rows": 1, "tokens": 5}]),
    ]  # fmt: skip
    manifest = build_manifest(records, smollm2_tokenizer, pack_length=None)
    assert [s["file"] for s in manifest["shards"]] == [
        "00000_0000.parquet",
        "00000_0001.parquet",
        "00001_0000.parquet",
    ]
    assert (manifest["num_documents"], manifest["num_rows"], manifest["num_tokens"]) == (6, 6, 45)
    assert manifest["dropped_tail_tokens"] == 1
    assert manifest["vocab_size"] == 49_152 and manifest["dtype"] == "uint16" and manifest["eos_token_id"] == 0


def test_manifest_stage_refuses_missing_task_records(tmp_path, smollm2_tokenizer):
    (tmp_path / ".parts").mkdir()
    (tmp_path / ".parts" / "00000.json").write_text(json.dumps(part(0, [])))
    writer = ManifestWriter(str(tmp_path), smollm2_tokenizer, shard_tasks=3, pack_length=None)
    with pytest.raises(ManifestError, match=r"shard tasks \[1, 2\] have no record"):
        list(writer.run())
    assert not (tmp_path / "manifest.json").exists()


def test_manifest_and_tokenizer_copy_are_written_whole(tmp_path, smollm2_tokenizer):
    """Written under a temporary name and moved into place (a full disk leaves no truncated manifest); a partial
    file left by a killed attempt is replaced."""
    (tmp_path / ".parts").mkdir()
    (tmp_path / ".parts" / "00000.json").write_text(json.dumps(part(0, [])))
    (tmp_path / "manifest.json.partial").write_text('{"format": ')  # an earlier attempt cut short
    list(ManifestWriter(str(tmp_path), smollm2_tokenizer, shard_tasks=1, pack_length=None).run())
    assert read_manifest(str(tmp_path))["num_documents"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".parts", "manifest.json", "tokenizer.json"]


def test_read_manifest_checks_format_and_files(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "other"}))
    with pytest.raises(ManifestError, match="unknown format"):
        read_manifest(str(tmp_path))
    (tmp_path / "manifest.json").write_text(
        json.dumps({"format": MANIFEST_FORMAT, "shards": [{"file": "gone.parquet"}]})
    )
    with pytest.raises(ManifestError, match="missing: \\['gone.parquet'\\]"):
        read_manifest(str(tmp_path))
