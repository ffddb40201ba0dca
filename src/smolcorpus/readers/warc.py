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
from typing import NamedTuple, Protocol

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.logging import logger

from smolcorpus.config.base import default_of
from smolcorpus.config.finemath import WarcSourceConfig
from smolcorpus.readers.listing import list_input_files
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


def is_warc_file(path: str) -> bool:
    """Whether a file in a folder is read as a WARC (or ARC) file, by its name."""
    return path.endswith((".warc", ".warc.gz", ".arc.gz"))


def list_warc_files(paths: list[str], storage_options: dict | None = None) -> list[str]:
    """WARC files from paths: files, folders (recursively: *.warc, *.warc.gz, *.arc.gz; as `listing.list_input_files`
    lists them: hidden names skipped, sorted by path), or a Common Crawl paths file (`*.paths` / `*.paths.gz`, one
    key per line, prefixed with `s3://commoncrawl/`)."""
    import gzip

    import fsspec

    keys, others = [], []
    for path in paths:
        fs, root = fsspec.core.url_to_fs(path, **(storage_options or {}))
        if not root.endswith((".paths", ".paths.gz")):
            others.append(path)
            continue
        with fs.open(root, "rb") as raw:
            data = gzip.decompress(raw.read()) if root.endswith(".gz") else raw.read()
        keys += [f"s3://commoncrawl/{key.strip()}" for key in data.decode().splitlines() if key.strip()]
    return sorted(set(keys) | set(list_input_files(others, is_warc_file, storage_options) if others else []))


class WarcRecord(NamedTuple):
    """One record of a WARC file as both read paths (fastwarc, warcio) hand it to the reader's one record loop."""

    type: str  # WARC-Type: response, request, metadata, revisit, warcinfo, ...
    id: str = ""  # WARC-Record-ID, else `<file name>#<offset>`
    offset: int = 0  # where the record starts in the file, bytes
    url: str | None = None  # WARC-Target-URI
    date: str | None = None  # WARC-Date
    content_type: str | None = None  # the HTTP Content-Type of a response
    body: bytes = b""  # the HTTP payload, at most max_bytes + 1 bytes
    length: int | None = None  # the whole record's bytes in the file; None where the file breaks off after it
    cut: bool = False  # the file ends or breaks inside this record: what was read of it is a partial page


class UndecodedPage(Document):
    """A page dropped on its raw bytes, never decoded: `text` decodes it only when read (for the few pages a drop
    ledger samples); `metadata["length_bytes"]` gives its size to the ledger line without it."""

    __slots__ = ("_body", "_content_type", "_text")

    def __init__(self, body: bytes, content_type: str | None, id: str, metadata: dict):
        self._body, self._content_type = body, content_type
        metadata["length_bytes"] = len(body)
        super().__init__(None, id, metadata=metadata)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = decode_html(self._body, self._content_type)[0] or ""
        return self._text

    @text.setter
    def text(self, value: str | None) -> None:
        self._text = value


class RawPagePrefilter(Protocol):
    """What the reader asks of a prefilter that judges pages on their raw bytes (`MathPrefilter`)."""

    exclusion_writer: object | None

    def verdict(self, page: bytes) -> str | None:
        """The mark a kept page carries (its `math_marker`), or None for a drop."""

    def drop_raw(self, page: Document, rank: int) -> None:
        """Count and ledger a page dropped on its raw bytes."""


class WarcHtmlReader(PipelineStep):
    """HTML responses of WARC files as documents (text = HTML), task `rank` reading `files[rank::world_size]`.

    Metadata: `url`, `date`, `warc_filename`, `warc_record_offset`, `warc_record_length` (bytes, as in Common
    Crawl's index). Everything else is counted: `skipped_<type>` for request/metadata/revisit/warcinfo records,
    `dropped_not_html`, `dropped_undecodable`, `dropped_too_large` (ledgered when a `drop_ledger` is given), and
    `truncated_files` when a file ends early: its complete records are kept, a record cut short (payload shorter
    than its Content-Length) is dropped as `truncated_record`, and the run goes on. Memory per record is bounded
    by `max_bytes`: the rest of an oversized body is streamed past, not read.

    With a `prefilter` (`MathPrefilter`), each page that is a web page's HTML and fits is judged on its raw bytes
    before it is decoded: a page it drops is never decoded (≈ 97% of a crawl), is counted and ledgered by the
    prefilter (its `dropped_no_math_signal`, its ledger: the reader opens and closes that ledger), and counts as
    one of the reader's `documents` (read whole, then dropped), so kept + ledgered = read still holds. A kept page
    carries the prefilter's `math_marker`; the same prefilter standing later in the pipeline passes such a page
    without a second look. Its drops are counted before the steps between (the URL filter): a page that both
    filters drop is the prefilter's, and an undecodable page without math is a `no_math_signal` drop.

    Args:
        paths: WARC files, folders, or Common Crawl `warc.paths(.gz)` files.
        storage_options: fsspec options (e.g. `{anon: true}` or an S3 endpoint).
        max_bytes: larger responses are dropped (`too_large`; default: the config's `warc.max_bytes`, 5 MB).
        drop_ledger: where the reader's own drops are written (a `DropLedger`), or None.
        prefilter: judges pages on their raw bytes before decoding (see above), or None (default: every page is
            decoded and yielded).
    """

    name = "🕷 WARC HTML records"
    type = "📖 - READER"

    def __init__(self, paths: list[str], storage_options: dict | None = None,
                 max_bytes: int = default_of(WarcSourceConfig, "max_bytes"),
                 drop_ledger=None, prefilter: RawPagePrefilter | None = None):  # fmt: skip
        super().__init__()
        self.paths = list(paths)
        self.storage_options = storage_options or {}
        self.max_bytes = max_bytes
        self.drop_ledger = drop_ledger
        self.prefilter = prefilter

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        import contextlib

        if data:
            yield from data
        files = list_warc_files(self.paths, self.storage_options)
        with contextlib.ExitStack() as ledgers:
            # closing a ledger twice is harmless: the prefilter's own run closes it again after the reader's last page
            for ledger in (self.drop_ledger, self.prefilter.exclusion_writer if self.prefilter else None):
                if ledger is not None:
                    ledgers.enter_context(ledger)
            for path in files[rank::world_size]:
                yield from self._read(path, rank)

    def _read(self, path: str, rank: int) -> DocumentsPipeline:
        if path.endswith(".warc.gz"):
            return self._pages(self._fastwarc_records(path), path, rank)
        return self._read_warcio(path, rank)

    def _read_warcio(self, path: str, rank: int) -> DocumentsPipeline:
        return self._pages(self._warcio_records(path), path, rank)

    def _pages(self, records: Iterator[WarcRecord], path: str, rank: int) -> DocumentsPipeline:
        """The one record loop: count every record, drop a partial or refused page, yield the others."""
        name = path.rsplit("/", 1)[-1]
        for record in records:
            self.stat_update("records")
            if record.type != "response":
                self.stat_update(f"skipped_{record.type}")
            elif record.cut:  # a partial page, never a whole one
                self._drop(rank, "truncated_record", record, name)
            else:
                yield from self._finish(rank, record, name)

    def _fastwarc_records(self, path: str) -> Iterator[WarcRecord]:
        """The records of a gzipped WARC read by fastwarc, each once the next one shows where it ends (a response
        cut short at once, and the file's reading stops there); truncation is counted here."""
        import fsspec
        from fastwarc.warc import ArchiveIterator

        name = path.rsplit("/", 1)[-1]
        last = None  # the last record read (any type), waiting for the next record's offset to know its length
        try:
            fs, fs_path = fsspec.core.url_to_fs(path, **self.storage_options)
            size = fs.size(fs_path)
            with fs.open(fs_path, "rb") as stream:
                for record in ArchiveIterator(stream, parse_http=True, auto_decode="none"):
                    offset = record.stream_pos
                    if last is not None:
                        yield last._replace(length=offset - last.offset)
                        last = None
                    record_type = record.headers.get("WARC-Type")
                    if record_type != "response":
                        last = WarcRecord(record_type, offset=offset)
                        continue
                    url = record.headers.get("WARC-Target-URI") or ""
                    if url.startswith("<") and url.endswith(">"):  # WARC 1.0's <uri> form, as warcio reads it
                        url = url[1:-1]
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
                    record_id = record.headers.get("WARC-Record-ID") or f"{name}#{offset}"
                    last = WarcRecord("response", record_id, offset, url or None, record.headers.get("WARC-Date"),
                                      content_type, body)  # fmt: skip
                    if missing > 0:
                        self._cut_short(path, missing)
                        yield last._replace(cut=True)
                        return
                if last is None:
                    return
                try:
                    last_length = self._warcio_record(fs, fs_path, last.offset)[2]
                except EOFError:  # the last record's headers are cut: it is no record
                    self._cut_after(path, size, last.offset)
                    return
                yield last._replace(length=last_length)
        except (OSError, EOFError, zlib.error) as e:
            self.stat_update("truncated_files")
            logger.warning(f"{path}: stopped reading at a damaged or truncated record ({type(e).__name__}: {e})")
            if last is not None and last.type == "response":  # the damage is after this response: it is whole
                yield last
            return
        end = last.offset + last_length
        if size and end < size - 4:  # a few bytes of padding are normal
            self._cut_after(path, size, end)

    def _warcio_records(self, path: str) -> Iterator[WarcRecord]:
        """The records of any WARC or ARC file read by warcio, each once read to its end; truncation is counted
        here (warcio's errors on a damaged file end the reading, a response they break into is a cut one)."""
        import fsspec
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed

        name = path.rsplit("/", 1)[-1]
        arc = path.endswith((".arc", ".arc.gz"))
        end = size = 0  # where the last complete record ended; the file's size
        current = None  # the response record being read, until it is complete
        try:
            fs, fs_path = fsspec.core.url_to_fs(path, **self.storage_options)
            size = fs.size(fs_path)
            with fs.open(fs_path, "rb") as stream:
                records = ArchiveIterator(stream, arc2warc=True)
                for record in records:
                    if record.rec_type != "response":
                        records.read_to_end(record)
                        end = records.get_record_offset() + records.get_record_length()
                        yield WarcRecord(record.rec_type, offset=records.get_record_offset())
                        continue
                    # ARC records have no id: warcio makes a random one, which would change on every rerun
                    record_id = None if arc else record.rec_headers.get_header("WARC-Record-ID")
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    content_type = record.http_headers.get_header("Content-Type") if record.http_headers else None
                    # where it starts, for a drop if the file ends inside it (get_record_offset reads to its end)
                    current = WarcRecord("response", record_id or f"{name}#{records.offset}", records.offset, url,
                                         cut=True)  # fmt: skip
                    # at most max_bytes + 1 bytes of the body in memory: the rest of an oversized body is skipped
                    # by read_to_end below, which streams it in small blocks
                    body = record.content_stream().read(self.max_bytes + 1)
                    offset = records.get_record_offset()
                    date = record.rec_headers.get_header("WARC-Date")
                    records.read_to_end(record)
                    response = WarcRecord("response", record_id or f"{name}#{offset}", offset, url, date,
                                          content_type, body)  # fmt: skip
                    current = None
                    missing = getattr(record.raw_stream, "limit", 0)
                    if missing > 0:
                        self._cut_short(path, missing)
                        yield response._replace(cut=True)
                        return
                    response = response._replace(length=records.get_record_length())
                    end = offset + response.length
                    yield response
        # AttributeError/ValueError: warcio's parser on record headers cut short (a header line without its value)
        except (ArchiveLoadFailed, EOFError, OSError, zlib.error, AttributeError, ValueError) as e:
            if current is None and size > end:  # the damage is in the headers of a record after the last whole one
                self.stat_update("truncated_bytes", value=size - end)
            self.stat_update("truncated_files")
            logger.warning(f"{path}: stopped reading at a damaged or truncated record ({type(e).__name__}: {e})")
            if current is not None:  # the damage is inside a response: that page is partial
                yield current
            return
        # warcio ends quietly on a gzip member cut short: bytes left after the last complete record mean the file
        # was truncated (its complete records were kept)
        if size and end < size - 4:  # a few bytes of padding are normal
            self._cut_after(path, size, end)

    def _refusal(self, record: WarcRecord) -> str | None:
        """Why a whole response is no page before its bytes are looked at: `invalid_url` | `not_html` |
        `too_large`, else None."""
        if not is_page_url(record.url):
            return "invalid_url"
        if not (record.content_type or "").lower().startswith(HTML_TYPES):
            return "not_html"
        if len(record.body) > self.max_bytes:
            return "too_large"
        return None

    def _cut_short(self, path: str, missing: int) -> None:
        """Count a file that ends inside a response: its payload is `missing` bytes shorter than its
        Content-Length (the partial page is dropped as `truncated_record`)."""
        self.stat_update("truncated_files")
        self.stat_update("truncated_bytes", value=missing)
        logger.warning(f"{path}: the last record ends {missing:,} bytes short; the file is truncated")

    def _cut_after(self, path: str, size: int, end: int) -> None:
        """Count a file whose last complete record ends at `end` and whose rest is a cut record."""
        self.stat_update("truncated_files")
        self.stat_update("truncated_bytes", value=size - end)
        logger.warning(f"{path}: {size - end:,} bytes after the last complete record; the file is truncated")

    def _finish(self, rank: int, record: WarcRecord, name: str) -> DocumentsPipeline:
        """Judge (with the prefilter), decode and yield a whole response as a document, or drop it with its reason."""
        reason = self._refusal(record)
        if reason is not None:
            self._drop(rank, reason, record, name)
            return
        metadata = {"url": record.url, "warc_filename": name, "warc_record_offset": record.offset, "date": record.date}
        if record.length is not None:
            metadata["warc_record_length"] = record.length
        marker = None
        if self.prefilter is not None:
            marker = self.prefilter.verdict(record.body)
            if marker is None:  # dropped on its raw bytes: never decoded
                self.stat_update("documents")
                self.prefilter.drop_raw(UndecodedPage(record.body, record.content_type, record.id, metadata), rank)
                return
        text, reason = decode_html(record.body, record.content_type)
        if reason is not None:
            self._drop(rank, reason, record, name)
            return
        if marker is not None:
            metadata["math_marker"] = marker
        document = Document(text=text, id=record.id, metadata=metadata)
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

    def _drop(self, rank: int, reason: str, record: WarcRecord, name: str) -> None:
        """Count and ledger a response that is no page, with its url, WARC file and offset."""
        where = {"url": record.url, "warc_filename": name, "warc_record_offset": record.offset}
        count_drop(self, reason, self.drop_ledger, rank, record.id, None, len(record.body), where)
