"""The deduplication both corpus pipelines run on the filter stage's output, from their `dedup` settings: exact
copies (optional), then near-duplicates by MinHash over what exact dedup kept; the stages that find duplicates, and
the steps that remove them at the start of the curate stage (with their drop ledgers). The steps are `dedup/`'s;
this module composes them into stages."""

from __future__ import annotations

from collections.abc import Callable

from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.utils.word_tokenizers import WordTokenizer

from smolcorpus.config import DedupConfig
from smolcorpus.dedup import (
    exact_dedup_filter,
    exact_dedup_signature,
    exact_find_dedups,
    minhash_buckets,
    minhash_clusters,
    minhash_config,
    minhash_filter,
    minhash_signature,
)
from smolcorpus.pipelines.layout import CorpusLayout
from smolcorpus.runtime.stage import Stage

SourceFactory = Callable[[], "PipelineStep | list[PipelineStep]"]


def source_steps(source: SourceFactory) -> list[PipelineStep]:
    """Build a fresh copy of the steps that produce the documents to deduplicate (a reader, maybe filters)."""
    steps = source()
    return list(steps) if isinstance(steps, list | tuple) else [steps]


def exact_dedup_stages(
    source: SourceFactory, work_dir: str, tasks: int, prefix: str = "exact", per_language: bool = False
) -> list[Stage]:
    """The two stages that find exact copies (signatures over `tasks` tasks, find in one); `exact_dedup_filter`
    removes them in a stage of the caller's. `source()` builds the reader (and steps) whose documents are
    deduplicated."""
    return [
        Stage(f"{prefix}_signatures", [*source_steps(source), exact_dedup_signature(work_dir, per_language)], tasks),
        Stage(f"{prefix}_find", [exact_find_dedups(work_dir, per_language)], 1),
    ]


def minhash_stages(
    source: SourceFactory,
    work_dir: str,
    tasks: int,
    config: MinhashConfig,
    prefix: str = "minhash",
    language: str | WordTokenizer = "eng",
    per_language: bool = False,
) -> list[Stage]:
    """The three stages that find near-duplicates (signatures, buckets, clusters); `minhash_filter` removes them
    in a stage of the caller's. `source()` builds the reader (and steps) whose documents are deduplicated: the
    filter must see the same documents in the same order. Intermediate files go under `work_dir`; `prefix` names
    the stages; `language` and `per_language` as `dedup.minhash.minhash_signature` takes them."""
    signature = minhash_signature(work_dir, config, language, per_language)
    return [
        Stage(f"{prefix}_signatures", [*source_steps(source), signature], tasks),
        Stage(f"{prefix}_buckets", [minhash_buckets(work_dir, config)], config.num_buckets),
        Stage(f"{prefix}_clusters", [minhash_clusters(work_dir, config)], 1),
    ]


def settings_minhash_config(settings: DedupConfig) -> MinhashConfig:
    """datatrove's MinHash settings from the pipeline's `dedup` section."""
    return minhash_config(settings.n_grams, settings.num_buckets, settings.hashes_per_bucket)


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
        stages += minhash_stages(
            lambda: [reader(), *_exact_removal(settings, layout, ledgered=False)], f"{layout.work}/minhash", tasks,
            config=settings_minhash_config(settings), per_language=settings.per_language, language=language,
        )  # fmt: skip
    return stages


def dedup_filters(settings: DedupConfig, layout: CorpusLayout) -> list:
    """The steps that remove the duplicates found, each writing its drop ledger (`exact_dedup`, `near_dedup`)."""
    steps = _exact_removal(settings, layout, ledgered=True)
    if settings.minhash:
        steps.append(minhash_filter(f"{layout.work}/minhash", layout.ledger("near_dedup", "near_duplicate")))
    return steps
