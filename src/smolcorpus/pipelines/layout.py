"""Where a corpus run's files go, below its output folder (both corpus pipelines share it)."""

from __future__ import annotations

from smolcorpus.writers.ledger import DropLedger


class CorpusLayout:
    """`work/filtered` (the filter stage's output), `work/dropped` (drop ledgers), `work/<dedup>` (dedup state),
    `curated/<subset>` (kept documents), `tokens/<subset>` (token shards)."""

    def __init__(self, output_dir: str):
        root = output_dir.rstrip("/")
        self.root = root
        self.work = f"{root}/work"
        self.filtered = f"{root}/work/filtered"
        self.ledgers = f"{root}/work/dropped"
        self.curated = f"{root}/curated"
        self.tokens = f"{root}/tokens"

    def ledger(self, step: str, default_reason: str = "dropped") -> DropLedger:
        return DropLedger(self.ledgers, step, default_reason)
