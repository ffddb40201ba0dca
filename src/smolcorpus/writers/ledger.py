"""The drop ledger: one small JSON line per document (or input row) a pipeline step removed, with the reason.

Every filter of a corpus pipeline gets a `DropLedger` as its datatrove `exclusion_writer`, and the readers write
rows they cannot turn into documents to one too. The ledger holds no text, only what the funnel summary needs
(`id`, `language`, `reason`, `bytes`, `step`), so it stays small next to the corpus while accounting for every
input item: kept + ledgered = read. Files: `<folder>/<step>/<rank>.jsonl.gz`, rewritten when a task reruns.
"""

from __future__ import annotations

from datatrove.data import Document
from datatrove.pipeline.writers import JsonlWriter

LEDGER_FIELDS = ("id", "language", "reason", "bytes", "step")


def ledger_record(step: str, default_reason: str, document: Document) -> dict:
    """The ledger line for a dropped document. `bytes` is the file's size where known, else its UTF-8 text."""
    metadata = document.metadata
    size = metadata.get("length_bytes")
    if size is None:
        size = len(document.text.encode("utf-8", errors="replace"))
    return {
        "id": document.id,
        "language": str(metadata.get("language") or "unknown"),
        "reason": str(metadata.get("filter_reason") or default_reason),
        "bytes": int(size),
        "step": step,
    }


class DropLedger(JsonlWriter):
    """A datatrove writer of ledger lines for one step.

    Args:
        folder: the ledger root (e.g. `<output>/work/dropped`).
        step: a short name for the step (`filters`, `exact_dedup`, ...); lines go to `<folder>/<step>/`.
        default_reason: recorded when the step gives none (datatrove's dedup filters do not).
    """

    name = "🧾 Drop ledger"

    def __init__(self, folder: str, step: str, default_reason: str = "dropped"):
        super().__init__(f"{folder.rstrip('/')}/{step}", output_filename="${rank}.jsonl", compression="gzip")
        self.step = step
        self.default_reason = default_reason

    def _default_adapter(self, document: Document) -> dict:
        return ledger_record(self.step, self.default_reason, document)

    def record(self, rank: int, reason: str, item_id: str, language: str | None, size: int | None) -> None:
        """Write a line for an input item that never became a document (readers use this)."""
        metadata = {"filter_reason": reason, "language": language, "length_bytes": size or 0}
        self.write(Document(text="", id=item_id, metadata=metadata), rank)
