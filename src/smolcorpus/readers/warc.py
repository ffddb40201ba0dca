"""Common Crawl WARC files → HTML documents with the record's place in the file (for FineMath-like outputs).

A response whose WARC-Target-URI is not an http(s) address with a host (`javascript:`, `data:`, `file:`) is dropped
as `invalid_url`: a page's url enters the corpus and its domain statistics. datatrove's WarcReader keeps no record
offsets, skips non-HTML records without counting them and fails the task on
a truncated file; this reader counts every skipped record by type, records why a response is dropped, and keeps
the complete records of a damaged file. `html_records` serves `smolcorpus extract`.

WARC files are read with fastwarc (resiliparse's Rust-speed reader: ≈ 2x warcio on real pages); the rare records it
would read differently from warcio are read with warcio, so the output is the same as warcio's on every WARC we
have (tested): legacy ARC files and uncompressed WARCs (whole files; Common Crawl's are gzipped), responses with a
Transfer-Encoding or Content-Encoding (warcio dechunks and decompresses them and checks their length before
decoding), and responses without a Content-Type as fastwarc parses them (WARC/0.18 quirks). warcio also measures
the last record's length (a fastwarc record knows where it starts; the next one says where it ends).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.logging import logger

from smolcorpus.runtime.step_stats import count_drop

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


def is_page_url(url: str | None) -> bool:
    """Whether `url` can be a crawled page's address: http(s) with a host. `javascript:`, `data:`, `file:` or a
    missing URI would enter the corpus as a page's `url` and its domain statistics."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url or "")
    except ValueError:  # an invalid IPv6 host, for one
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


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
        if path.endswith(".warc.gz"):
            return self._read_fastwarc(path, rank)
        return self._read_warcio(path, rank)

    def _read_fastwarc(self, path: str, rank: int) -> DocumentsPipeline:
        import fsspec
        from fastwarc.warc import ArchiveIterator

        name = path.rsplit("/", 1)[-1]
        last_offset = None  # where the last record started (any type)
        pending = None  # a response read, waiting for the next record's offset to know its length
        skipped = None  # the type of a skipped record, counted once the next record shows it was whole
        try:
            fs, fs_path = fsspec.core.url_to_fs(path, **self.storage_options)
            size = fs.size(fs_path)
            with fs.open(fs_path, "rb") as stream:
                for record in ArchiveIterator(stream, parse_http=True, auto_decode="none"):
                    offset = record.stream_pos
                    if skipped is not None:
                        self._count_skipped(skipped)
                        skipped = None
                    if pending is not None:
                        yield from self._finish(rank, pending, offset - pending["offset"])
                        pending = None
                    last_offset = offset
                    record_type = record.headers.get("WARC-Type")
                    if record_type != "response":
                        skipped = record_type
                        continue
                    record_id = record.headers.get("WARC-Record-ID") or f"{name}#{offset}"
                    url = record.headers.get("WARC-Target-URI") or ""
                    if url.startswith("<") and url.endswith(">"):  # WARC 1.0's <uri> form, as warcio reads it
                        url = url[1:-1]
                    where = {"url": url or None, "warc_filename": name, "warc_record_offset": offset}
                    http = record.http_headers if record.is_http else None
                    content_type = http.get("Content-Type") if http is not None else None
                    # no HTTP headers parsed (or no Content-Type in them: WARC/0.18 quirks), or an encoded body:
                    # this record is read by warcio
                    if content_type is None or http.get("Transfer-Encoding") or http.get("Content-Encoding"):
                        try:
                            body, missing, _, content_type = self._warcio_record(fs, fs_path, offset)
                        except EOFError:  # the file ends inside this record's headers: no record, cut bytes
                            self._cut_after(path, size, offset)
                            return
                    else:
                        # at most max_bytes + 1 bytes in memory; the rest is skipped, counted by tell()
                        body = record.reader.read(self.max_bytes + 1)
                        record.reader.consume()
                        missing = record.content_length - record.reader.tell()
                    self.stat_update("records")
                    if missing > 0:
                        self._cut_inside(path, rank, record_id, len(body), missing, where)
                        return
                    pending = {"offset": offset, "id": record_id, "body": body, "content_type": content_type,
                               "metadata": {**where, "date": record.headers.get("WARC-Date")}}  # fmt: skip
                if last_offset is None:
                    return
                try:
                    last_length = self._warcio_record(fs, fs_path, last_offset)[2]
                except EOFError:  # the last record's headers are cut: it is no record
                    self._cut_after(path, size, last_offset)
                    return
                if skipped is not None:
                    self._count_skipped(skipped)
                if pending is not None:
                    yield from self._finish(rank, pending, last_length)
        except (OSError, EOFError, zlib.error) as e:
            if pending is not None:  # the damage is after this response: it is whole
                yield from self._finish(rank, pending, None)
            self.stat_update("truncated_files")
            logger.warning(f"{path}: stopped reading at a damaged or truncated record ({type(e).__name__}: {e})")
            return
        end = last_offset + last_length
        if size and end < size - 4:  # a few bytes of padding are normal
            self._cut_after(path, size, end)

    def _page_text(self, body: bytes, content_type: str | None, url: str | None) -> tuple[str | None, str | None]:
        """(text, None) for an HTML body of a web URL that fits and decodes, else (None, `invalid_url` |
        `not_html` | `too_large` | `undecodable`)."""
        if not is_page_url(url):
            return None, "invalid_url"
        if not (content_type or "").lower().startswith(HTML_TYPES):
            return None, "not_html"
        if len(body) > self.max_bytes:
            return None, "too_large"
        return decode_html(body, content_type)

    def _count_skipped(self, record_type: str) -> None:
        self.stat_update("records")
        self.stat_update(f"skipped_{record_type}")

    def _cut_inside(self, path: str, rank: int, record_id: str, read: int, missing: int, where: dict) -> None:
        """The file ended inside a response: its payload is `missing` bytes shorter than its Content-Length, so what
        was read is a partial page, never a whole one: dropped as `truncated_record`."""
        self._drop(rank, "truncated_record", record_id, read, where)
        self.stat_update("truncated_files")
        self.stat_update("truncated_bytes", value=missing)
        logger.warning(f"{path}: the last record ends {missing:,} bytes short; the file is truncated")

    def _cut_after(self, path: str, size: int, end: int) -> None:
        """Count a file whose last complete record ends at `end` and whose rest is a cut record."""
        self.stat_update("truncated_files")
        self.stat_update("truncated_bytes", value=size - end)
        logger.warning(f"{path}: {size - end:,} bytes after the last complete record; the file is truncated")

    def _finish(self, rank: int, pending: dict, length: int | None) -> DocumentsPipeline:
        """Decode a read response and yield it as a document, or drop it with its reason."""
        body = pending["body"]
        text, reason = self._page_text(body, pending["content_type"], pending["metadata"]["url"])
        if reason is not None:
            self._drop(rank, reason, pending["id"], len(body), pending["metadata"])
            return
        metadata = pending["metadata"]
        if length is not None:
            metadata["warc_record_length"] = length
        document = Document(text=text, id=pending["id"], metadata=metadata)
        self.stat_update("documents")
        self.update_doc_stats(document)
        yield document

    def _warcio_record(self, fs, fs_path: str, offset: int) -> tuple[bytes, int, int, str | None]:
        """(decoded payload, at most max_bytes + 1 bytes; bytes missing from it; record length; HTTP content type)
        of the record at `offset`, read by warcio (see the module docstring for when)."""
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed

        with fs.open(fs_path, "rb") as stream:
            stream.seek(offset)
            records = ArchiveIterator(stream, arc2warc=True)
            try:
                record = next(iter(records), None)
            except (ArchiveLoadFailed, AttributeError, ValueError) as e:  # warcio on headers cut short
                raise EOFError(f"no complete record at offset {offset}: {e}") from e
            if record is None:  # the file ends inside this record's headers
                raise EOFError(f"no complete record at offset {offset}")
            body = record.content_stream().read(self.max_bytes + 1) if record.rec_type == "response" else b""
            content_type = record.http_headers.get_header("Content-Type") if record.http_headers else None
            records.read_to_end(record)
            return body, getattr(record.raw_stream, "limit", 0), records.get_record_length(), content_type

    def _read_warcio(self, path: str, rank: int) -> DocumentsPipeline:
        import fsspec
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed

        name = path.rsplit("/", 1)[-1]
        arc = path.endswith((".arc", ".arc.gz"))
        end = size = 0  # where the last complete record ended; the file's size
        current = current_where = None
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
                    # ARC records have no id: warcio makes a random one, which would change on every rerun
                    record_id = None if arc else record.rec_headers.get_header("WARC-Record-ID")
                    current = record_id or f"{name}#{records.offset}"
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    content_type = record.http_headers.get_header("Content-Type") if record.http_headers else None
                    # where it starts, for a drop if the file ends inside it (get_record_offset reads to its end)
                    current_where = {"url": url, "warc_filename": name, "warc_record_offset": records.offset}
                    # at most max_bytes + 1 bytes of the body in memory: the rest of an oversized body is skipped
                    # by read_to_end below, which streams it in small blocks
                    body = record.content_stream().read(self.max_bytes + 1)
                    metadata = {
                        "url": url,
                        "date": record.rec_headers.get_header("WARC-Date"),
                        "warc_filename": name,
                        "warc_record_offset": records.get_record_offset(),
                    }
                    text, reason = self._page_text(body, content_type, url)
                    records.read_to_end(record)
                    record_id = record_id or f"{name}#{metadata['warc_record_offset']}"
                    missing = getattr(record.raw_stream, "limit", 0)
                    if missing > 0:
                        self._cut_inside(path, rank, record_id, len(body), missing, metadata)
                        return
                    metadata["warc_record_length"] = records.get_record_length()
                    end = metadata["warc_record_offset"] + metadata["warc_record_length"]
                    current = None
                    if reason is not None:
                        self._drop(rank, reason, record_id, len(body), metadata)
                        continue
                    document = Document(text=text, id=record_id, metadata=metadata)
                    self.stat_update("documents")
                    self.update_doc_stats(document)
                    yield document
        # AttributeError/ValueError: warcio's parser on record headers cut short (a header line without its value)
        except (ArchiveLoadFailed, EOFError, OSError, zlib.error, AttributeError, ValueError) as e:
            if current is not None:  # the damage is inside a response: that page is partial
                self._drop(rank, "truncated_record", current, 0, current_where)
            elif size > end:  # the damage is in the headers of a record after the last complete one
                self.stat_update("truncated_bytes", value=size - end)
            self.stat_update("truncated_files")
            logger.warning(f"{path}: stopped reading at a damaged or truncated record ({type(e).__name__}: {e})")
            return
        # warcio ends quietly on a gzip member cut short: bytes left after the last complete record mean the file
        # was truncated (its complete records were kept)
        if size and end < size - 4:  # a few bytes of padding are normal
            self._cut_after(path, size, end)

    def _drop(self, rank: int, reason: str, record_id: str, size: int, metadata: dict | None) -> None:
        """Count and ledger a response that is no page, with its url, WARC file and offset (`metadata`'s)."""
        where = {key: (metadata or {}).get(key) for key in ("url", "warc_filename", "warc_record_offset")}
        count_drop(self, reason, self.drop_ledger, rank, record_id, None, size, where)
