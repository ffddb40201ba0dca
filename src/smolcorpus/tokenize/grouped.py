"""Token shards per group (per language, per subset): one shard folder and one manifest per group.

The curated writers leave `<input>/<group>/<rank>.parquet`; task `rank` of the grouped stage tokenizes each of its
groups' files into `<output>/<group>/` with an ordinary `TokenShardWriter`, so every group folder is a complete
token folder of its own (shards + `manifest.json`) that a training job can weight independently. A task writes a
(possibly empty) part record for every group, so the manifest stage can tell a finished empty group from a
missing task.
"""

from __future__ import annotations

import json

import pyarrow.parquet as pq
from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep

from smolcorpus.runtime.step_stats import merge_stats
from smolcorpus.tokenize.manifest import ManifestWriter
from smolcorpus.tokenize.shards import TokenShardWriter, part_record_name
from smolcorpus.tokenize.tokenizer import TokenizerSpec

READ_BATCH_ROWS = 1000


def read_curated_documents(folder, name: str, id_column: str, text_column: str = "text"):
    """Documents of one curated Parquet file; every column except text becomes metadata."""
    with folder.open(name, "rb") as f:
        for batch in pq.ParquetFile(f).iter_batches(batch_size=READ_BATCH_ROWS):
            for row in batch.to_pylist():
                text = row.pop(text_column)
                yield Document(text=text or "", id=str(row.get(id_column)), metadata=row)


class GroupedTokenShardWriter(PipelineStep):
    """Tokenize `<input>/<group>/<rank>.parquet` into `<output>/<group>/` for each group.

    Args:
        input_folder / output_folder: curated root and token root.
        groups: group folder names (e.g. language slugs). A group with curated files (from any task) gets a part
            record from every task, empty where this rank has no file; a group no task kept anything of is skipped.
        tokenizer, carry_columns, pack_length, batch_size, max_tokens_per_shard, tokens_per_row_group: as for
            `TokenShardWriter`.
        id_column: curated column used as the document id (default "id"; Stack-Edu uses "blob_id").
    """

    name = "🔢 Token shards per group"
    type = "✍️ - WRITER"

    def __init__(self, input_folder: DataFolderLike, output_folder: DataFolderLike, groups: list[str],
                 tokenizer: TokenizerSpec, id_column: str = "id", **writer_settings):  # fmt: skip
        super().__init__()
        self.input_folder = get_datafolder(input_folder)
        self.output_root = str(output_folder).rstrip("/")
        self.groups = list(groups)
        self.tokenizer = tokenizer
        self.id_column = id_column
        self.writer_settings = writer_settings

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        for group in self.groups:
            if not self.input_folder.isdir(group):
                continue
            name = f"{group}/{rank:05d}.parquet"
            documents = (
                read_curated_documents(self.input_folder, name, self.id_column)
                if self.input_folder.isfile(name)
                else iter(())
            )
            writer = TokenShardWriter(f"{self.output_root}/{group}", self.tokenizer, **self.writer_settings)
            with self.track_time(unit="group"):
                for _ in writer.run(documents, rank, world_size):
                    pass
            _report(self, group, writer)


class GroupedManifestWriter(PipelineStep):
    """Write `manifest.json` in every group folder that received documents (one task, after the shard stage)."""

    name = "📒 Token manifests per group"
    type = "✍️ - WRITER"

    def __init__(self, output_folder: DataFolderLike, groups: list[str], tokenizer: TokenizerSpec, shard_tasks: int,
                 pack_length: int | None):  # fmt: skip
        super().__init__()
        self.output_root = str(output_folder).rstrip("/")
        self.groups = list(groups)
        self.tokenizer = tokenizer
        self.shard_tasks = shard_tasks
        self.pack_length = pack_length

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        for group in self.groups:
            folder = get_datafolder(f"{self.output_root}/{group}")
            if not _has_documents(folder, self.shard_tasks):
                continue
            step = ManifestWriter(folder, self.tokenizer, self.shard_tasks, self.pack_length)
            with self.track_time(unit="group"):
                for _ in step.run(None, rank, world_size):
                    pass
            self.stat_update("manifests")
            _report(self, group, step)


def _report(step: PipelineStep, group: str, inner: PipelineStep) -> None:
    """Copy the inner step's document and token counts into `step`'s stats as `<group>/documents|tokens`, and add
    them to `documents`/`tokens` (all groups), which the report reads as the step's documents in."""
    merge_stats(step, inner, keys=("documents", "tokens"), prefix=f"{group}/")
    merge_stats(step, inner, keys=("documents", "tokens"))


def _has_documents(folder, shard_tasks: int) -> bool:
    """Whether any task wrote documents to this group. No record at all: the group had no curated files. Some
    records missing: True, so that ManifestWriter reports the missing tasks."""
    present = [rank for rank in range(shard_tasks) if folder.isfile(part_record_name(rank))]
    if not present:
        return False
    if len(present) < shard_tasks:
        return True
    for rank in present:
        with folder.open(part_record_name(rank), "r") as f:
            if json.load(f)["documents"]:
                return True
    return False
