"""The drop ledger as a real filter's exclusion writer on real source files: one line per dropped file with its
reason, language and size, and no text; lines for input items that never became documents (readers); samples of
what it drops, text included, outside the ledger folder."""

import gzip
import json

from datatrove.data import Document

from smolcorpus.filters.code import FileSizeFilter
from smolcorpus.writers.funnel import read_ledgers
from smolcorpus.writers.ledger import LEDGER_FIELDS, DropLedger
from smolcorpus.writers.samples import read_samples, sample_key


def read_ledger(folder) -> list[dict]:
    lines = []
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt") as f:
            lines += [json.loads(line) for line in f]
    return lines


def test_a_filter_ledgers_every_file_it_drops(shared_data, tmp_path):
    entries = [json.loads(line) for line in (shared_data / "code" / "index.jsonl").read_text().splitlines()][:60]
    documents = [
        Document(text=(shared_data / e["file"]).read_text(errors="replace"), id=e["file"],
                 metadata={"language": e["language"], "length_bytes": e["bytes"]})
        for e in entries
    ]  # fmt: skip
    ledger = DropLedger(str(tmp_path), "file_size")
    step = FileSizeFilter(min_bytes=2_000, max_bytes=1_000_000, exclusion_writer=ledger)
    kept = list(step.run(iter(documents)))
    lines = read_ledger(tmp_path / "file_size")
    small = [e for e in entries if e["bytes"] < 2_000]
    assert small and len(lines) == len(small) == len(documents) - len(kept)
    assert {line["id"] for line in lines} == {e["file"] for e in small}
    assert all(tuple(line) == LEDGER_FIELDS and line["step"] == "file_size" for line in lines)
    assert {line["bytes"] for line in lines} <= {e["bytes"] for e in small}
    assert all(line["language"] in {e["language"] for e in small} and line["reason"] for line in lines)


def test_a_reader_records_items_that_never_became_documents(tmp_path):
    with DropLedger(str(tmp_path), "read_warc") as ledger:
        ledger.record(0, "too_large", "urn:uuid:1", None, 6_000_000)
    assert read_ledger(tmp_path / "read_warc") == [
        {
            "id": "urn:uuid:1",
            "language": "unknown",
            "reason": "too_large",
            "bytes": 6_000_000,
            "step": "read_warc",
            "formulas": None,
        }
    ]


def test_a_line_says_where_the_item_is(shared_data, tmp_path):
    """Issue 29: a web page's URL, WARC file and offset, and a code file's repository and path when its id is a
    blob id (Stack v2), follow the reason; a source-tree file's id is its repository and path already. A reader's
    drop carries what the reader knows, on its line and in its sample."""
    from smolcorpus.filters.code import GeneratedFilter
    from smolcorpus.readers.source_tree import SourceTreeReader

    lockfile = shared_data / "code" / "json" / "distillpub__post--ctc" / "package-lock.json"
    blob = Document(text=lockfile.read_text(), id="0f" * 20, metadata={  # a Stack v2 row: the id is a blob id
        "language": "JSON", "repo_name": "distillpub/post--ctc", "path": "package-lock.json"})  # fmt: skip
    list(GeneratedFilter(exclusion_writer=DropLedger(str(tmp_path), "generated")).run(iter([blob])))
    page = Document(text="<html>", id="<urn:uuid:1>", metadata={"url": "https://example.org/a", "date": "2024",
                    "warc_filename": "a.warc.gz", "warc_record_offset": 1023, "math_formulas": 2})  # fmt: skip
    with DropLedger(str(tmp_path), "read", samples_folder=str(tmp_path / "samples")) as ledger:
        ledger.write(page, 0)
        where = {"url": "http://httpbin.org/post", "warc_filename": "b.warc.gz", "warc_record_offset": 0}
        ledger.record(0, "not_html", "urn:uuid:2", None, 545, where)
    (code_line,) = read_ledger(tmp_path / "generated")
    page_line, reader_line = read_ledger(tmp_path / "read")
    assert (code_line["reason"], code_line["repo_name"], code_line["path"]) == ("lockfile", "distillpub/post--ctc",
                                                                                "package-lock.json")  # fmt: skip
    assert [page_line[k] for k in ("url", "warc_filename", "warc_record_offset", "formulas")] == [
        "https://example.org/a", "a.warc.gz", 1023, 2]  # fmt: skip
    assert "date" not in page_line and "text" not in page_line
    assert reader_line == {"id": "urn:uuid:2", "language": "unknown", "reason": "not_html", "bytes": 545,
                           "step": "read", "formulas": None, **where}  # fmt: skip
    sample = read_samples(str(tmp_path / "samples"))["read/not_html"][0]
    assert {k: sample["metadata"][k] for k in where} == where
    root = shared_data / "code" / "markdown" / "trekhleb__javascript-algorithms"
    tree = next(SourceTreeReader([str(root)]).run())
    with DropLedger(str(tmp_path / "tree"), "tree") as ledger:
        ledger.write(tree, 0)
    (line,) = read_ledger(tmp_path / "tree" / "tree")
    assert line["id"] == f"trekhleb__javascript-algorithms/{tree.metadata['path']}" and "path" not in line


def test_the_ledger_samples_what_it_drops_the_same_with_one_or_two_tasks(shared_data, tmp_path):
    entries = [json.loads(line) for line in (shared_data / "code" / "index.jsonl").read_text().splitlines()]
    documents = [
        Document(text=(shared_data / e["file"]).read_text(errors="replace"), id=e["file"],
                 metadata={"language": e["language"], "length_bytes": e["bytes"]})
        for e in entries
    ]  # fmt: skip
    for tasks in (1, 2):
        ledger = DropLedger(str(tmp_path / f"dropped{tasks}"), "file_size", samples_folder=str(tmp_path / f"s{tasks}"))
        step = FileSizeFilter(min_bytes=3_000, max_bytes=20_000, exclusion_writer=ledger)
        for rank in range(tasks):
            list(step.run(iter(documents[rank::tasks]), rank=rank, world_size=tasks))
        with ledger:  # a reader's drop: an item that never had a text
            ledger.record(tasks, "too_large", "urn:uuid:1", None, 6_000_000)
    before = {p.name: p.read_bytes() for p in (tmp_path / "s2" / "file_size").iterdir()}
    list(step.run(iter(documents[0::2]), rank=0, world_size=2))  # task 0 reruns: its sample file is rewritten
    assert {p.name: p.read_bytes() for p in (tmp_path / "s2" / "file_size").iterdir()} == before
    one, two = read_samples(str(tmp_path / "s1")), read_samples(str(tmp_path / "s2"))
    assert one == two and set(one) == {"file_size/file_too_small", "file_size/file_too_large", "file_size/too_large"}
    dropped = {line["id"]: line for line in read_ledger(tmp_path / "dropped1" / "file_size")}
    small = sorted((i for i, line in dropped.items() if line["reason"] == "file_too_small"),
                   key=lambda i: sample_key(0, i))  # fmt: skip
    assert [r["id"] for r in one["file_size/file_too_small"]] == small[:3]
    by_id = {d.id: d for d in documents}
    for record in one["file_size/file_too_small"]:  # the dropped file's own text, with what decided
        text = by_id[record["id"]].text
        assert record["text"] == text[:1_500] and record["text_chars"] == len(text)
        assert record["metadata"]["length_bytes"] < 3_000 and record["metadata"]["language"]
        assert (record["step"], record["reason"]) == ("file_size", "file_too_small")
    reader_drop = next(r for r in one["file_size/too_large"] if r["id"] == "urn:uuid:1")
    assert reader_drop["text"] == "" and reader_drop["metadata"]["length_bytes"] == 6_000_000
    # samples live outside the ledger folder: the funnel reads every *.jsonl.gz there as ledger lines
    assert sorted(p.name for p in (tmp_path / "dropped1").rglob("*.jsonl.gz")) == ["00000.jsonl.gz", "00001.jsonl.gz"]
    assert sum(read_ledgers(str(tmp_path / "dropped2"))[(lang, step, reason)]["files"]
               for lang, step, reason in read_ledgers(str(tmp_path / "dropped2"))) == len(dropped)  # fmt: skip
