"""`manifest.json` of a tokenized shard folder: written once all shard tasks have finished.

The manifest is the folder's table of contents: a loader trusts it rather than globbing, and a shard that is not
in it (for example left behind by a crashed run with another task count) is not part of the dataset.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import datetime, timezone

import pyarrow as pa
from datatrove.data import DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep

from smolcorpus import __version__
from smolcorpus.errors import InputFileError, SmolcorpusError
from smolcorpus.tokenize.shards import part_record_name
from smolcorpus.tokenize.tokenizer import TokenizerSpec

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "smolcorpus.token-shards.v1"
TOKENIZER_COPY = "tokenizer.json"


class ManifestError(SmolcorpusError):
    """A token folder has no manifest, or one that does not match its files."""


@contextlib.contextmanager
def reading_shard(path: object) -> Iterator[None]:
    """Around every read of a token shard (`mix`, `publish`, the loader): a damaged or truncated Parquet file is one
    `InputFileError` naming the file, not a pyarrow traceback."""
    try:
        yield
    except (pa.ArrowException, OSError, EOFError) as e:
        raise InputFileError(str(path), f"not a readable Parquet shard ({type(e).__name__}: {e})") from e


def build_manifest(part_records: list[dict], tokenizer: TokenizerSpec, pack_length: int | None) -> dict:
    """Merge the per-task records written by `TokenShardWriter` into the manifest dict (pure, no I/O)."""
    shards = [shard for record in sorted(part_records, key=lambda r: r["rank"]) for shard in record["shards"]]
    return {
        "format": MANIFEST_FORMAT,
        "tokenizer": {"name": tokenizer.name, "sha256": tokenizer.sha256, "file": TOKENIZER_COPY},
        "vocab_size": tokenizer.vocab_size,
        "eos_token": tokenizer.eos_token,
        "eos_token_id": tokenizer.eos_token_id,
        "dtype": tokenizer.dtype.name,
        "pack_length": pack_length,
        "num_documents": sum(s["documents"] for s in shards),
        "num_rows": sum(s["rows"] for s in shards),
        "num_tokens": sum(s["tokens"] for s in shards),
        "dropped_tail_tokens": sum(r.get("dropped_tail_tokens", 0) for r in part_records),
        "shards": shards,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "smolcorpus_version": __version__,
    }


class ManifestWriter(PipelineStep):
    """Write `manifest.json` (and a copy of tokenizer.json) once every shard task of the previous stage is done.

    Runs as a single task that depends on the shard stage; fails if a task's record is missing.

    Args:
        output_folder: the shard folder.
        tokenizer: the tokenizer the shards were written with.
        shard_tasks: how many tasks wrote shards (their records `.parts/00000.json`... must all exist).
        pack_length: as given to the writer (None for one row per document).
    """

    name = "📒 Token manifest"
    type = "✍️ - WRITER"

    def __init__(
        self, output_folder: DataFolderLike, tokenizer: TokenizerSpec, shard_tasks: int, pack_length: int | None
    ):
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.tokenizer_spec = tokenizer
        self.shard_tasks = shard_tasks
        self.pack_length = pack_length

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        if rank != 0:
            return
        missing = [r for r in range(self.shard_tasks) if not self.output_folder.isfile(part_record_name(r))]
        if missing:
            raise ManifestError(
                f"{self.output_folder.path}: shard tasks {missing} have no record; rerun the tokenize stage first"
            )
        records = []
        for r in range(self.shard_tasks):
            with self.output_folder.open(part_record_name(r), "r") as f:
                records.append(json.load(f))
        manifest = build_manifest(records, self.tokenizer_spec, self.pack_length)
        with open(self.tokenizer_spec.path, "rb") as source:
            self._write_whole(TOKENIZER_COPY, source.read())
        self._write_whole(MANIFEST_NAME, json.dumps(manifest, indent=2).encode())
        self.stat_update("shards", value=len(manifest["shards"]))
        self.stat_update("documents", value=manifest["num_documents"])
        self.stat_update("tokens", value=manifest["num_tokens"])

    def _write_whole(self, name: str, data: bytes) -> None:
        """Write `name` under a temporary name, then move it into place: a full disk or a kill never leaves a
        truncated manifest (which readers trust) or tokenizer copy."""
        partial = f"{name}.partial"
        with self.output_folder.open(partial, "wb") as f:
            f.write(data)
        self.output_folder.mv(partial, name)


def read_manifest(folder: DataFolderLike) -> dict:
    """Load and sanity-check the manifest of a token folder; raise ManifestError with the reason."""
    folder = get_datafolder(folder)
    if not folder.isfile(MANIFEST_NAME):
        raise ManifestError(f"{folder.path} has no {MANIFEST_NAME}: not a finished smolcorpus token folder")
    with folder.open(MANIFEST_NAME, "r") as f:
        manifest = json.load(f)
    if manifest.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f"{folder.path}/{MANIFEST_NAME}: unknown format {manifest.get('format')!r}")
    absent = [s["file"] for s in manifest["shards"] if not folder.isfile(s["file"])]
    if absent:
        raise ManifestError(f"{folder.path}: shards listed in the manifest are missing: {absent[:5]}")
    return manifest
