"""Composition of the Stack-Edu-style code corpus. No logic lives here: steps come from the other packages.

Stages (all but `find`/`buckets`/`clusters`/`summary` run `tasks` tasks):
  filter      sources (Stack v2 rows + S3 blobs, and/or source trees) → language, licence and rule filters →
              benchmark decontamination → `work/filtered/*.jsonl.gz`
  exact_*     exact dedup signatures and duplicate finding over the filtered files
  minhash_*   MinHash signatures (after the exact filter), buckets, clusters
  curate      filtered files → exact + near-dup removal → per-language edu scores → per-language thresholds →
              samples of the kept files → `curated/<language>/<rank>.parquet` (Stack-Edu columns)
  tokenize    `curated/<language>/` → `tokens/<language>/` shards
  summary     token manifests per language; `summary.json` / `summary.md`: the funnel per language and reason
Every removed file lands in a drop ledger under `work/dropped/<step>/`, so read = kept + dropped; a few per reason,
and a few kept files per language and score, are sampled into `work/samples/` for the report.
"""

from __future__ import annotations

from pathlib import Path

from datatrove.pipeline.writers import JsonlWriter

from smolcorpus.classifiers.score import LanguageThresholdFilter, PerLanguageScorer
from smolcorpus.config import RunConfig, StackEduConfig, TokenizeConfig
from smolcorpus.dedup.minhash import CodeWordTokenizer
from smolcorpus.filters.code import (
    AlphanumericFilter,
    CodeLanguageFilter,
    CommunityFileFilter,
    DataHeavyFilter,
    EncodedDataFilter,
    FileSizeFilter,
    GeneratedFilter,
    LineLengthFilter,
    MinifiedFilter,
    PermissiveLicenseFilter,
    VendoredFilter,
)
from smolcorpus.filters.decontamination import DecontaminationFilter, benchmark_from_file
from smolcorpus.pipelines.dedup import dedup_filters, dedup_stages
from smolcorpus.pipelines.layout import CorpusLayout
from smolcorpus.pipelines.registry import InputUnits, PipelineSpec, local_file_sizes
from smolcorpus.pipelines.tokenize import grouped_token_stages
from smolcorpus.readers.documents import list_document_files
from smolcorpus.readers.intermediate import IntermediateReader
from smolcorpus.readers.source_tree import SourceTreeReader, source_tree_size
from smolcorpus.readers.stack_v2 import StackV2Reader
from smolcorpus.runtime.stage import Stage
from smolcorpus.score_keys import int_score_key
from smolcorpus.tokenize.tokenizer import TokenizerSpec
from smolcorpus.writers.curated import StackEduWriter, language_slug
from smolcorpus.writers.funnel import FunnelSummaryWriter

SCORE_NAME = "edu"


def _readers(settings: StackEduConfig, layout: CorpusLayout) -> list:
    readers = []
    if settings.stack_v2 is not None:
        source = settings.stack_v2
        readers.append(
            StackV2Reader(
                source.paths,
                content_url=source.content_url,
                storage_options=source.storage_options,
                storage_options_rows=source.rows_storage_options,
                concurrency=source.concurrency,
                max_attempts=source.max_attempts,
                backoff=source.backoff_seconds,
                max_bytes=settings.filters.max_bytes,
                content_column=source.content_column,
                drop_ledger=layout.ledger("read_stack_v2"),
            )
        )
    if settings.source_trees is not None:
        trees = settings.source_trees
        readers.append(
            SourceTreeReader(
                trees.roots,
                trees.repo_names,
                max_bytes=settings.filters.max_bytes,
                licenses=trees.licenses,
                drop_ledger=layout.ledger("read_source_trees"),
            )  # fmt: skip
        )
    return readers


def _filters(settings: StackEduConfig, layout: CorpusLayout) -> list:
    rules = settings.filters
    filters = [CodeLanguageFilter(settings.languages, exclusion_writer=layout.ledger("language"))]
    if settings.permissive_only:
        filters.append(PermissiveLicenseFilter(exclusion_writer=layout.ledger("license")))
    filters.append(FileSizeFilter(rules.min_bytes, rules.max_bytes, exclusion_writer=layout.ledger("file_size")))
    if rules.drop_vendored:
        filters.append(VendoredFilter(exclusion_writer=layout.ledger("vendored")))
    if rules.drop_community_files:
        filters.append(CommunityFileFilter(exclusion_writer=layout.ledger("community")))
    if rules.drop_generated:
        filters.append(GeneratedFilter(exclusion_writer=layout.ledger("generated")))
    if rules.drop_minified:
        filters.append(MinifiedFilter(exclusion_writer=layout.ledger("minified")))
    filters += [
        EncodedDataFilter(
            rules.max_encoded_fraction, rules.max_encoded_run, exclusion_writer=layout.ledger("encoded")
        ),
        DataHeavyFilter(
            rules.max_data_file_bytes,
            rules.max_table_fraction,
            rules.max_digit_fraction,
            exclusion_writer=layout.ledger("data_heavy"),
        ),  # fmt: skip
        LineLengthFilter(
            rules.max_line_length, rules.max_mean_line_length, exclusion_writer=layout.ledger("line_length")
        ),  # fmt: skip
        AlphanumericFilter(rules.min_alphanumeric_fraction, exclusion_writer=layout.ledger("alphanumeric")),
    ]
    decontamination = settings.decontamination
    if decontamination.benchmarks:
        benchmarks = [benchmark_from_file(path) for path in decontamination.benchmarks]
        filters.append(
            DecontaminationFilter(
                benchmarks, decontamination.n_gram, exclusion_writer=layout.ledger("decontamination")
            )
        )
    return filters


def stack_edu_stages(
    settings: StackEduConfig, tokenize: TokenizeConfig, tokenizer: TokenizerSpec, output_dir: str, tasks: int
) -> list[Stage]:
    """The stages of one Stack-Edu run, in dependency order (see the module docstring)."""
    layout = CorpusLayout(output_dir)
    stages = [
        Stage(
            "filter",
            [
                *_readers(settings, layout),
                *_filters(settings, layout),
                JsonlWriter(layout.filtered, output_filename="${rank}.jsonl", compression="gzip"),
            ],
            tasks,
        )  # fmt: skip
    ]

    def filtered_reader() -> IntermediateReader:
        return IntermediateReader(layout.filtered)

    stages += dedup_stages(settings.dedup, layout, filtered_reader, tasks, language=CodeWordTokenizer())
    curate = [filtered_reader(), *dedup_filters(settings.dedup, layout)]
    scoring = settings.scoring
    if scoring.enabled:
        curate += [
            PerLanguageScorer(
                scoring.models,
                scoring.default_model,
                name=SCORE_NAME,
                batch_size=scoring.batch_size,
                device=scoring.device,
                dtype=scoring.dtype,
            ),  # fmt: skip
            LanguageThresholdFilter(
                SCORE_NAME,
                scoring.thresholds,
                scoring.default_threshold,
                exclusion_writer=layout.ledger("edu_threshold"),
            ),  # fmt: skip
        ]
    curate += [
        layout.kept_sampler(("language", int_score_key(SCORE_NAME)) if scoring.enabled else ("language",)),
        StackEduWriter(layout.curated, score_name=SCORE_NAME),
    ]
    stages.append(Stage("curate", curate, tasks))

    groups = sorted({language_slug(language) for language in settings.languages})
    funnel = FunnelSummaryWriter(layout.root, layout.ledgers, layout.curated, layout.tokens)
    stages += grouped_token_stages(layout.curated, layout.tokens, groups, tokenize, tokenizer, tasks, [funnel],
                                   id_column="blob_id")  # fmt: skip
    return stages


def _input_units(config: RunConfig) -> InputUnits:
    source = config.stack_edu
    if source.stack_v2 is not None:
        files = list_document_files(source.stack_v2.paths, source.stack_v2.rows_storage_options)
        return InputUnits("row files", files, "stack_edu.stack_v2.paths", local_file_sizes(files))
    trees = source.source_trees
    sizes, counts = zip(*(source_tree_size(Path(root)) for root in trees.roots), strict=True)
    return InputUnits("repositories", list(trees.roots), "stack_edu.source_trees.roots", list(sizes), "source files",
                      list(counts),
                      ("stack_edu.source_trees.repo_names", "stack_edu.source_trees.licenses"))  # fmt: skip


def _classifier_models(config: dict) -> list[str]:
    scoring = (config.get("stack_edu") or {}).get("scoring", {})
    return [*scoring.get("models", {}).values(), scoring.get("default_model")]


def _score_thresholds(config: RunConfig) -> dict[str, list[dict]]:
    scoring = config.stack_edu.scoring
    if not scoring.enabled:
        return {}
    languages = [{"label": language, "min_int_score": value} for language, value in sorted(scoring.thresholds.items())]
    return {SCORE_NAME: [{"label": "default", "min_int_score": scoring.default_threshold}, *languages]}


SPEC = PipelineSpec(
    name="stack_edu",
    section="stack_edu",
    build_stages=lambda config, tokenizer: stack_edu_stages(
        config.stack_edu, config.tokenize, tokenizer, config.output_dir, config.executor.tasks
    ),
    input_units=_input_units,
    subset_prefix="stack-edu-",
    card_description="Educational source code (Stack-Edu-style): permissively licensed files, filtered, "
    "deduplicated and scored per language for educational value.",
    classifier_models=_classifier_models,
    score_thresholds=_score_thresholds,
)
