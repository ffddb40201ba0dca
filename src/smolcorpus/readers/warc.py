"""Common Crawl WARC files → HTML documents with the record's place in the file (for FineMath-like outputs).

datatrove's WarcReader keeps no record offsets, skips non-HTML records without counting them and fails the task on
a truncated file; this reader counts every skipped record by type, records why a response is dropped, and keeps
the complete records of a damaged file. `html_records` serves `smolcorpus extract`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.logging import logger

HTML_TYPES = ("text/html", "application/xhtml+xml")


def html_records(path: str) -> Iterator[tuple[str, bytes]]:
    """(target URI, HTTP body) of every HTML response record of a WARC/ARC file (gzip or not)."""
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream, arc2warc=True):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            content_type = (record.http_headers.get_header("Content-Type") or "").lower()
            if not content_type.startswith(HTML_TYPES):
                continue
            yield record.rec_headers.get_header("WARC-Target-URI"), record.content_stream().read()


def decode_html(body: bytes, content_type: str | None) -> tuple[str | None, str | None]:
    """(text, None) or (None, "undecodable"): the HTTP charset, else UTF-8, else the detected charset."""
    import re

    candidates = []
    match = re.search(r"charset=([\w.:-]+)", content_type or "", re.IGNORECASE)
    if match:
        candidates.append(match[1])
    candidates.append("utf-8")
    for charset in candidates:
        try:
            return body.decode(charset), None
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        import cchardet

        detected = cchardet.detect(body[:65536])["encoding"]
    except ImportError:
        detected = None
    if detected:
        try:
            return body.decode(detected), None
        except (UnicodeDecodeError, LookupError):
            pass
    return None, "undecodable"


def list_warc_files(paths: list[str], storage_options: dict | None = None) -> list[str]:
    """WARC files from paths: files, folders (recursively: *.warc, *.warc.gz, *.arc.gz), or a Common Crawl paths
    file (`*.paths` / `*.paths.gz`, one key per line, prefixed with `s3://commoncrawl/`)."""
    import gzip

    import fsspec

    files: list[str] = []
    for path in paths:
        fs, root = fsspec.core.url_to_fs(path, **(storage_options or {}))
        prefix = path.split("://", 1)[0] + "://" if "://" in path else ""
        if root.endswith((".paths", ".paths.gz")):
            with fs.open(root, "rb") as raw:
                data = gzip.decompress(raw.read()) if root.endswith(".gz") else raw.read()
            files += [f"s3://commoncrawl/{key.strip()}" for key in data.decode().splitlines() if key.strip()]
        elif fs.isdir(root):
            files += sorted(prefix + f for f in fs.find(root) if f.endswith((".warc", ".warc.gz", ".arc.gz")))
        elif fs.isfile(root):
            files.append(path)
        else:
            from smolcorpus.errors import InputFileError

            raise InputFileError(path, "no such file or folder")
    return files


class WarcHtmlReader(PipelineStep):
    """HTML responses of WARC files as documents (text = HTML), task `rank` reading `files[rank::world_size]`.

    Metadata: `url`, `date`, `warc_filename`, `warc_record_offset`, `warc_record_length` (bytes, as in Common
    Crawl's index). Everything else is counted: `skipped_<type>` for request/metadata/revisit/warcinfo records,
    `dropped_not_html`, `dropped_undecodable`, `dropped_too_large` (ledgered when a `drop_ledger` is given), and
    `truncated_files` when a file ends early: its complete records are kept, a record cut short (payload shorter
    than its Content-Length) is dropped as `truncated_record`, and the run goes on. Memory per record is bounded
    by `max_bytes`: the rest of an oversized body is streamed past, not read.

    Args:
        paths: WARC files, folders, or Common Crawl `warc.paths(.gz)` files.
        storage_options: fsspec options (e.g. `{anon: true}` or an S3 endpoint).
        max_bytes: larger responses are dropped (`too_large`, default 5 MB).
    """

    name = "🕷 WARC HTML records"
    type = "📖 - READER"

    def __init__(self, paths: list[str], storage_options: dict | None = None, max_bytes: int = 5_000_000,
                 drop_ledger=None):  # fmt: skip
        super().__init__()
        self.paths = list(paths)
        self.storage_options = storage_options or {}
        self.max_bytes = max_bytes
        self.drop_ledger = drop_ledger

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        import contextlib

        if data:
            yield from data
        files = list_warc_files(self.paths, self.storage_options)
        with self.drop_ledger if self.drop_ledger else contextlib.nullcontext():
            for path in files[rank::world_size]:
                yield from self._read(path, rank)

    def _read(self, path: str, rank: int) -> DocumentsPipeline:
        import fsspec
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed

        name = path.rsplit("/", 1)[-1]
        end = 0  # where the last complete record ended
        current = None
        try:
            fs, fs_path = fsspec.core.url_to_fs(path, **self.storage_options)
            size = fs.size(fs_path)
            with fs.open(fs_path, "rb") as stream:
                records = ArchiveIterator(stream, arc2warc=True)
                for record in records:
                    current = None  # the response record being read, until it is complete
                    self.stat_update("records")
                    if record.rec_type != "response":
                        records.read_to_end(record)
                        end = records.get_record_offset() + records.get_record_length()
                        self.stat_update(f"skipped_{record.rec_type}")
                        continue
                    current = record.rec_headers.get_header("WARC-Record-ID") or f"{name}#{records.offset}"
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    content_type = record.http_headers.get_header("Content-Type") if record.http_headers else None
                    # at most max_bytes + 1 bytes of the body in memory: the rest of an oversized body is skipped
                    # by read_to_end below, which streams it in small blocks
                    body = record.content_stream().read(self.max_bytes + 1)
                    metadata = {
                        "url": url,
                        "date": record.rec_headers.get_header("WARC-Date"),
                        "warc_filename": name,
                        "warc_record_offset": records.get_record_offset(),
                    }
                    reason = None
                    if not (content_type or "").lower().startswith(HTML_TYPES):
                        reason = "not_html"
                    elif len(body) > self.max_bytes:
                        reason = "too_large"
                    text = None
                    if reason is None:
                        text, reason = decode_html(body, content_type)
                    records.read_to_end(record)
                    record_id = record.rec_headers.get_header("WARC-Record-ID")
                    record_id = record_id or f"{name}#{metadata['warc_record_offset']}"
                    missing = getattr(record.raw_stream, "limit", 0)
                    if missing > 0:
                        # the file ended inside this record: its payload is shorter than its Content-Length, so
                        # whatever warcio returned is a partial page, never a whole one
                        self._drop(rank, "truncated_record", record_id, len(body))
                        self.stat_update("truncated_files")
                        self.stat_update("truncated_bytes", value=missing)
                        logger.warning(f"{path}: the last record ends {missing:,} bytes short; the file is truncated")
                        return
                    metadata["warc_record_length"] = records.get_record_length()
                    end = metadata["warc_record_offset"] + metadata["warc_record_length"]
                    current = None
                    if reason is not None:
                        self._drop(rank, reason, record_id, len(body))
                        continue
                    document = Document(text=text, id=record_id, metadata=metadata)
                    self.stat_update("documents")
                    self.update_doc_stats(document)
                    yield document
        except (ArchiveLoadFailed, EOFError, OSError, zlib.error) as e:
            if current is not None:  # the damage is inside a response: that page is partial
                self._drop(rank, "truncated_record", current, 0)
            self.stat_update("truncated_files")
            logger.warning(f"{path}: stopped reading at a damaged or truncated record ({type(e).__name__}: {e})")
            return
        # warcio ends quietly on a gzip member cut short: bytes left after the last complete record mean the file
        # was truncated (its complete records were kept)
        if size and end < size - 4:  # a few bytes of padding are normal
            self.stat_update("truncated_files")
            self.stat_update("truncated_bytes", value=size - end)
            logger.warning(f"{path}: {size - end:,} bytes after the last complete record; the file is truncated")

    def _drop(self, rank: int, reason: str, record_id: str, size: int) -> None:
        self.stat_update(f"dropped_{reason}")
        if self.drop_ledger is not None:
            self.drop_ledger.record(rank, reason, record_id, None, size)
