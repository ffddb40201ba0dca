"""WARC helpers: Common Crawl paths files and charset decoding."""

import gzip

from smolcorpus.readers.warc import decode_html, list_warc_files


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
