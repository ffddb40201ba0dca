"""WARC helpers: Common Crawl paths files and charset decoding."""

import gzip
import json

from smolcorpus.readers.warc import WarcHtmlReader, decode_html, list_warc_files


def test_common_crawl_paths_file_becomes_s3_keys(tmp_path, shared_data):
    keys = [
        "crawl-data/CC-MAIN-2024-22/segments/1/warc/a.warc.gz",
        "crawl-data/CC-MAIN-2024-22/segments/1/warc/b.warc.gz",
    ]
    paths = tmp_path / "warc.paths.gz"
    paths.write_bytes(gzip.compress(("\n".join(keys) + "\n").encode()))
    assert list_warc_files([str(paths)]) == [f"s3://commoncrawl/{key}" for key in keys]
    local = list_warc_files([str(shared_data / "warc")])
    assert len(local) >= 15 and all(".warc" in p or p.endswith(".arc.gz") for p in local)


def test_charset_decoding():
    assert decode_html("café".encode("latin-1"), "text/html; charset=ISO-8859-1") == ("café", None)
    assert decode_html("café".encode(), "text/html") == ("café", None)
    text, reason = decode_html("naïve".encode("cp1252"), "text/html")  # no charset, not UTF-8: detected
    assert reason is None and text


def math_page_warc(shared_data, compress: bool) -> tuple[bytes, list[int]]:
    """A WARC of real pages (math_dev), uncompressed or gzip per record; returns it and each record's offset."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=compress)
    offsets = []
    for name in ("se_worldbuilding_162264", "mathhelpforum_121269", "wikipedia_tsne"):
        body = gzip.decompress((shared_data / "math_dev" / "pages" / f"{name}.html.gz").read_bytes())
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        offsets.append(buffer.tell())
        url = f"https://example.org/{name}"
        record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
        writer.write_record(record)
    return buffer.getvalue(), offsets


def read_warc(path, max_bytes=5_000_000):
    from smolcorpus.readers.warc import WarcHtmlReader

    reader = WarcHtmlReader([str(path)], max_bytes=max_bytes)
    docs = list(reader.run())
    return docs, {key: value.total for key, value in reader.stats.stats.items()}


def test_a_record_cut_short_is_dropped_not_kept_as_a_page(shared_data, tmp_path):
    """The file ends inside its last record, at five places (uncompressed and gzip): the complete records are
    kept, the cut one is dropped as `truncated_record`, and the file is counted as truncated."""
    for compress in (False, True):
        whole, offsets = math_page_warc(shared_data, compress)
        last = offsets[-1]
        docs, stats = read_warc(_write(tmp_path / f"whole{compress}.warc", whole))
        assert len(docs) == 3 and stats.get("truncated_files", 0) == 0
        for fraction in (0.2, 0.4, 0.6, 0.8, 0.95):
            cut = last + int((len(whole) - last) * fraction)
            docs, stats = read_warc(_write(tmp_path / f"cut{compress}{fraction}.warc", whole[:cut]))
            assert [d.metadata["url"].rsplit("/", 1)[1] for d in docs] == [
                "se_worldbuilding_162264", "mathhelpforum_121269"], (compress, fraction)  # fmt: skip
            assert stats.get("truncated_files") == 1, (compress, fraction, stats)
            assert stats.get("dropped_truncated_record") == 1, (compress, fraction, stats)
            assert "t-SNE" not in " ".join(d.text for d in docs)


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_an_oversized_body_is_streamed_past_with_bounded_memory(tmp_path):
    """A 1 MB .warc.gz whose one response expands to 1 GB (then a small page): the big body is dropped as
    `too_large` and the page after it is read, in a child process whose peak memory stays under 400 MB."""
    import json
    import sys
    import zlib

    from tests.conftest import run_measured

    body_size = 1 << 30
    http = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {body_size}\r\n\r\n").encode()
    header = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:big>\r\n"
              f"WARC-Target-URI: https://example.org/big\r\nContent-Type: application/http; msgtype=response\r\n"
              f"Content-Length: {len(http) + body_size}\r\n\r\n").encode()  # fmt: skip
    small_page = b"<html><body><p>small page after the big one</p></body></html>"
    small_http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + small_page
    small = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:small>\r\n"
             f"WARC-Target-URI: https://example.org/small\r\nContent-Type: application/http; msgtype=response\r\n"
             f"Content-Length: {len(small_http)}\r\n\r\n").encode() + small_http + b"\r\n\r\n"  # fmt: skip
    path = tmp_path / "bomb.warc.gz"
    with open(path, "wb") as out:
        member = zlib.compressobj(1, zlib.DEFLATED, 31)
        out.write(member.compress(header + http))
        chunk = b"<p>" + b"x" * (4 << 20) + b"</p>"
        written = 0
        while written < body_size:
            piece = chunk[: body_size - written]
            out.write(member.compress(piece))
            written += len(piece)
        out.write(member.compress(b"\r\n\r\n") + member.flush())
        out.write(zlib.compress(small, 1, wbits=31) if sys.version_info >= (3, 11) else gzip.compress(small))
    assert path.stat().st_size < 10 << 20
    script = (
        "import json, sys\n"
        "from smolcorpus.readers.warc import WarcHtmlReader\n"
        f"reader = WarcHtmlReader([{str(path)!r}])\n"
        "docs = list(reader.run())\n"
        "print(json.dumps({'urls': [d.metadata['url'] for d in docs],"
        " 'stats': {k: v.total for k, v in reader.stats.stats.items()}}))\n"
    )
    result, peak_mb = run_measured([sys.executable, "-c", script])
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["urls"] == ["https://example.org/small"]
    assert out["stats"]["dropped_too_large"] == 1
    assert peak_mb < 400, peak_mb


def test_fastwarc_path_equals_warcio_on_every_shared_warc(shared_data):
    """Gzipped WARCs are read with fastwarc: the same documents (ids, text, metadata with offsets and lengths), the
    same drops and counters as warcio gives, on every WARC of ../shared/data (Common Crawl, wget, ClueWeb09's
    WARC/0.18 quirks, chunked and gzip-encoded bodies, a truncated file, ARC and uncompressed files)."""
    import os

    paths = sorted(str(shared_data / "warc" / name) for name in os.listdir(shared_data / "warc"))
    assert sum(p.endswith(".warc.gz") for p in paths) >= 10
    for path in paths:
        fast, slow = WarcHtmlReader([path]), WarcHtmlReader([path])
        read = [(d.id, d.text, d.metadata) for d in fast.run()]
        reference = [(d.id, d.text, d.metadata) for d in slow._read_warcio(path, 0)]
        assert read == reference, path

        def counters(step):
            return {k: v.total for k, v in step.stats.stats.items() if not k.startswith("doc_len")}

        assert counters(fast) == counters(slow), path
        assert [d[0] for d in read] == [d.id for d in WarcHtmlReader([path]).run()]  # ids are stable (ARC too)


def test_fastwarc_path_equals_warcio_on_files_cut_anywhere(shared_data, tmp_path):
    """A WARC of real math pages cut at 20 places (inside bodies, HTTP headers, WARC headers, gzip members): the
    same documents, drops and truncation counters as warcio's path, and no crash."""
    from tests.pipelines.test_finemath import math_page_warc

    math_page_warc(shared_data, tmp_path / "whole.warc.gz")
    whole = (tmp_path / "whole.warc.gz").read_bytes()
    cut = tmp_path / "cut.warc.gz"
    for i in range(1, 21):
        cut.write_bytes(whole[: len(whole) * i // 21 + 7 * i])
        fast, slow = WarcHtmlReader([str(cut)]), WarcHtmlReader([str(cut)])
        read = [(d.id, d.text, d.metadata) for d in fast.run()]
        assert read == [(d.id, d.text, d.metadata) for d in slow._read_warcio(str(cut), 0)], i
        totals = [{k: v.total for k, v in r.stats.stats.items() if not k.startswith("doc_len")} for r in (fast, slow)]
        assert totals[0] == totals[1] and totals[0]["truncated_files"] == 1, (i, totals)


def test_a_record_whose_uri_is_not_a_web_page_is_an_invalid_url_drop(shared_data, tmp_path):
    """`javascript:`, `data:`, `file:` and host-less URIs never enter the corpus as a page's url; the real pages
    around them are read. Both read paths (fastwarc, and warcio for uncompressed files) agree."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    body = gzip.decompress((shared_data / "math_dev" / "pages" / "wikipedia_tsne.html.gz").read_bytes())
    uris = ["https://example.org/a", "javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd",
            "http://", "http://Example.org/b"]  # fmt: skip
    for compress in (True, False):
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=compress)
        for uri in uris:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))  # fmt: skip
        path = tmp_path / f"uris-{compress}.warc{'.gz' if compress else ''}"
        path.write_bytes(buffer.getvalue())
        docs, stats = read_warc(path)
        assert [doc.metadata["url"] for doc in docs] == ["https://example.org/a", "http://Example.org/b"]
        assert stats["dropped_invalid_url"] == 4


def test_every_drop_names_the_record_a_person_can_find_again(shared_data, tmp_path):
    """Issue 29: a ledger line of the WARC reader says where its record is: the URL, the WARC file and the record's
    offset, at which warcio finds that very record (its WARC-Record-ID is the line's id), on both read paths and
    on every shared WARC, a truncated one included. The samples of those drops show the same."""
    import os

    from warcio.archiveiterator import ArchiveIterator

    from smolcorpus.writers.ledger import DropLedger
    from smolcorpus.writers.samples import read_samples

    lines = []
    for name in sorted(os.listdir(shared_data / "warc")):
        path = str(shared_data / "warc" / name)
        for way in ("fastwarc", "warcio"):
            folder = tmp_path / way / name
            ledger = DropLedger(str(folder / "dropped"), "read_warc", samples_folder=str(folder / "samples"))
            reader = WarcHtmlReader([path], drop_ledger=ledger)
            with ledger:
                list(reader._read(path, 0) if way == "fastwarc" else reader._read_warcio(path, 0))
            for ledger_file in sorted((folder / "dropped" / "read_warc").glob("*.jsonl.gz")):
                with gzip.open(ledger_file, "rt") as f:
                    lines += [(path, json.loads(line)) for line in f]
            samples = [r for group in read_samples(str(folder / "samples")).values() for r in group]
            assert all(r["metadata"]["warc_filename"] == name and "url" in r["metadata"] for r in samples)
    reasons = {line["reason"] for _, line in lines}
    assert {"not_html", "truncated_record"} <= reasons, reasons
    for path, line in lines:
        assert line["warc_filename"] == path.rsplit("/", 1)[1] and line["url"], line
        with open(path, "rb") as stream:
            stream.seek(line["warc_record_offset"])
            record = next(iter(ArchiveIterator(stream, arc2warc=True)))
            assert record.rec_headers.get_header("WARC-Record-ID") == line["id"], line
            assert record.rec_headers.get_header("WARC-Target-URI").strip("<>") == line["url"], line


def test_the_prefilter_inside_the_reader_keeps_and_drops_what_the_step_after_it_does(shared_data, tmp_path,
                                                                                       monkeypatch):  # fmt: skip
    """Issue 28: with the math prefilter judging each page's raw bytes inside the reader (the pages it drops are
    never decoded), the same pages come out as with the prefilter step on the decoded pages after the reader (the
    live oracle), on every real page (math and not) and every shared WARC: the same documents with the same
    `math_marker`, the same counters, the same prefilter ledger lines (reason, bytes, where), and drop samples of
    the same pages with the same readable text. Inside the reader, only the pages kept and the few dropped pages
    that the ledger samples are decoded."""
    from smolcorpus.filters.math_prefilter import MathPrefilter
    from smolcorpus.readers import warc
    from smolcorpus.writers.ledger import DropLedger
    from smolcorpus.writers.samples import read_samples
    from tests.extraction.web_pages import labelled_pages, write_pages_warc

    (tmp_path / "pages").mkdir()
    write_pages_warc(labelled_pages(shared_data), tmp_path / "pages" / "pages.warc.gz")
    inputs = [str(tmp_path / "pages"), str(shared_data / "warc")]
    runs, decoded = [], []
    decode = warc.decode_html
    monkeypatch.setattr(warc, "decode_html", lambda *args: decoded.append(1) or decode(*args))
    for inside in (False, True):
        decoded.clear()
        folder = tmp_path / f"inside-{inside}"
        ledger = DropLedger(str(folder / "dropped"), "prefilter", samples_folder=str(folder / "samples"), html=True)
        prefilter = MathPrefilter(exclusion_writer=ledger)
        reader = WarcHtmlReader(inputs, prefilter=prefilter if inside else None)
        kept = [(d.id, d.text, d.metadata) for d in prefilter.run(reader.run())]
        with gzip.open(folder / "dropped" / "prefilter" / "00000.jsonl.gz", "rt") as f:
            lines = [json.loads(line) for line in f]
        samples = {(r["id"], r["text"]) for group in read_samples(str(folder / "samples")).values() for r in group}
        counters = [{k: v.total for k, v in step.stats.stats.items() if not k.startswith("doc_len")}
                    for step in (reader, prefilter)]  # fmt: skip
        runs.append((kept, lines, samples, counters))
    (kept, lines, samples, counters), inside = runs
    assert len(kept) > 40 and all(metadata["math_marker"] for _, _, metadata in kept)
    assert len(lines) > 600 and {line["reason"] for line in lines} == {"no_math_signal"}
    assert (inside[0], inside[2], inside[3]) == (kept, samples, counters) and samples
    assert len(decoded) < len(kept) + 0.1 * len(lines)  # what the reader decodes with the prefilter inside
    # a ledger line's bytes are the page's size: its text's in UTF-8 once decoded, its raw bytes' when never
    # decoded (as on the reader's own lines), which differ only on a page that is not UTF-8 (iso-8859-1, cp1252)
    assert [dict(line, bytes=0) for line in inside[1]] == [dict(line, bytes=0) for line in lines]
    files = {path.rsplit("/", 1)[-1]: path for path in list_warc_files(inputs)}
    for line, mine in zip(lines, inside[1], strict=True):
        body = _body_at(files[line["warc_filename"]], line["warc_record_offset"])
        assert mine["bytes"] == len(body)
        assert line["bytes"] == len(body) or not _is_utf8(body), line


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _body_at(path, offset: int) -> bytes:
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as stream:
        stream.seek(offset)
        return next(iter(ArchiveIterator(stream, arc2warc=True))).content_stream().read()
