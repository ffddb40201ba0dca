"""What a pipeline is to the rest of smolcorpus. A pipeline is one module of this package, named as the
pipeline, that ends with `SPEC = PipelineSpec(...)`, plus its settings model in `config/<name>.py`; the `RunConfig`
field that holds that model and names the pipeline registers it in `PIPELINES` (pipelines/__init__.py). Everything that
differs by pipeline is read from its spec: `run` builds its stages and records its `publication()` in
run_info.json (where `publish` reads subset names and card text: publish never imports the pipelines),
`run --estimate` samples its input units, and the config section it reads is the `RunConfig` field named by
`section`."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from smolcorpus.config import RunConfig
from smolcorpus.runtime.stage import Stage
from smolcorpus.tokenize.tokenizer import TokenizerSpec


@dataclass(frozen=True)
class InputUnits:
    """What a run reads, in units `--estimate` can sample: their name ("WARC files"), the units in reading order,
    where the list lives in the config (dotted key, e.g. `finemath.warc.paths`), each unit's size in bytes where
    listing gives it cheaply (None: unknown, e.g. remote files), what the sizes count ("source files"), the items
    each unit holds where listing counts them (a source tree's files: what the reader reads; None: unknown), and
    the config lists that hold one entry per unit (sampled with the units, e.g. a source tree's `repo_names`)."""

    name: str
    units: list[str]
    config_key: str
    sizes: list[int] | None = None
    size_of: str = "files"
    counts: list[int] | None = None
    companion_keys: tuple[str, ...] = ()


def local_file_sizes(files: list[str]) -> list[int] | None:
    """Bytes of each file when every one is local (a stat each); None when any is remote, where a size would cost a
    request per file (Common Crawl's WARCs are all ≈ 1 GB: counting them is as good)."""
    if any("://" in path for path in files):
        return None
    return [os.path.getsize(path) for path in files]


@dataclass(frozen=True)
class PipelineSpec:
    """One pipeline, as the rest of smolcorpus sees it.

    Attributes:
        name: the config's `pipeline:` value.
        section: the `RunConfig` field holding its settings (defaults live in that config model).
        build_stages: (resolved config, tokenizer) → the stages, in dependency order.
        input_units: config → its `InputUnits`.
        subset_prefix: a published subset is `<prefix><curated folder>` (`finemath-3plus`, `stack-edu-python`);
            None: the run's output folder is one subset of token shards (`tokenize`).
        card_description: the dataset card's first paragraph.
        license: the card's default license id.
        languages: the run's config → natural languages of its text, for the card (None: not stated).
        classifier_models: the run's config dict → the classifier folders it used (their metrics go on the card).
        score_thresholds: the run's config → per classifier name, the thresholds its scores meet, each
            `{"label", "min_int_score"}` (on `<name>_int_score`) or `{"label", "min_score"}` (on the float score);
            the report draws them on the score histograms.
        report_facts: the run's config → facts the report states about this pipeline's outputs (FineMath: the
            `domain_min_pages` behind domains.tsv), so that the report reads no pipeline's config section by name.
    """

    name: str
    section: str
    build_stages: Callable[[RunConfig, TokenizerSpec], list[Stage]]
    input_units: Callable[[RunConfig], InputUnits]
    subset_prefix: str | None
    card_description: str
    license: str = "other"
    languages: Callable[[RunConfig], list[str] | None] = lambda config: None
    classifier_models: Callable[[dict], list[str]] = lambda config: []
    score_thresholds: Callable[[RunConfig], dict[str, list[dict]]] = lambda config: {}
    report_facts: Callable[[RunConfig], dict] = lambda config: {}

    def publication(self, config: RunConfig) -> dict:
        """What `publish` and the report need to know of this pipeline for a run of `config` (written into
        run_info.json by `run`, so that they read the output folder alone): subset prefix, card text, license,
        languages, the classifier folders the run used and the thresholds its scores met."""
        return {
            "subset_prefix": self.subset_prefix,
            "card_description": self.card_description,
            "license": self.license,
            "languages": self.languages(config) or None,
            "classifier_models": [m for m in self.classifier_models(config.model_dump(mode="json")) if m],
            "score_thresholds": self.score_thresholds(config),
            "report_facts": self.report_facts(config),
        }
