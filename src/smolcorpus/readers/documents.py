"""Read documents from Parquet and JSONL files (plain, .gz, .zst, ...), local or remote, sharded by file.

Unlike datatrove's JsonlReader/ParquetReader, this reader takes several inputs (files and folders) at once and
accounts for every record it does not turn into a document:

- `dropped_missing_text_column`: the record has no text column at all;
- `dropped_empty_text`: the text is null or empty;
- `dropped_invalid_json`: a JSONL line that does not parse (logged with file and line); a UTF-8 byte order mark
  before the first line is skipped, not a parse error;
- `dropped_wrong_type_text`: the text is a list, an object, a number or a boolean (not a string or bytes), which
  would otherwise be tokenized as its Python repr;
- `undecodable_bytes_replaced`: text with bytes that are not UTF-8 (kept, bad bytes replaced by U+FFFD).

A file that cannot be read at all (truncated gzip, corrupt Parquet) raises `InputFileError` naming the file,
which fails the task that owns it; the other tasks finish and a rerun retries only the failed one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import fsspec
import orjson
from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.logging import logger

from smolcorpus.config.base import default_of
from smolcorpus.config.tokenize import InputConfig
from smolcorpus.errors import InputFileError
from smolcorpus.readers.listing import list_input_files
from smolcorpus.runtime.step_stats import count_drop

PARQUET_SUFFIXES = (".parquet",)
JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson")
CSV_SUFFIXES = {".csv": ",", ".tsv": "\t"}  # suffix → delimiter; a header row names the columns
COMPRESSION_SUFFIXES = (".gz", ".zst", ".bz2", ".xz")


DEFAULT_MAX_DOCUMENT_BYTES = default_of(InputConfig, "max_document_bytes")  # larger ones are dropped as too_large
# what names a row when the input has no id column, first found first: a file's repository and path (Stack-Edu rows),
# its path, a page's URL, a blob id; without any, `<file name>/<row>`
FALLBACK_ID_COLUMNS = (("repo_name", "path"), ("path",), ("url",), ("blob_id",))


def fallback_id(record: dict, file_name: str, index: int) -> str:
    """The id of a row without an id column: its own name for itself (`FALLBACK_ID_COLUMNS`), else its place in
    its file, `<file name>/<row>` (which says nothing once files are renamed or re-sharded)."""
    for columns in FALLBACK_ID_COLUMNS:
        values = [record.get(column) for column in columns]
        if all(isinstance(value, str) and value for value in values):
            return "/".join(values)
    return f"{file_name}/{index}"


def document_format(path: str) -> str | None:
    """'parquet', 'jsonl', 'csv', 'tsv' or None (not a document file) from the file name."""
    name = path.lower()
    for suffix in COMPRESSION_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    for suffix in CSV_SUFFIXES:
        if name.endswith(suffix):
            return suffix[1:]
    return None


def list_document_files(paths: list[str], storage_options: dict | None = None) -> list[str]:
    """Document files (Parquet, JSONL, CSV, TSV) of `paths`, files and folders (recursively), as
    `listing.list_input_files` lists them: hidden names skipped, sorted by path."""
    return list_input_files(paths, lambda path: document_format(path) is not None, storage_options,
                            not_wanted="not a Parquet, JSONL, CSV or TSV file (by its extension)")  # fmt: skip


def count_parquet_rows(files: list[str], storage_options: dict | None = None) -> int | None:
    """Rows in `files` from their Parquet footers (no data read); None if any file is not plain Parquet."""
    import pyarrow.parquet as pq

    if not all(path.lower().endswith(PARQUET_SUFFIXES) for path in files):
        return None
    total = 0
    for path in files:
        with fsspec.open(path, "rb", **(storage_options or {})) as f:
            total += pq.ParquetFile(f).metadata.num_rows
    return total


class DocumentFileReader(PipelineStep):
    """Read Parquet/JSONL documents; each task reads `files[rank::world_size]` of the expanded input list.

    Args:
        paths: files or folders (local paths or fsspec URLs).
        text_column: column holding the text (default "text").
        id_column: column holding the document id (default "id"); without one, a row is named by its own
            `repo_name`/`path`, `path`, `url` or `blob_id` (`fallback_id`), else "<file name>/<row>".
        storage_options: fsspec options for remote paths (e.g. an S3 endpoint).
        batch_size: Parquet rows read per batch (default 1000); bounds memory per task.
        limit: stop after this many documents per task (-1: no limit); for quick trials.
        max_bytes: documents whose text (UTF-8) or JSONL line is larger are dropped (`dropped_too_large`; default
            10 MB). A JSONL line over the limit is streamed past, never held whole, so memory stays bounded
            whatever a line holds.
    """

    name = "📄 Documents (Parquet/JSONL)"
    type = "📖 - READER"

    def __init__(
        self,
        paths: list[str],
        text_column: str = "text",
        id_column: str = "id",
        storage_options: dict | None = None,
        batch_size: int = 1000,
        limit: int = -1,
        max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    ):
        super().__init__()
        self.max_bytes = max_bytes
        self.paths = list(paths)
        self.text_column = text_column
        self.id_column = id_column
        self.storage_options = storage_options or {}
        self.batch_size = batch_size
        self.limit = limit

    def expected_documents(self) -> int | None:
        """Rows of all tasks' Parquet inputs (for the progress bar); None for JSONL or with a `limit`."""
        if self.limit != -1:
            return None
        return count_parquet_rows(list_document_files(self.paths, self.storage_options), self.storage_options)

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        files = list_document_files(self.paths, self.storage_options)
        shard = files[rank::world_size]
        if not shard:
            logger.warning(f"task {rank}: no input files ({len(files)} files for {world_size} tasks)")
        emitted = 0
        for path in shard:
            for document in self._read_file(path):
                self.stat_update("documents")
                self.update_doc_stats(document)
                yield document
                emitted += 1
                if emitted == self.limit:
                    return

    def _read_file(self, path: str) -> Iterator[Document]:
        fmt = document_format(path)
        try:
            with fsspec.open(path, "rb", compression="infer", **self.storage_options) as f:
                if fmt == "parquet":
                    records = _parquet_records(f, self.batch_size)
                elif fmt in ("csv", "tsv"):
                    records = _csv_records(f, CSV_SUFFIXES["." + fmt], self.max_bytes)
                else:
                    records = self._jsonl_records(f, path)
                for index, record in enumerate(records):
                    document = self._to_document(record, path, index)
                    if document is not None:
                        yield document
        except (OSError, EOFError, ValueError) as e:
            # pyarrow's ArrowInvalid is a ValueError (also a CSV row larger than a block); truncated gzip raises
            # EOFError; unreadable files OSError
            raise InputFileError(path, f"{type(e).__name__}: {e}") from e
        self.stat_update("files")

    def _jsonl_records(self, f, path: str) -> Iterator[dict | None]:
        for line_number, raw in enumerate(bounded_lines(f, self.max_bytes), start=1):
            if raw is None:
                count_drop(self, "too_large")
                logger.warning(f"{path}:{line_number}: skipping a line over {self.max_bytes:,} bytes")
                continue
            if line_number == 1 and raw.startswith(UTF8_BOM):
                raw = raw[len(UTF8_BOM) :]  # written by some Windows tools; no JSON text starts with it
            if not raw.strip():
                continue
            try:
                record = orjson.loads(raw)
            except orjson.JSONDecodeError as e:
                record = self._parse_bad_line(raw, path, line_number, e)
            if record is not None and not isinstance(record, dict):
                self._log_bad_line(path, line_number, f"a JSON {type(record).__name__}, not an object")
                record = None
            yield record

    def _parse_bad_line(self, raw: bytes, path: str, line_number: int, error: Exception) -> Any:
        """orjson rejects invalid UTF-8 too: keep such records with the bad bytes replaced, and count them."""
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                record = orjson.loads(raw.decode("utf-8", errors="replace"))
            except orjson.JSONDecodeError as e:
                self._log_bad_line(path, line_number, str(e))
                return None
            self.stat_update("undecodable_bytes_replaced")
            return record
        self._log_bad_line(path, line_number, str(error))
        return None

    def _log_bad_line(self, path: str, line_number: int, reason: str) -> None:
        count_drop(self, "invalid_json")
        logger.warning(f"{path}:{line_number}: skipping line that is not a JSON object ({reason})")

    def _to_document(self, record: dict | None, path: str, index: int) -> Document | None:
        if record is None:
            return None  # already counted as dropped_invalid_json
        if self.text_column not in record:
            count_drop(self, "missing_text_column")
            return None
        text = record.pop(self.text_column)
        if isinstance(text, bytes):  # a binary Parquet column
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError:
                text = text.decode("utf-8", errors="replace")
                self.stat_update("undecodable_bytes_replaced")
        if text is None or (isinstance(text, str) and not text):
            count_drop(self, "empty_text")
            return None
        if not isinstance(text, str):
            count_drop(self, "wrong_type_text")
            return None
        if len(text) > self.max_bytes // 4 and len(text.encode("utf-8")) > self.max_bytes:
            count_drop(self, "too_large")
            return None
        doc_id = record.pop(self.id_column, None)
        if doc_id is None:
            doc_id = fallback_id(record, path.rsplit("/", 1)[-1], index)
        return Document(text=text, id=str(doc_id), metadata=_plain_metadata(record))


_BLOCK = 1 << 20
UTF8_BOM = b"\xef\xbb\xbf"


def bounded_lines(f, max_bytes: int) -> Iterator[bytes | None]:
    """The lines of a binary file, each read with at most `max_bytes` + 1 bytes in memory; a longer line is
    skipped block by block and stands as None."""
    while True:
        line = f.readline(max_bytes + 1)
        if not line:
            return
        if len(line) <= max_bytes or line.endswith(b"\n"):
            yield line
            continue
        while True:  # the rest of the oversized line
            rest = f.readline(_BLOCK)
            if not rest or rest.endswith(b"\n"):
                break
        yield None


def _parquet_records(f, batch_size: int) -> Iterator[dict]:
    import pyarrow.parquet as pq

    parquet_file = pq.ParquetFile(f)
    for batch in parquet_file.iter_batches(batch_size=batch_size):
        yield from batch.to_pylist()


def _csv_records(f, delimiter: str, max_bytes: int) -> Iterator[dict]:
    """Rows of a CSV/TSV file with a header row, streamed in blocks (pyarrow's reader; quoted fields may hold
    newlines). Columns are read as strings, except what pyarrow infers as numbers (a score column)."""
    import pyarrow.csv as pv

    block = max(1 << 20, min(max_bytes + 1, 64 << 20))  # a row must fit in one block
    reader = pv.open_csv(f, read_options=pv.ReadOptions(block_size=block),
                         parse_options=pv.ParseOptions(delimiter=delimiter, newlines_in_values=True))  # fmt: skip
    for batch in reader:
        yield from batch.to_pylist()


def _plain_metadata(record: dict[str, Any]) -> dict[str, Any]:
    """Keep the remaining columns as metadata (datatrove's convention), dropping nested None values."""
    return {key: value for key, value in record.items() if value is not None}
