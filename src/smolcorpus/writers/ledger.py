"""The drop ledger: one small JSON line per document (or input row) a pipeline step removed, with the reason.

Every filter of a corpus pipeline gets a `DropLedger` as its datatrove `exclusion_writer`, and the readers write
rows they cannot turn into documents to one too. The ledger holds no text, only what the funnel summary needs
(`id`, `language`, `reason`, `bytes`, `step`, and `formulas`: the page's formula count where it was extracted,
else null) and where a person finds the item again (`LOCATION_FIELDS`, where known: a web page's `url`,
`warc_filename` and `warc_record_offset`; a code file's `repo_name` and `path` when its id is a blob id), so it
stays small next to the corpus while accounting for every input item: kept + ledgered = read. Files:
`<folder>/<step>/<rank>.jsonl.gz`, rewritten when a task reruns.

With a `samples_folder`, the ledger also keeps a few of the documents it is given per reason, text included
(writers/samples.py: the same documents whatever the number of tasks), and writes them to
`<samples_folder>/<step>/<rank>.jsonl.gz` when it closes. Items a reader `record()`s never had a text: their
samples show id, reason, size and where the item is.
"""

from __future__ import annotations

from functools import partial

from datatrove.data import Document
from datatrove.pipeline.writers import JsonlWriter
from datatrove.utils.logging import logger

from smolcorpus.writers.samples import (
    MAX_TEXT_CHARS,
    PER_GROUP,
    SAMPLE_SEED,
    GroupSample,
    sample_file,
    sample_key,
    sample_record,
    write_samples,
)

LEDGER_FIELDS = ("id", "language", "reason", "bytes", "step", "formulas")
# where a dropped item is found again, after LEDGER_FIELDS on the lines of items that have them (a WARC record's id
# is a UUID: finding the page by it means reading the WARC again; a Stack v2 row's is a blob id)
LOCATION_FIELDS = ("url", "warc_filename", "warc_record_offset", "repo_name", "path")
MAX_LOCATION_CHARS = 2_048  # a longer value is cut (a `data:` URI a WARC names as its target can be megabytes)
# the sample group of a dropped page with formulas: a rule that eats math shows its own samples in the report
WITH_FORMULAS = " · with formulas"


def sample_group(step: str, reason: str, formulas: int | None) -> str:
    """The samples group of a dropped document: `<step>/<reason>`, `WITH_FORMULAS` appended when it had any."""
    return f"{step}/{reason}{WITH_FORMULAS if formulas else ''}"


def drop_reason(document: Document, default_reason: str) -> str:
    """The reason a step gave for dropping `document` (datatrove's `filter_reason`), else `default_reason`."""
    return str(document.metadata.get("filter_reason") or default_reason)


def location(document: Document) -> dict:
    """The `LOCATION_FIELDS` the document has (not None); `repo_name` and `path` only when its id is not already
    `<repo_name>/<path>` (source trees)."""
    where = {
        key: value if isinstance(value, int) else str(value)[:MAX_LOCATION_CHARS]
        for key in LOCATION_FIELDS
        if (value := document.metadata.get(key)) is not None
    }
    if "path" in where and document.id == f"{where.get('repo_name')}/{where['path']}":
        del where["repo_name"], where["path"]
    return where


def ledger_record(step: str, default_reason: str, document: Document) -> dict:
    """The ledger line for a dropped document: `LEDGER_FIELDS`, then its `location`. `bytes` is the file's size
    where known, else its UTF-8 text."""
    metadata = document.metadata
    size = metadata.get("length_bytes")
    if size is None:
        size = len(document.text.encode("utf-8", errors="replace"))
    return {
        "id": document.id,
        "language": str(metadata.get("language") or "unknown"),
        "reason": drop_reason(document, default_reason),
        "bytes": int(size),
        "step": step,
        "formulas": None if metadata.get("math_formulas") is None else int(metadata["math_formulas"]),
        **location(document),
    }


class DropLedger(JsonlWriter):
    """A datatrove writer of ledger lines for one step.

    Args:
        folder: the ledger root (e.g. `<output>/work/dropped`).
        step: a short name for the step (`filters`, `exact_dedup`, ...); lines go to `<folder>/<step>/`.
        default_reason: recorded when the step gives none (datatrove's dedup filters do not).
        samples_folder: where samples of the dropped documents go (`<samples_folder>/<step>/`); None: no samples.
        html: the step drops raw HTML (pages before extraction): samples show its readable text.
        per_group / seed / max_chars: samples per reason (default 3), hash seed (0), text characters (1,500).
    """

    name = "🧾 Drop ledger"

    def __init__(self, folder: str, step: str, default_reason: str = "dropped", samples_folder: str | None = None,
                 html: bool = False, per_group: int = PER_GROUP, seed: int = SAMPLE_SEED,
                 max_chars: int = MAX_TEXT_CHARS):  # fmt: skip
        super().__init__(f"{folder.rstrip('/')}/{step}", output_filename="${rank}.jsonl", compression="gzip")
        self.step = step
        self.default_reason = default_reason
        self.samples_folder = f"{samples_folder.rstrip('/')}/{step}" if samples_folder else None
        self.html = html
        self.per_group = per_group
        self.seed = seed
        self.max_chars = max_chars
        self._samples: dict[int, GroupSample] = {}  # per rank: one process may run several tasks in turn

    def _default_adapter(self, document: Document) -> dict:
        return ledger_record(self.step, self.default_reason, document)

    def update_doc_stats(self, document: Document) -> None:
        """Nothing: a ledger is no step of the pipeline, so its own counters are never saved, and a page dropped on
        its raw bytes (`readers.warc.UndecodedPage`) would be decoded only for their text length."""

    def write(self, document: Document, rank: int = 0, **kwargs) -> None:
        super().write(document, rank, **kwargs)
        if self.samples_folder is None:
            return
        reason = drop_reason(document, self.default_reason)
        sample = self._samples.setdefault(rank, GroupSample(self.per_group))
        record = partial(sample_record, document, self.html, self.max_chars, step=self.step, reason=reason)
        group = sample_group(self.step, reason, document.metadata.get("math_formulas"))
        sample.offer(group, sample_key(self.seed, document.id), document.id, record)

    def record(self, rank: int, reason: str, item_id: str, language: str | None, size: int | None,
               where: dict | None = None) -> None:  # fmt: skip
        """Write a line for an input item that never became a document (readers use this); `where`: its
        `LOCATION_FIELDS` that the reader knows (a WARC record's url, file and offset), on its line and sample."""
        known = {key: value for key, value in (where or {}).items() if value is not None}
        metadata = {**known, "filter_reason": reason, "language": language, "length_bytes": size or 0}
        self.write(Document(text="", id=item_id, metadata=metadata), rank)

    def close(self) -> None:
        """Close the ledger files and write each task's samples (whole: a rerun rewrites them)."""
        for rank, sample in self._samples.items():
            if sample.refused:
                logger.warning(f"drop samples of {self.step}: {sample.refused} documents of further reasons unsampled")
            write_samples(self.samples_folder, sample_file(rank), sample.records())
        self._samples.clear()
        super().close()
