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
from smolcorpus.writers.samples import read_samples
from tests.s3_server import s3_client, s3fs_options

pytestmark = pytest.mark.slow  # whole FineMath runs on real WARCs and pages (minutes)


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


CONTAMINATED_URL = "https://homework.example/gsm8k-copy"


def write_contaminated_page(shared_data: Path, target: Path) -> None:
    """A forum page that pastes a GSM8K test problem and its worked answer."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    item = json.loads((shared_data / "contamination" / "gsm8k_test.jsonl").read_text().splitlines()[7])
    body = (f"<html><head><script src='https://cdn.example/mathjax.js'></script></head><body><article>"
            f"<h1>Homework help: an arithmetic word problem</h1><p>Can someone check my solution? {item['question']}"
            f"</p><p>My answer: {item['answer']}</p><p>Thanks, I think the equation and the fractions are right "
            f"but I am not sure about the last step of the calculation.</p></article></body></html>")  # fmt: skip
    with open(target, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(CONTAMINATED_URL, "response", payload=io.BytesIO(body.encode()),
                                                      http_headers=headers))  # fmt: skip


@pytest.fixture(scope="module")
def warc_inputs(shared_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("warcs")
    urls = math_page_warc(shared_data, folder / "math_pages.warc.gz")
    for path in (shared_data / "warc").iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    write_contaminated_page(shared_data, folder / "homework_help.warc.gz")
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


def read_filtered(output: Path) -> list[dict]:
    """The pages the filter stage wrote (what the curate stage reads)."""
    pages = []
    for path in sorted((output / "work" / "filtered").glob("*.jsonl.gz")):
        with gzip.open(path, "rt") as f:
            pages += [json.loads(line) for line in f]
    return pages


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
    output, urls, summary = local_run
    folder, _ = warc_inputs
    rows = curated_rows(output)
    # FineWeb's front-end steps ran, on by default: the URL filter (before the prefilter) and PII anonymisation
    steps = list(next(stage for stage in summary.stages if stage.name == "filter").counters)
    url_step = next(i for i, name in enumerate(steps) if "URL filter" in name)
    assert url_step < next(i for i, name in enumerate(steps) if "Math prefilter" in name)
    assert any("PII anonymisation" in name for name in steps[url_step:])
    kept_urls = {row["url"] for row in rows}
    # every math page (all English) reaches the corpus: no rule of the filter stage drops one (the defaults have no
    # Gopher rules, and language ID reads the prose); only MinHash removes near duplicates (MathJax's demo pages
    # of one example in two input formats, and the pages the cut WARC repeats)
    math_pages = {doc.id: doc.metadata["url"] for doc in WarcHtmlReader([str(folder / "math_pages.warc.gz")]).run()}
    lost = {r["id"]: r["step"] for r in ledger(output) if r["id"] in math_pages}
    assert set(lost.values()) <= {"near_dedup"}, lost
    assert set(urls) - kept_urls <= {math_pages[i] for i in lost} and len(set(urls) - kept_urls) <= 2
    tsne = next(row for row in rows if "tsne" in (row["url"] or "").lower() or "T-distributed" in row["text"])
    assert "$" in tsne["text"] and row_language_ok(tsne)
    assert all(row["language"] == "en" and row["language_score"] >= 0.65 for row in rows)


def row_language_ok(row: dict) -> bool:
    return row["language"] == "en" and 0.65 <= row["language_score"] <= 1


def test_every_record_is_kept_or_dropped_with_a_reason(local_run):
    output, _, summary = local_run
    rows, dropped = curated_rows(output), ledger(output)
    reader = summary.counter("filter", "documents") + sum(
        summary.counter("filter", f"dropped_{reason}")
        for reason in ("not_html", "too_large", "undecodable", "truncated_record")
    )
    assert len(rows) + len(dropped) == reader
    # the real clipped Common Crawl record (and the cut copy of the math pages when the cut falls inside a
    # page): a partial page is a drop, never a document
    assert summary.counter("filter", "dropped_truncated_record") >= 1
    assert summary.counter("filter", "truncated_files") >= 2
    reasons = {r["reason"] for r in dropped}
    assert "no_math_signal" in reasons and "not_html" in reasons
    assert "contaminated_gsm8k" in reasons  # the pasted GSM8K problem
    assert not any(row["url"] == CONTAMINATED_URL for row in rows)
    assert summary.counter("filter", "truncated_files") >= 1  # the cut WARC: its complete records still count
    assert summary.counter("filter", "skipped_revisit") >= 1 and summary.counter("filter", "skipped_request") >= 1
    # issue 29: a dropped page is named by its URL, WARC file and record offset, on the ledger line and in the
    # samples, at every step (the reader's drops too), not by the record's UUID alone
    from smolcorpus.writers.samples import read_samples

    assert {r["step"] for r in dropped} >= {"read_warc", "prefilter", "near_dedup"}
    assert all(r["url"] and r["warc_filename"] and isinstance(r["warc_record_offset"], int) for r in dropped)
    samples = [r for group in read_samples(str(output / "work" / "samples" / "dropped")).values() for r in group]
    assert samples and all(r["metadata"]["url"] and r["metadata"]["warc_filename"] for r in samples)


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


@pytest.fixture(scope="module")
def math_models(shared_data, tmp_path_factory):
    """A recall model (math vs not) and a grader (math pages 4, articles 0), trained on extracted real pages."""
    from smolcorpus.classifiers.fasttext_classifier import FastTextParams
    from smolcorpus.classifiers.labels import load_labels
    from smolcorpus.classifiers.train import train_classifier
    from smolcorpus.extraction.math_extractor import extract_math_text

    rows = []
    for line in (shared_data / "math_html" / "INDEX.jsonl").read_text().splitlines():
        entry = json.loads(line)
        page = (shared_data / entry["file"]).read_bytes()
        page = gzip.decompress(page) if entry["file"].endswith(".gz") else page
        rows.append({"id": entry["file"], "text": extract_math_text(page).text, "score": 4})
    articles = shared_data / "extraction_gt" / "article_extraction_benchmark" / "html"
    for path in sorted(articles.glob("*.html.gz"))[:40]:
        rows.append({"id": path.name, "text": extract_math_text(gzip.decompress(path.read_bytes())).text, "score": 0})
    folder = tmp_path_factory.mktemp("math_models")
    labels_file = folder / "labels.jsonl"
    labels_file.write_text("".join(json.dumps(row) + "\n" for row in rows if row["text"].strip()))
    labels = load_labels(str(labels_file))
    train_classifier("fasttext", labels, folder / "recall", "math_recall",
                     FastTextParams(mode="binary", epoch=50), validation_fraction=0)  # fmt: skip
    train_classifier("fasttext", labels, folder / "grader", "math", FastTextParams(mode="grades", epoch=50),
                     validation_fraction=0)  # fmt: skip
    return folder


def test_recall_and_precision_classifiers_make_the_subsets(warc_inputs, math_models, shared_data, tmp_path):
    folder, urls = warc_inputs
    config = finemath_config([str(folder)], tmp_path / "graded", shared_data)
    # models trained on 62 pages are weak (math pages: recall score 0.4-0.9, grade 1.6-3.4): thresholds to match
    config["finemath"]["recall"] = {"model": str(math_models / "recall"), "threshold": 0.4}
    config["finemath"]["precision"] = {"model": str(math_models / "grader"), "subsets": {"2plus": 2, "3plus": 3}}
    config["finemath"]["domain_min_pages"] = 2
    run_config(validate_config(config))
    out = tmp_path / "graded"

    def subset(name):
        return {row["id"]: row for path in (out / "curated" / name).glob("*.parquet")
                for row in pq.read_table(path).to_pylist()}  # fmt: skip

    three, four = subset("2plus"), subset("3plus")  # the broader and the narrower subset
    assert four and set(four) <= set(three)
    assert all(row["int_score"] >= 2 for row in three.values()) and all(r["int_score"] >= 3 for r in four.values())
    assert len({row["url"] for row in three.values()} & set(urls)) >= 5  # math pages are graded in
    steps = {r["step"] for r in ledger(out)}
    assert steps & {"recall", "precision"}  # crawl pages that pass the prefilter are not math
    funnel = json.loads((out / "summary.json").read_text())
    assert funnel["totals"]["kept_files"] == len(three)
    for name in ("2plus", "3plus"):
        manifest = json.loads((out / "tokens" / name / "manifest.json").read_text())
        assert manifest["num_documents"] == len(subset(name))
        # the summary counts kept tokens per subset (it used to say 0)
        assert funnel["subsets"][name] == {"documents": len(subset(name)), "tokens": manifest["num_tokens"]}
    broader = json.loads((out / "tokens" / "2plus" / "manifest.json").read_text())["num_tokens"]
    assert funnel["totals"]["kept_tokens"] == broader > 0
    assert "| 3plus |" in (out / "summary.md").read_text()
    assert "None" not in (out / "summary.md").read_text()  # kept tokens: a number or n/a
    # the report: the curate stage keeps each page once (its writer writes a 3plus page into both subsets), the
    # thresholds of both classifiers, and kept samples per grade
    html = (out / "report.html").read_text()
    assert f"<tr><td>curate</td><td>{len(read_filtered(out)):,}</td><td>{len(three):,}</td>" in html
    assert "thresholds: recall threshold: score ≥ 0.4 (on the float score, not drawn)" in html
    assert "thresholds: 2plus: int score ≥ 2; 3plus: int score ≥ 3" in html
    kept = read_samples(str(out / "work" / "samples" / "kept"))
    assert set(kept) == {f"language=en, math_int_score={row['int_score']}" for row in three.values()}


def test_a_run_where_every_page_is_dropped_still_completes(shared_data, tmp_path):
    """No math at all: every later stage finds an empty input, and the funnel says where everything went."""
    config = finemath_config([str(shared_data / "warc" / "warcio_example.warc.gz")], tmp_path / "out", shared_data)
    summary = run_config(validate_config(config))
    assert summary.counter("curate", "empty_input") == 2  # both tasks of the stage
    funnel = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert funnel["totals"]["kept_files"] == 0 and funnel["dropped_by_reason"] == {"prefilter/no_math_signal": 1}
