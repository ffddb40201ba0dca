"""Composition of the FineMath-style math corpus. No logic lives here: steps come from the other packages.

Stages:
  filter      WARC HTML, math prefilter on its raw bytes (the pages it drops never decoded) → URL filter →
              math-preserving extraction → language ID (on the prose)
              → English → Gopher repetition and quality (off by default) → recall classifier (optional) →
              decontamination → email/IP anonymisation → `work/filtered/`
  minhash_*   MinHash signatures, buckets, clusters (FineWeb's 5-grams, 14 × 8)
  curate      near duplicates removed → precision grade (optional) → samples and formula counts of the kept
              pages → `curated/<subset>/<rank>.parquet`
  tokenize    `curated/<subset>/` → `tokens/<subset>/` shards
  summary     token manifests per subset; `summary.json` / `summary.md`; `domains.tsv` (math domains)
Every removed page lands in a drop ledger under `work/dropped/<step>/`; a few per reason, and a few kept pages per
language and grade, are sampled into `work/samples/` for the report.
"""

from __future__ import annotations

from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter
from datatrove.pipeline.writers import JsonlWriter

from smolcorpus.classifiers.score import ClassifierScorer, ScoreThresholdFilter
from smolcorpus.config import FineMathConfig, RunConfig, TokenizeConfig
from smolcorpus.extraction.math_extractor import MathExtractor
from smolcorpus.filters.decontamination import DecontaminationFilter, benchmark_from_file
from smolcorpus.filters.domain_stats import DomainCounter, DomainListWriter
from smolcorpus.filters.formula_stats import FormulaHistogram
from smolcorpus.filters.language_id import FastTextLanguageID, LanguageScoreFilter
from smolcorpus.filters.math_prefilter import MathPrefilter
from smolcorpus.filters.pii import CountingPIIFormatter
from smolcorpus.filters.prose_quality import ProseGopherQuality, ProseGopherRepetition
from smolcorpus.filters.url_filter import OfflineURLFilter
from smolcorpus.pipelines.dedup import dedup_filters, dedup_stages
from smolcorpus.pipelines.layout import CorpusLayout
from smolcorpus.pipelines.registry import InputUnits, PipelineSpec, local_file_sizes
from smolcorpus.pipelines.tokenize import grouped_token_stages
from smolcorpus.readers.intermediate import IntermediateReader
from smolcorpus.readers.warc import WarcHtmlReader, list_warc_files
from smolcorpus.runtime.stage import Stage
from smolcorpus.score_keys import int_score_key, score_key
from smolcorpus.tokenize.tokenizer import TokenizerSpec
from smolcorpus.writers.curated import FineMathWriter
from smolcorpus.writers.funnel import FunnelSummaryWriter

RECALL_NAME, PRECISION_NAME = "math_recall", "math"


def _filter_steps(settings: FineMathConfig, layout: CorpusLayout) -> list:
    quality = settings.quality
    # the prefilter judges each page on its raw bytes inside the reader (the pages it drops are never decoded) and
    # stands after the URL filter too, where it passes the pages the reader kept
    prefilter = None
    if settings.prefilter:
        prefilter = MathPrefilter(settings.min_math_words, exclusion_writer=layout.ledger("prefilter", html=True))
    steps = [WarcHtmlReader(settings.warc.paths, settings.warc.storage_options, settings.warc.max_bytes,
                            drop_ledger=layout.ledger("read_warc"), prefilter=prefilter)]  # fmt: skip
    urls = settings.url_filter
    if urls.enabled:
        steps.append(OfflineURLFilter(
            soft_word_threshold=urls.soft_word_threshold, extra_domains=urls.extra_domains, extra_urls=urls.extra_urls,
            banned_words=urls.banned_words, use_integrated_lists=urls.integrated_lists,
            exclusion_writer=layout.ledger("url_filter", html=True),
        ))  # fmt: skip
    if prefilter is not None:
        steps.append(prefilter)
    steps += [
        MathExtractor(timeout=settings.extraction_timeout, drop_ledger=layout.ledger("extraction", html=True)),
        FastTextLanguageID(settings.lid_model, on_prose=True),
        LanguageScoreFilter(
            tuple(settings.languages), settings.min_language_score, exclusion_writer=layout.ledger("language")
        ),  # fmt: skip
    ]
    repetition_rules, quality_rules = (ProseGopherRepetition, ProseGopherQuality)
    if not quality.on_prose:
        repetition_rules, quality_rules = GopherRepetitionFilter, GopherQualityFilter
    if quality.repetition:
        steps.append(repetition_rules(exclusion_writer=layout.ledger("repetition", "gopher_repetition")))
    if quality.enabled:
        thresholds = quality.gopher_thresholds()
        steps.append(quality_rules(**thresholds, exclusion_writer=layout.ledger("quality", "gopher_quality")))
    if settings.recall.model:
        recall = settings.recall
        steps.append(ClassifierScorer(recall.model, name=RECALL_NAME, device=recall.device, dtype=recall.dtype))
    # counted before the recall threshold, so that domain shares are over every page that reached this point
    steps.append(DomainCounter(layout.domain_counts, score_key(RECALL_NAME), settings.recall.threshold))
    if settings.recall.model:
        recall_ledger = layout.ledger("recall")
        steps.append(ScoreThresholdFilter(RECALL_NAME, settings.recall.threshold, True, recall_ledger))
    decontamination = settings.decontamination
    if decontamination.benchmarks:
        benchmarks = [benchmark_from_file(path) for path in decontamination.benchmarks]
        steps.append(DecontaminationFilter(benchmarks, decontamination.n_gram,
                                           exclusion_writer=layout.ledger("decontamination")))  # fmt: skip
    pii = settings.pii
    if pii.enabled:
        steps.append(CountingPIIFormatter(remove_emails=pii.emails, remove_ips=pii.ips,
                                          only_remove_public_ips=pii.only_public_ips))  # fmt: skip
    steps.append(JsonlWriter(layout.filtered, output_filename="${rank}.jsonl", compression="gzip"))
    return steps


def finemath_stages(
    settings: FineMathConfig, tokenize: TokenizeConfig, tokenizer: TokenizerSpec, output_dir: str, tasks: int
) -> list[Stage]:
    """The stages of one FineMath run, in dependency order (see the module docstring)."""
    layout = CorpusLayout(output_dir)
    stages = [Stage("filter", _filter_steps(settings, layout), tasks)]

    def filtered_reader() -> IntermediateReader:
        return IntermediateReader(layout.filtered)

    stages += dedup_stages(settings.dedup, layout, filtered_reader, tasks)
    curate = [filtered_reader(), *dedup_filters(settings.dedup, layout)]
    precision = settings.precision
    subsets = precision.subsets if precision.model else None
    if precision.model:
        curate += [
            ClassifierScorer(precision.model, name=PRECISION_NAME, device=precision.device, dtype=precision.dtype),
            ScoreThresholdFilter(PRECISION_NAME, min(subsets.values()), exclusion_writer=layout.ledger("precision")),
        ]
    curate += [
        layout.kept_sampler(("language", int_score_key(PRECISION_NAME)) if precision.model else ("language",)),
        FormulaHistogram(),
        FineMathWriter(layout.curated, subsets, score_name=PRECISION_NAME),
    ]
    stages.append(Stage("curate", curate, tasks))

    groups = sorted(subsets) if subsets else ["all"]
    broadest = min(subsets, key=subsets.get) if subsets else "all"  # every kept page is in it exactly once
    summary_steps = [
        FunnelSummaryWriter(
            layout.root,
            layout.ledgers,
            f"{layout.curated}/{broadest}",
            subset_tokens_folder=layout.tokens,
            subsets=groups,
            all_pages_subset=broadest,
        ),  # fmt: skip
        DomainListWriter(layout.domain_counts, layout.root, settings.domain_min_pages),
    ]
    stages += grouped_token_stages(layout.curated, layout.tokens, groups, tokenize, tokenizer, tasks, summary_steps)
    return stages


def _input_units(config: RunConfig) -> InputUnits:
    warc = config.finemath.warc
    files = list_warc_files(warc.paths, warc.storage_options)
    return InputUnits("WARC files", files, "finemath.warc.paths", local_file_sizes(files))


def _classifier_models(config: dict) -> list[str]:
    section = config.get("finemath") or {}
    return [section.get("recall", {}).get("model"), section.get("precision", {}).get("model")]


def _score_thresholds(config: RunConfig) -> dict[str, list[dict]]:
    settings = config.finemath
    thresholds = {}
    if settings.recall.model:  # the recall threshold applies to the float score
        thresholds[RECALL_NAME] = [{"label": "recall threshold", "min_score": settings.recall.threshold}]
    if settings.precision.model:
        thresholds[PRECISION_NAME] = [{"label": subset, "min_int_score": grade}
                                      for subset, grade in sorted(settings.precision.subsets.items(),
                                                                  key=lambda item: item[1])]  # fmt: skip
    return thresholds


SPEC = PipelineSpec(
    name="finemath",
    section="finemath",
    build_stages=lambda config, tokenizer: finemath_stages(
        config.finemath, config.tokenize, tokenizer, config.output_dir, config.executor.tasks
    ),
    input_units=_input_units,
    subset_prefix="finemath-",
    card_description="Math web pages from Common Crawl with their LaTeX kept (FineMath-style); subsets by a 0–5 "
    "math-education grade when the run had a grader (`all` when it had none).",
    license="odc-by",
    languages=lambda config: list(config.finemath.languages),  # what the run kept, not always English
    classifier_models=_classifier_models,
    score_thresholds=_score_thresholds,
    report_facts=lambda config: {"domain_min_pages": config.finemath.domain_min_pages},
)
