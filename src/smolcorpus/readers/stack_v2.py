"""The Stack v2 / StarCoder2Data rows → documents, with file contents fetched from Software Heritage's S3 bucket.

Rows (Parquet files, `datasets` folders written by `save_to_disk` (Arrow files), or folders of either) carry
`blob_id`, `language`, `repo_name`, `path`, `src_encoding`, `length_bytes`, `detected_licenses`, `license_type` and
sometimes `is_vendor`/`is_generated`; the content of blob `B` is the gzip object
`s3://softwareheritage/content/B`. Rows that already hold the text in a `content` column are used as they are.

Fetching: each batch of rows is fetched with s3fs's concurrent `cat` (`concurrency` requests in flight); throttling
and transient errors are retried with exponential backoff; a blob still failing after every attempt fails the task
(`BlobFetchError`: a rerun retries it), since what a run keeps must not depend on how busy S3 was. Nothing else is
fatal per file: every row that does not
become a document is counted with its reason (`dropped_missing_blob_id`, `dropped_bad_blob_id`: not 40 hex
digits, the form of a Software Heritage sha1_git, so no row can name a key outside `content_url` such as
`../secret`; `dropped_missing_language`,
`dropped_too_large`, `dropped_missing_blob`, `dropped_truncated_gzip`,
`dropped_undecodable`, `dropped_binary`). With a `drop_ledger`, each such row also gets a ledger line (its
`blob_id`, language, reason and size), so the run's funnel summary accounts for every row.
"""

from __future__ import annotations

import contextlib
import re
import time
import zlib
from collections.abc import Iterator

import fsspec
from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from smolcorpus.config.base import default_of
from smolcorpus.config.stack_edu import CodeFiltersConfig, StackV2SourceConfig
from smolcorpus.errors import InputFileError, SmolcorpusError
from smolcorpus.readers.documents import count_parquet_rows
from smolcorpus.readers.listing import list_input_files
from smolcorpus.runtime.step_stats import count_drop
from smolcorpus.writers.ledger import DropLedger

SOFTWARE_HERITAGE_CONTENT = "s3://softwareheritage/content"
BLOB_ID = re.compile(r"[0-9a-f]{40}")  # a Software Heritage sha1_git, the key of its content object
ROW_COLUMNS = ("blob_id", "language", "repo_name", "path", "src_encoding", "length_bytes", "detected_licenses",
               "license_type", "is_vendor", "is_generated")  # fmt: skip
_THROTTLING_MARKERS = ("SlowDown", "Throttl", "RequestLimitExceeded", "TooManyRequests", "503", "ServiceUnavailable",
                       "InternalError", "RequestTimeout")  # fmt: skip


ROW_FILE_SUFFIXES = (".parquet", ".arrow")

# the Python type each Stack v2 column must have when it is present and not null (Parquet files from elsewhere
# carry numbers as strings, lists as strings, ...: such a row is a counted drop, not a crash)
ROW_TYPES = {"blob_id": str, "language": str, "repo_name": str, "path": str, "src_encoding": str,
             "length_bytes": int, "detected_licenses": list, "license_type": str, "is_vendor": bool,
             "is_generated": bool}  # fmt: skip


def wrong_type_column(row: dict) -> str | None:
    """The first column of `ROW_TYPES` whose value has another type (a bool is not a length), or None."""
    for column, expected in ROW_TYPES.items():
        value = row.get(column)
        if value is None:
            continue
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            return column
        if expected is list and not all(isinstance(item, str) for item in value):
            return column
    return None


def list_row_files(paths: list[str], storage_options: dict | None = None) -> list[str]:
    """Parquet and Arrow (`datasets` folder) files of `paths`, recursively, as `listing.list_input_files` lists them:
    hidden names skipped, sorted by path."""
    return list_input_files(paths, lambda path: path.endswith(ROW_FILE_SUFFIXES), storage_options,
                            not_wanted="not a Parquet or Arrow file (by its extension)")  # fmt: skip


class BlobFetchError(SmolcorpusError):
    """A blob could not be fetched after every retry (throttling, network): the task fails, a rerun retries it."""


def is_retryable(error: BaseException) -> bool:
    """Throttling and transient server errors (worth a retry), as opposed to a missing object or bad request."""
    if isinstance(error, FileNotFoundError | PermissionError):
        return False
    text = f"{type(error).__name__} {error}"
    return any(marker in text for marker in _THROTTLING_MARKERS) or isinstance(error, TimeoutError | ConnectionError)


def decode_content(
    raw: bytes, src_encoding: str | None, max_bytes: int | None = None
) -> tuple[str | None, str | None]:
    """(text, None) or (None, drop reason) for a blob's gzip bytes decoded with the row's `src_encoding`. At most
    `max_bytes` + 1 bytes are decompressed (`too_large` beyond: a row's declared length may lie)."""
    inflate = zlib.decompressobj(wbits=31)  # gzip
    try:
        content = inflate.decompress(raw, max_bytes + 1) if max_bytes else inflate.decompress(raw)
        if max_bytes and len(content) > max_bytes:
            return None, "too_large"
        if not inflate.eof:
            return None, "truncated_gzip"
    except zlib.error:
        return None, "truncated_gzip"
    if b"\x00" in content[:8192]:
        return None, "binary"
    encoding = src_encoding or "utf-8"
    try:
        return content.decode(encoding), None
    except LookupError:  # an encoding name Python does not know: fall back to UTF-8
        try:
            return content.decode("utf-8"), None
        except UnicodeDecodeError:
            return None, "undecodable"
    except UnicodeDecodeError:
        return None, "undecodable"


class StackV2Reader(PipelineStep):
    """Read Stack v2 rows and fetch their contents. Task `rank` reads row files `files[rank::world_size]`.

    Args:
        paths: Parquet/Arrow files or folders of them (a `datasets.save_to_disk` folder works as is).
        content_url: where blobs live (default `s3://softwareheritage/content`).
        storage_options: fsspec/s3fs options, e.g. `{"anon": True}` or an endpoint override
            `{"client_kwargs": {"endpoint_url": "http://127.0.0.1:5000"}}`.
        concurrency: S3 requests in flight per task (default: the config's `concurrency`, 32).
        max_attempts / backoff: retries of throttled or transient failures (default: the config's
            `max_attempts`, 5; first wait 0.5 s, doubling).
        max_bytes: rows whose `length_bytes` exceed this are skipped before fetching (default: the config's
            `filters.max_bytes`, 1 MB).
        batch_size: rows fetched together (default 256).
        content_column: rows with a string in this column are used as they are, without fetching (default
            "content").
        storage_options_rows: fsspec options for reading the row files themselves (default: none).
        drop_ledger: where rows that do not become documents are recorded (optional).
    """

    name = "📚 The Stack v2 rows + S3 contents"
    type = "📖 - READER"

    def __init__(
        self,
        paths: list[str],
        content_url: str = SOFTWARE_HERITAGE_CONTENT,
        storage_options: dict | None = None,
        concurrency: int = default_of(StackV2SourceConfig, "concurrency"),
        max_attempts: int = default_of(StackV2SourceConfig, "max_attempts"),
        backoff: float = default_of(StackV2SourceConfig, "backoff_seconds"),
        max_bytes: int = default_of(CodeFiltersConfig, "max_bytes"),
        batch_size: int = 256,
        content_column: str = "content",
        storage_options_rows: dict | None = None,
        drop_ledger: DropLedger | None = None,
    ):
        super().__init__()
        self.content_column = content_column
        self.storage_options_rows = storage_options_rows or {}
        self.drop_ledger = drop_ledger
        self.paths = list(paths)
        self.content_url = content_url.rstrip("/")
        self.storage_options = storage_options or {}
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.batch_size = batch_size

    def expected_documents(self) -> int | None:
        """Rows of all tasks' Parquet row files (for the progress bar); None when a `datasets` folder is read."""
        files = list_row_files(self.paths, self.storage_options_rows)
        return count_parquet_rows(files, self.storage_options_rows)

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        files = list_row_files(self.paths, self.storage_options_rows)
        fs, _ = fsspec.core.url_to_fs(self.content_url, **self.storage_options)
        self._rank = rank
        with self.drop_ledger if self.drop_ledger else contextlib.nullcontext():
            for path in files[rank::world_size]:
                for rows in self._row_batches(path):
                    yield from self._documents(fs, rows)

    def _row_batches(self, path: str) -> Iterator[list[dict]]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            with fsspec.open(path, "rb", **self.storage_options_rows) as f:
                if path.endswith(".arrow"):  # `datasets` writes Arrow IPC streams
                    for batch in pa.ipc.open_stream(f):
                        for start in range(0, batch.num_rows, self.batch_size):
                            yield batch.slice(start, self.batch_size).to_pylist()
                    return
                parquet = pq.ParquetFile(f)
                for batch in parquet.iter_batches(batch_size=self.batch_size):
                    yield batch.to_pylist()
        except (OSError, ValueError) as e:
            raise InputFileError(path, f"{type(e).__name__}: {e}") from e

    def blob_url(self, blob_id: str) -> str | None:
        """`<content_url>/<blob_id>`, or None when `blob_id` is not a sha1_git (40 hex digits): the only row value
        joined into a path, so a row can address nothing but a blob directly under `content_url`."""
        blob_id = blob_id.lower()
        return f"{self.content_url}/{blob_id}" if BLOB_ID.fullmatch(blob_id) else None

    def _documents(self, fs, rows: list[dict]) -> Iterator[Document]:
        to_fetch: dict[str, list[dict]] = {}  # one fetch per blob: forks share files, so rows share blobs
        ready: list[tuple[dict, str]] = []
        for row in rows:
            self.stat_update("rows")
            wrong = wrong_type_column(row)
            if wrong:
                self._drop(row, f"wrong_type_{wrong}")
            elif not row.get("blob_id"):
                self._drop(row, "missing_blob_id")
            elif not row.get("language"):
                self._drop(row, "missing_language")
            elif (row.get("length_bytes") or 0) > self.max_bytes:
                self._drop(row, "too_large")
            elif isinstance(row.get(self.content_column), str):
                if len(row[self.content_column]) > self.max_bytes // 4 and (
                    len(row[self.content_column].encode("utf-8", errors="replace")) > self.max_bytes
                ):
                    self._drop(row, "too_large")
                elif "\x00" in row[self.content_column][:8192]:
                    self._drop(row, "binary")
                else:
                    ready.append((row, row[self.content_column]))
            elif (url := self.blob_url(row["blob_id"])) is None:
                self._drop(row, "bad_blob_id")
            else:
                to_fetch.setdefault(url, []).append(row)
        with self.track_time(unit="batch"):
            fetched = self._fetch(fs, list(to_fetch))
        for url, rows_of_blob in to_fetch.items():
            result = fetched[url]
            if isinstance(result, BaseException):
                if not isinstance(result, FileNotFoundError):
                    # throttling or a network error that outlived every retry: which rows a run keeps must not
                    # depend on how busy S3 was, so the task fails and a rerun retries it (finished tasks are kept)
                    raise BlobFetchError(f"{url}: still failing after {self.max_attempts} attempts "
                                         f"({type(result).__name__}: {result}); rerun to retry this task")  # fmt: skip
                for row in rows_of_blob:
                    self._drop(row, "missing_blob")
                continue
            self.stat_update("fetched_bytes", value=len(result), unit="blob")
            for row in rows_of_blob:
                text, reason = decode_content(result, row.get("src_encoding"), self.max_bytes)
                if reason:
                    self._drop(row, reason)
                else:
                    ready.append((row, text))
        for row, text in ready:
            metadata = {key: row.get(key) for key in ROW_COLUMNS if row.get(key) is not None}
            document = Document(text=text, id=row["blob_id"], metadata=metadata)
            self.stat_update("documents")
            self.update_doc_stats(document)
            yield document

    def _drop(self, row: dict, reason: str) -> None:
        item_id = str(row.get("blob_id") or f"row:{row.get('repo_name')}/{row.get('path')}")
        language, size = row.get("language"), row.get("length_bytes")
        language = language if isinstance(language, str) else None
        size = size if isinstance(size, int) and not isinstance(size, bool) else None
        where = {key: row.get(key) for key in ("repo_name", "path") if isinstance(row.get(key), str)}
        count_drop(self, reason, self.drop_ledger, self._rank, item_id[:1000], language, size, where)

    def _fetch(self, fs, urls: list[str]) -> dict[str, bytes | BaseException]:
        """Fetch all `urls` concurrently; retry the throttled ones with backoff; return bytes or the last error."""
        results: dict[str, bytes | BaseException] = {}
        pending = urls
        for attempt in range(self.max_attempts):
            if not pending:
                break
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
                self.stat_update("fetch_retries", value=len(pending))
            answers = fs.cat(pending, on_error="return", batch_size=self.concurrency)
            retry = []
            for url in pending:
                answer = answers.get(fs._strip_protocol(url), answers.get(url))
                if answer is None:
                    answer = FileNotFoundError(url)
                results[url] = answer
                if isinstance(answer, BaseException) and is_retryable(answer):
                    retry.append(url)
            pending = retry
        return results
