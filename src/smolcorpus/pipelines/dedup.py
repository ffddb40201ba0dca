"""The deduplication both corpus pipelines run on the filter stage's output, from their `dedup` settings: exact
copies (optional), then near-duplicates by MinHash over what exact dedup kept; the stages that find duplicates, and
the steps that remove them at the start of the curate stage (with their drop ledgers)."""

from __future__ import annotations

from collections.abc import Callable

from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.utils.hashing import HashConfig
from datatrove.utils.word_tokenizers import WordTokenizer

from smolcorpus.config import DedupConfig
from smolcorpus.dedup import exact_dedup_filter, exact_dedup_stages, minhash_filter, minhash_stages
from smolcorpus.pipelines.layout import CorpusLayout
from smolcorpus.runtime.stage import Stage


def _exact_removal(settings: DedupConfig, layout: CorpusLayout, ledgered: bool) -> list:
    if not settings.exact:
        return []
    ledger = layout.ledger("exact_dedup", "exact_duplicate") if ledgered else None
    return [exact_dedup_filter(f"{layout.work}/exact", settings.per_language, ledger)]


def dedup_stages(settings: DedupConfig, layout: CorpusLayout, reader: Callable[[], object], tasks: int,
                 language: str | WordTokenizer = "eng") -> list[Stage]:  # fmt: skip
    """The stages that find duplicates among `reader()`'s documents (a fresh reader of the filtered output)."""
    stages = []
    if settings.exact:
        stages += exact_dedup_stages(reader, f"{layout.work}/exact", tasks, per_language=settings.per_language)
    if settings.minhash:
        config = MinhashConfig(
            n_grams=settings.n_grams,
            num_buckets=settings.num_buckets,
            hashes_per_bucket=settings.hashes_per_bucket,
            hash_config=HashConfig(precision=64),
        )
        stages += minhash_stages(
            lambda: [reader(), *_exact_removal(settings, layout, ledgered=False)], f"{layout.work}/minhash", tasks,
            config=config, per_language=settings.per_language, language=language,
        )  # fmt: skip
    return stages


def dedup_filters(settings: DedupConfig, layout: CorpusLayout) -> list:
    """The steps that remove the duplicates found, each writing its drop ledger (`exact_dedup`, `near_dedup`)."""
    steps = _exact_removal(settings, layout, ledgered=True)
    if settings.minhash:
        steps.append(minhash_filter(f"{layout.work}/minhash", layout.ledger("near_dedup", "near_duplicate")))
    return steps
