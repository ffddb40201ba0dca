"""The finemath pipeline end to end on real WARCs: the Common Crawl and other WARCs of ../shared/data/warc, plus a
WARC built here from the real math pages of ../shared/data/math_html, read from local files and from a moto S3
server on 127.0.0.1."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from smolcorpus.config import validate_config
from smolcorpus.readers.warc import WarcHtmlReader
from smolcorpus.run import run_config
from smolcorpus.writers.curated import FINEMATH_SCHEMA
from tests.s3_server import s3_client, s3fs_options


def math_page_warc(shared_data: Path, target: Path) -> list[str]:
    """Write the math pages as HTTP responses into a gzipped WARC; return their URLs."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    urls = []
    with open(target, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for i, line in enumerate((shared_data / "math_html" / "INDEX.jsonl").read_text().splitlines()):
            entry = json.loads(line)
            body = (shared_data / entry["file"]).read_bytes()
            body = gzip.decompress(body) if entry["file"].endswith(".gz") else body
            url = entry.get("url") or f"https://math.example/{i}"
            if not url.startswith("http"):
                url = f"https://math.example/{i}"
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))  # fmt: skip
            urls.append(url)
    return urls


@pytest.fixture(scope="module")
def warc_inputs(shared_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("warcs")
    urls = math_page_warc(shared_data, folder / "math_pages.warc.gz")
    for path in (shared_data / "warc").iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    whole = (folder / "math_pages.warc.gz").read_bytes()
    (folder / "math_pages_truncated.warc.gz").write_bytes(whole[: len(whole) * 2 // 3])  # cut mid-record
    return folder, urls


def finemath_config(paths, output, shared_data, **warc) -> dict:
    return {
        "pipeline": "finemath",
        "name": "finemath-test",
        "output_dir": str(output),
        "finemath": {
            "warc": {"paths": paths, **warc},
            "decontamination": {
                "benchmarks": [
                    str(shared_data / "contamination" / "gsm8k_test.jsonl"),
                    str(shared_data / "contamination" / "math500_test.jsonl"),
                ]
            },
        },  # fmt: skip
        "executor": {"tasks": 2, "workers": 2},
    }


def curated_rows(output: Path) -> list[dict]:
    rows = []
    for path in sorted((output / "curated").rglob("*.parquet")):
        table = pq.read_table(path)
        assert table.schema.equals(FINEMATH_SCHEMA)
        rows += table.to_pylist()
    return rows


def ledger(output: Path) -> list[dict]:
    records = []
    for path in sorted((output / "work" / "dropped").rglob("*.jsonl.gz")):
        with gzip.open(path, "rt") as f:
            records += [json.loads(line) for line in f]
    return records


@pytest.fixture(scope="module")
def local_run(warc_inputs, shared_data, tmp_path_factory):
    folder, urls = warc_inputs
    output = tmp_path_factory.mktemp("finemath_local")
    summary = run_config(validate_config(finemath_config([str(folder)], output, shared_data)))
    return output, urls, summary


def test_math_pages_reach_the_corpus_with_their_formulas(local_run, warc_inputs):
    output, urls, _ = local_run
    folder, _ = warc_inputs
    rows = curated_rows(output)
    kept_urls = {row["url"] for row in rows}
    assert len(set(urls) & kept_urls) >= 0.6 * len(set(urls))
    # no math page is lost to the math-specific steps; Gopher's repetition/quality rules and dedup may drop some
    # (formula-only demo pages fail the alphabetic-words rule; the cut WARC repeats pages)
    math_ids = {doc.id for doc in WarcHtmlReader([str(folder / "math_pages.warc.gz")]).run()}
    lost = {r["step"] for r in ledger(output) if r["id"] in math_ids}
    assert not lost & {"prefilter", "extraction", "language"}, lost
    tsne = next(row for row in rows if "tsne" in (row["url"] or "").lower() or "T-distributed" in row["text"])
    assert "$" in tsne["text"] and row_language_ok(tsne)
    assert all(row["language"] == "en" and row["language_score"] >= 0.65 for row in rows)


def row_language_ok(row: dict) -> bool:
    return row["language"] == "en" and 0.65 <= row["language_score"] <= 1


def test_every_record_is_kept_or_dropped_with_a_reason(local_run):
    output, _, summary = local_run
    rows, dropped = curated_rows(output), ledger(output)
    reader = summary.counter("filter", "documents") + sum(
        summary.counter("filter", f"dropped_{reason}") for reason in ("not_html", "too_large", "undecodable")
    )
    assert len(rows) + len(dropped) == reader
    reasons = {r["reason"] for r in dropped}
    assert "no_math_signal" in reasons and "not_html" in reasons
    assert summary.counter("filter", "truncated_files") >= 1  # the cut WARC: its complete records still count
    assert summary.counter("filter", "skipped_revisit") >= 1 and summary.counter("filter", "skipped_request") >= 1


def test_domain_list_names_the_math_domains(local_run):
    output, _, _ = local_run
    lines = (output / "domains.tsv").read_text().splitlines()
    assert lines[0] == "domain\tmath_pages\tpages"  # real data has < 10 math pages per domain: header only
    counts = json.loads(next((output / "work" / "domains").glob("*.json")).read_text())
    assert counts["math_pages"] and all(counts["pages"][d] >= n for d, n in counts["math_pages"].items())


def test_record_offsets_point_at_the_record(local_run, warc_inputs):
    output, _, _ = local_run
    folder, _ = warc_inputs
    from warcio.archiveiterator import ArchiveIterator

    for row in curated_rows(output)[:10]:
        data = (folder / row["warc_filename"]).read_bytes()
        chunk = data[row["warc_record_offset"] : row["warc_record_offset"] + row["warc_record_length"]]
        record = next(iter(ArchiveIterator(io.BytesIO(chunk))))
        assert record.rec_headers.get_header("WARC-Target-URI") == row["url"]


def test_s3_input_gives_the_same_corpus(local_run, warc_inputs, s3_endpoint, shared_data, tmp_path):
    output, _, _ = local_run
    folder, _ = warc_inputs
    s3 = s3_client(s3_endpoint)
    s3.create_bucket(Bucket="crawl")
    keys = []
    for path in sorted(folder.iterdir()):
        s3.put_object(Bucket="crawl", Key=f"segments/{path.name}", Body=path.read_bytes())
        keys.append(f"segments/{path.name}")
    config = finemath_config([f"s3://crawl/{key}" for key in keys], tmp_path / "s3", shared_data,
                             storage_options=s3fs_options(s3_endpoint))  # fmt: skip
    run_config(validate_config(config))

    def key(rows):
        return sorted((r["url"], r["text"]) for r in rows)

    assert key(curated_rows(tmp_path / "s3")) == key(curated_rows(output))


def test_reader_counts_what_it_skips(shared_data):
    reader = WarcHtmlReader([str(shared_data / "warc" / "warcio_example.warc.gz")])
    docs = list(reader.run())
    stats = {k: v.total for k, v in reader.stats.stats.items()}
    assert len(docs) == 1 and docs[0].metadata["url"] == "http://example.com/"
    assert stats["skipped_revisit"] == 1 and stats["skipped_request"] == 2 and stats["skipped_warcinfo"] == 2
