"""Write tokenized Parquet shards from a stream of documents.

Each task writes its own files, `{rank:05d}_{part:04d}.parquet`, plus a small `.parts/{rank:05d}.json` that lists
them with their document and token counts; the manifest stage merges those into `manifest.json`.

Columns: `id` (string), `input_ids` (list<uint16|uint32>), `n_tokens` (int32), then the carried columns.
Every document ends with the end-of-text id. In packed mode rows are instead fixed windows of `pack_length + 1`
tokens cut from the concatenated documents (the +1 gives the shifted training target); the tail shorter than one
window is dropped and counted (`dropped_tail_tokens`).

Resuming: a task starts by deleting whatever an earlier, interrupted attempt of the same rank left, and files are
written under a temporary name and renamed when complete, so a rerun never leaves duplicates or partial files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import chain

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep

from smolcorpus.config.base import default_of
from smolcorpus.config.tokenize import TokenizeConfig
from smolcorpus.tokenize.tokenizer import TokenizerSpec

PARTS_DIR = ".parts"
MAX_BATCH_CHARS = 2_000_000  # characters per encode_batch call (≈ 50 MB of transient Encodings)
MAX_PIECE_CHARS = 200_000  # a longer text is encoded in pieces (encode_documents)


def shard_name(rank: int, part: int) -> str:
    return f"{rank:05d}_{part:04d}.parquet"


def part_record_name(rank: int) -> str:
    return f"{PARTS_DIR}/{rank:05d}.json"


def encode_documents(tokenizer, texts: list[str], eos_token_id: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """Tokenize `texts` and append `eos_token_id` to each; return (flat ids, offsets) ready for an Arrow list array.

    A text longer than `MAX_PIECE_CHARS` is encoded in pieces cut where a single space separates two words (a
    boundary of the pre-tokenizer, so the ids are the same as the whole text's), at most `MAX_BATCH_CHARS` at a
    time: tokenizers builds a full Encoding (≈ 100 bytes a token) of everything it is given, and one 8 MB
    document took a worker from 318 MB to 1.4 GB. Pure function (no I/O) so that tests and benchmarks can call it.
    """
    if any(len(text) > MAX_PIECE_CHARS for text in texts):
        return _encode_in_pieces(tokenizer, texts, eos_token_id, dtype)
    # `Encoding.ids` builds a new Python list on every access: read it once per document
    ids = [encoding.ids for encoding in tokenizer.encode_batch_fast(texts, add_special_tokens=False)]
    for document_ids in ids:
        document_ids.append(eos_token_id)
    lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
    offsets = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    flat = np.fromiter(chain.from_iterable(ids), dtype=dtype, count=int(offsets[-1]))
    return flat, offsets


def text_pieces(text: str, max_chars: int = MAX_PIECE_CHARS) -> list[str]:
    """`text` cut into pieces of at most about `max_chars`, each cut just before a space that stands alone between
    two non-space characters (where the byte-level pre-tokenizer starts a new word anyway). A stretch of
    `max_chars` without such a space (a base64 blob) is cut where it reaches the limit."""
    pieces, start = [], 0
    while len(text) - start > max_chars:
        cut = text.rfind(" ", start + 1, start + max_chars)
        while cut > start and (text[cut - 1].isspace() or text[cut + 1 : cut + 2].isspace() or cut + 1 == len(text)):
            cut = text.rfind(" ", start + 1, cut)
        if cut <= start:
            cut = start + max_chars
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def _encode_in_pieces(
    tokenizer, texts: list[str], eos_token_id: int, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray]:
    parts: list[list[np.ndarray]] = [[] for _ in texts]
    group: list[tuple[int, str]] = []
    chars = 0

    def encode(group: list[tuple[int, str]]) -> None:
        encodings = tokenizer.encode_batch_fast([piece for _, piece in group], add_special_tokens=False)
        for (owner, _), encoding in zip(group, encodings, strict=True):
            parts[owner].append(np.asarray(encoding.ids, dtype=dtype))

    for owner, text in enumerate(texts):
        for piece in text_pieces(text):
            if group and chars + len(piece) > MAX_BATCH_CHARS:
                encode(group)
                group, chars = [], 0
            group.append((owner, piece))
            chars += len(piece)
    if group:
        encode(group)
    eos = np.array([eos_token_id], dtype=dtype)
    documents = [np.concatenate([*document, eos]) for document in parts]
    offsets = np.zeros(len(documents) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in documents], out=offsets[1:])
    return np.concatenate(documents), offsets


class _ShardFile:
    """One Parquet shard being written: buffers record batches into row groups of about `tokens_per_row_group`."""

    def __init__(self, folder, name: str, schema: pa.Schema, tokens_per_row_group: int):
        self.folder = folder
        self.name = name
        self.tmp_name = f"{name}.tmp"
        self.schema = schema
        self.tokens_per_row_group = tokens_per_row_group
        self._file = folder.open(self.tmp_name, "wb")
        # dictionary encoding only helps the low-cardinality carried columns; on ids and token lists it costs
        # memory (a dictionary per row group) for no size gain
        dictionary_columns = [name for name in schema.names if name not in ("id", "input_ids", "n_tokens")]
        self._writer = pq.ParquetWriter(self._file, schema, compression="zstd", use_dictionary=dictionary_columns)
        self._pending: list[pa.RecordBatch] = []
        self._pending_tokens = 0
        self.documents = 0
        self.rows = 0
        self.tokens = 0

    def add(self, batch: pa.RecordBatch, tokens: int, documents: int) -> None:
        self._pending.append(batch)
        self._pending_tokens += tokens
        self.rows += batch.num_rows
        self.tokens += tokens
        self.documents += documents
        if self._pending_tokens >= self.tokens_per_row_group:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            table = pa.Table.from_batches(self._pending, schema=self.schema)
            self._writer.write_table(table, row_group_size=table.num_rows)
            self._pending, self._pending_tokens = [], 0

    def close(self) -> dict:
        self._flush()
        self._writer.close()
        self._file.close()
        self.folder.mv(self.tmp_name, self.name)
        return {"file": self.name, "documents": self.documents, "rows": self.rows, "tokens": self.tokens}


class TokenShardWriter(PipelineStep):
    """Tokenize documents and write them as Parquet token shards; documents pass through unchanged.

    Args:
        output_folder: where shards go (local path or fsspec URL).
        tokenizer: the resolved tokenizer (`resolve_tokenizer_spec`).
        carry_columns: metadata keys written as extra string/number columns (document mode only).
        pack_length: if set, write fixed rows of `pack_length + 1` tokens instead of one row per document.
        batch_size: documents per `encode_batch` call (default 1000).
        max_tokens_per_shard: start a new file past this many tokens (default 100M ≈ 200 MB of uint16).
        tokens_per_row_group: Parquet row-group size in tokens (default 1M); the loader's unit of shuffling.
    """

    name = "🔢 Parquet token shards"
    type = "✍️ - WRITER"
    _requires_dependencies = ["tokenizers", "pyarrow"]

    def __init__(
        self,
        output_folder: DataFolderLike,
        tokenizer: TokenizerSpec,
        carry_columns: list[str] | None = None,
        pack_length: int | None = None,
        batch_size: int = default_of(TokenizeConfig, "batch_size"),
        max_tokens_per_shard: int = default_of(TokenizeConfig, "max_tokens_per_shard"),
        tokens_per_row_group: int = default_of(TokenizeConfig, "tokens_per_row_group"),
    ):
        super().__init__()
        if pack_length is not None and carry_columns:
            raise ValueError("carry_columns cannot be used with pack_length: packed rows mix documents")
        self.output_folder = get_datafolder(output_folder)
        self.tokenizer_spec = tokenizer
        self.carry_columns = list(carry_columns or [])
        self.pack_length = pack_length
        self.batch_size = batch_size
        self.max_tokens_per_shard = max_tokens_per_shard
        self.tokens_per_row_group = tokens_per_row_group
        self.dtype = tokenizer.dtype

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        self._remove_leftovers(rank)
        self._tokenizer = self.tokenizer_spec.load()
        # web text can contain the literal string "<|endoftext|>": encode it as text, never as the special id
        self._tokenizer.encode_special_tokens = True
        self._rank = rank
        self._shards: list[dict] = []
        self._current: _ShardFile | None = None
        self._carry_types: dict[str, pa.DataType] = {}
        self._carry: list[np.ndarray] = []  # packed mode: tokens waiting for a full window
        self._carry_tokens = 0
        self._packed_rows = 0
        for batch in self._batches(data or ()):
            batch = self._drop_empty(batch)
            if batch:
                self._write_batch(batch)
            yield from batch
        if self.pack_length is not None and self._carry_tokens:
            self.stat_update("dropped_tail_tokens", value=self._carry_tokens, unit="task")
        if self._current is not None:
            self._shards.append(self._current.close())
        self._write_part_record(rank)

    def _batches(self, documents: DocumentsPipeline) -> Iterator[list[Document]]:
        """Batches of at most `batch_size` documents and about `MAX_BATCH_CHARS` characters.

        The character cap bounds memory: tokenizers builds a full Encoding (ids, token strings, offsets, masks:
        roughly 100 bytes per token) for every document of a batch before we keep only the ids.
        """
        batch: list[Document] = []
        chars = 0
        for document in documents:
            batch.append(document)
            chars += len(document.text)
            if len(batch) >= self.batch_size or chars >= MAX_BATCH_CHARS:
                yield batch
                batch, chars = [], 0
        if batch:
            yield batch

    def _drop_empty(self, batch: list[Document]) -> list[Document]:
        kept = [doc for doc in batch if doc.text]
        if len(kept) < len(batch):
            self.stat_update("dropped_empty_text", value=len(batch) - len(kept))
        return kept

    def _write_batch(self, batch: list[Document]) -> None:
        with self.track_time(unit="batch"):
            flat, offsets = encode_documents(
                self._tokenizer, [doc.text for doc in batch], self.tokenizer_spec.eos_token_id, self.dtype
            )
        lengths = np.diff(offsets)
        for doc, n in zip(batch, lengths, strict=True):
            doc.metadata["token_count"] = int(n)
            self.update_doc_stats(doc)
        self.stat_update("documents", value=len(batch))
        self.stat_update("tokens", value=int(offsets[-1]), unit="batch")
        if self.pack_length is None:
            self._add_documents(batch, flat, offsets)
        else:
            self._add_packed(flat)

    def _add_documents(self, batch: list[Document], flat: np.ndarray, offsets: np.ndarray) -> None:
        columns = {
            "id": pa.array([doc.id for doc in batch], pa.string()),
            "input_ids": pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), pa.array(flat)),
            "n_tokens": pa.array(np.diff(offsets).astype(np.int32)),
        }
        for column in self.carry_columns:
            columns[column] = self._carry_array(column, [doc.metadata.get(column) for doc in batch])
        record_batch = pa.RecordBatch.from_pydict(columns)
        self._shard_for(record_batch.schema).add(record_batch, tokens=len(flat), documents=len(batch))

    def _carry_array(self, column: str, values: list) -> pa.Array:
        """Carried values with one type per column for the whole task (the first batch's; all-null → string)."""
        array = pa.array(values)
        target = self._carry_types.setdefault(column, pa.string() if pa.types.is_null(array.type) else array.type)
        if array.type == target:
            return array
        try:
            return array.cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
            raise ValueError(f"carried column {column!r} changes type from {target} to {array.type}: {e}") from e

    def _add_packed(self, flat: np.ndarray) -> None:
        window = self.pack_length + 1
        self._carry.append(flat)
        self._carry_tokens += len(flat)
        if self._carry_tokens < window:
            return
        stream = np.concatenate(self._carry)
        n_rows = len(stream) // window
        rows = stream[: n_rows * window]
        self._carry = [stream[n_rows * window :]]
        self._carry_tokens = len(self._carry[0])
        first_row = self._packed_rows
        self._packed_rows += n_rows
        offsets = np.arange(0, n_rows * window + 1, window, dtype=np.int32)
        record_batch = pa.RecordBatch.from_pydict(
            {
                "id": pa.array([f"{self._rank:05d}-{first_row + i}" for i in range(n_rows)], pa.string()),
                "input_ids": pa.ListArray.from_arrays(pa.array(offsets), pa.array(rows)),
                "n_tokens": pa.array(np.full(n_rows, window, dtype=np.int32)),
            }
        )
        # documents ending in these rows: each document ends with exactly one end-of-text id
        ended = int(np.count_nonzero(rows == self.tokenizer_spec.eos_token_id))
        self._shard_for(record_batch.schema).add(record_batch, tokens=len(rows), documents=ended)

    def _shard_for(self, schema: pa.Schema) -> _ShardFile:
        if self._current is not None and self._current.tokens >= self.max_tokens_per_shard:
            self._shards.append(self._current.close())
            self._current = None
        if self._current is None:
            name = shard_name(self._rank, len(self._shards))
            self._current = _ShardFile(self.output_folder, name, schema, self.tokens_per_row_group)
        return self._current

    def _remove_leftovers(self, rank: int) -> None:
        """Delete what an interrupted attempt of this rank wrote, so a rerun cannot leave stale extra shards."""
        for name in self.output_folder.list_files(recursive=False, glob_pattern=f"{rank:05d}_*.parquet*"):
            self.output_folder.rm(name)
        if self.output_folder.isfile(part_record_name(rank)):
            self.output_folder.rm(part_record_name(rank))

    def _write_part_record(self, rank: int) -> None:
        record = {
            "rank": rank,
            "shards": self._shards,
            "documents": sum(s["documents"] for s in self._shards),
            "rows": sum(s["rows"] for s in self._shards),
            "tokens": sum(s["tokens"] for s in self._shards),
            "dropped_tail_tokens": self._carry_tokens if self.pack_length is not None else 0,
        }
        with self.output_folder.open(part_record_name(rank), "w") as f:
            json.dump(record, f, indent=1)
