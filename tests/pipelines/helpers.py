"""Helpers shared by the executor tests: build a tokenize config, read back a token folder."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import yaml

from smolcorpus.tokenize import read_manifest


def tokenize_config(inputs: list[Path], output: Path, tasks: int, **executor) -> dict:
    return {
        "pipeline": "tokenize",
        "name": "test",
        "output_dir": str(output),
        "input": {"paths": [str(p) for p in inputs]},
        "tokenize": {"carry_columns": ["source"], "batch_size": 64},
        "executor": {"tasks": tasks, **executor},
    }


def write_config(path: Path, config: dict) -> Path:
    path.write_text(yaml.safe_dump(config))
    return path


def token_rows(folder: Path) -> dict[str, tuple]:
    """id → (input_ids, source) over every shard the manifest lists; asserts ids are unique."""
    manifest = read_manifest(str(folder))
    rows = {}
    for shard in manifest["shards"]:
        for row in pq.read_table(folder / shard["file"]).to_pylist():
            assert row["id"] not in rows, f"duplicate document {row['id']}"
            rows[row["id"]] = (tuple(row["input_ids"]), row.get("source"))
    return rows


def comparable_manifest(folder: Path) -> dict:
    manifest = read_manifest(str(folder))
    return {k: v for k, v in manifest.items() if k not in ("created_at",)}
