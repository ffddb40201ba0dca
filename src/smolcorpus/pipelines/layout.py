"""Where a corpus run's files go, below its output folder (both corpus pipelines share it)."""

from __future__ import annotations

from smolcorpus.filters.domain_stats import DOMAIN_COUNTS_FOLDER
from smolcorpus.writers.ledger import DropLedger
from smolcorpus.writers.samples import DROPPED_SAMPLES, KEPT_SAMPLES, RUN_SAMPLES_FOLDER, KeptSampler


class CorpusLayout:
    """`work/filtered` (the filter stage's output), `work/dropped` (drop ledgers), `work/samples` (documents
    sampled for the report: `dropped/<step>/`, `kept/`), `work/domains` (domain counts), `work/<dedup>` (dedup
    state), `curated/<subset>` (kept documents), `tokens/<subset>` (token shards)."""

    def __init__(self, output_dir: str):
        root = output_dir.rstrip("/")
        self.root = root
        self.work = f"{root}/work"
        self.filtered = f"{root}/work/filtered"
        self.ledgers = f"{root}/work/dropped"
        self.samples = f"{root}/{RUN_SAMPLES_FOLDER}"
        self.domain_counts = f"{root}/{DOMAIN_COUNTS_FOLDER}"
        self.curated = f"{root}/curated"
        self.tokens = f"{root}/tokens"

    def ledger(self, step: str, default_reason: str = "dropped", html: bool = False) -> DropLedger:
        """The drop ledger of `step`, sampling what it drops (`html`: the step drops raw HTML pages)."""
        return DropLedger(self.ledgers, step, default_reason, samples_folder=f"{self.samples}/{DROPPED_SAMPLES}",
                          html=html)  # fmt: skip

    def kept_sampler(self, group_keys: tuple[str, ...]) -> KeptSampler:
        """The step that samples kept documents per `group_keys` values (put before the curated writer)."""
        return KeptSampler(f"{self.samples}/{KEPT_SAMPLES}", group_keys)
