"""The drop ledger as a real filter's exclusion writer on real source files: one line per dropped file with its
reason, language and size, and no text; lines for input items that never became documents (readers)."""

import gzip
import json

from datatrove.data import Document

from smolcorpus.filters.code import FileSizeFilter
from smolcorpus.writers.ledger import LEDGER_FIELDS, DropLedger


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
        {"id": "urn:uuid:1", "language": "unknown", "reason": "too_large", "bytes": 6_000_000, "step": "read_warc"}
    ]
