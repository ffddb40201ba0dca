"""WARC helpers for debugging single pages (`smolcorpus extract`); pipelines read WARCs with datatrove's WarcReader."""

from __future__ import annotations

from collections.abc import Iterator

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
