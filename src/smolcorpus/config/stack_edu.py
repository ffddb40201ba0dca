"""The `stack_edu` pipeline's settings: the Stack-Edu-style code corpus (`pipelines/stack_edu.py`)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, PositiveFloat, PositiveInt, model_validator

from smolcorpus.config.base import InputPath, ModelPath, StrictModel
from smolcorpus.config.shared import DecontaminationConfig, DedupConfig, TorchDeviceConfig
from smolcorpus.stack_edu_languages import STACK_EDU_LANGUAGES


class StackV2SourceConfig(StrictModel):
    """Stack v2 / StarCoder2Data rows (`blob_id`, `language`, `repo_name`, `path`, `src_encoding`, `length_bytes`,
    `detected_licenses`, `license_type`, and `is_vendor`/`is_generated` where present); contents come from Software
    Heritage's S3 bucket unless a content column has them."""

    paths: list[InputPath] = Field(
        min_length=1,
        description="Parquet files, `datasets.save_to_disk` folders (Arrow files), or folders of them; local ones "
        "must exist",
    )
    content_url: str = Field(
        "s3://softwareheritage/content",
        description="blob `B` is read from `<content_url>/B` (gzip); the default is where Stack v2 says its "
        "contents are",
    )
    storage_options: dict[str, Any] = Field(
        default_factory=dict,
        description="s3fs options for the blobs: credentials, `{anon: true}`, or an endpoint override "
        "`{client_kwargs: {endpoint_url: http://...}}`; `{}`: s3fs finds credentials as boto does",
    )
    rows_storage_options: dict[str, Any] = Field(
        default_factory=dict, description="fsspec options for remote row files; `{}`: fsspec's defaults"
    )
    content_column: str = Field(
        "content",
        description="rows carrying the text in this column are used without fetching; `content`: the column "
        "name of the Stack datasets that ship contents",
    )
    concurrency: PositiveInt = Field(
        32,
        description="S3 requests in flight per task; 32: a task fetches while earlier requests wait on S3, with "
        "few enough connections per process",
    )
    max_attempts: PositiveInt = Field(
        5,
        description="attempts per blob on throttling (`SlowDown`, 503) and transient errors, after s3fs's own "
        "retries; 5 with the doubling wait spans ≈ 8 s",
    )
    backoff_seconds: PositiveFloat = Field(
        0.5, description="seconds; the first wait between attempts, doubled each time (0.5, 1, 2, 4)"
    )


class SourceTreesConfig(StrictModel):
    """Local source trees or git checkouts, one repository per root folder; the language comes from the file
    extension."""

    roots: list[InputPath] = Field(min_length=1, description="repository folders, which must exist")
    repo_names: list[str] | None = Field(
        None, description="one `owner/name` per root; null: the folder names (a local tree has no owner)"
    )
    licenses: list[str | None] | None = Field(
        None,
        description="one SPDX id or expression per root (`MIT`, `Apache-2.0 OR BSD-2-Clause`); null, or null "
        "entries: detected from the root's `LICENSE`/`COPYING` file",
    )

    @model_validator(mode="after")
    def _one_entry_per_root(self) -> SourceTreesConfig:
        for key in ("repo_names", "licenses"):
            value = getattr(self, key)
            if value is not None and len(value) != len(self.roots):
                raise ValueError(f"{key} has {len(value)} entries for {len(self.roots)} roots: it needs one per root")
        return self


class CodeFiltersConfig(StrictModel):
    """Rule filters, each dropping with its own reason: The Stack's line rules, StarCoder's encoded-data rule, and
    smolcorpus's own rules for generated, minified, data, vendored and community files (no published values)."""

    min_bytes: int = Field(10, ge=0, description="bytes; smaller files are dropped (`file_too_small`): "
                           "10 bytes hold no program")  # fmt: skip
    max_bytes: PositiveInt = Field(
        1_000_000,
        description="bytes; larger rows are not even fetched (`too_large`), larger files are dropped "
        "(`file_too_large`); 1 MB: The Stack's limit",
    )
    max_line_length: PositiveInt = Field(1000, description="characters in the longest line; 1000: The Stack's")
    max_mean_line_length: PositiveFloat = Field(100, description="mean line length in characters; 100: The Stack's")
    min_alphanumeric_fraction: float = Field(
        0.25, ge=0, le=1, description="share of characters that are letters or digits; 0.25: The Stack's"
    )
    max_encoded_fraction: float = Field(
        0.5, ge=0, le=1, description="share of the file in base64/hex/escape runs; 0.5: StarCoder's"
    )
    max_encoded_run: PositiveInt = Field(1024, description="characters in the longest such run; 1024: StarCoder's")
    max_data_file_bytes: PositiveInt = Field(
        50_000,
        description="bytes; JSON/YAML/CSV/XML files above this are data (`data_<kind>`): 50 kB is past any "
        "hand-written config",
    )
    max_table_fraction: float = Field(
        0.5,
        ge=0,
        le=1,
        description="share of the characters in ≥ 50 lines that are literal table rows (`literal_table`); 0.5: a "
        "file that is mostly a table is data, not code",
    )
    max_digit_fraction: float = Field(
        0.25,
        ge=0,
        le=1,
        description="share of the characters in lines of only digits and separators (`numeric_literal`); 0.25: "
        "a file a quarter made of number-only lines is a data dump, not code",
    )
    drop_generated: bool = Field(
        True,
        description='drop generator banners ("do not edit"), protobuf/gRPC/OpenAPI/Swagger codegen, lockfiles; '
        "on: no one writes or learns from such files",
    )
    drop_minified: bool = Field(
        True, description="drop `*.min.*` and whitespace-free long-line JS/CSS; on: minified code teaches nothing"
    )
    drop_vendored: bool = Field(
        True,
        description="drop `node_modules/`, `vendor/`, `third_party/`, … and files announcing another project; on: "
        "another project's copy is that project's file, counted there",
    )
    drop_community_files: bool = Field(
        True,
        description="drop `CODE_OF_CONDUCT`, `CONTRIBUTING`, `SECURITY`, issue and pull-request templates, … "
        "(GitHub's community health files, `community_file`); on: a classifier grades their tidy prose high",
    )


class CodeScoringConfig(TorchDeviceConfig):
    """Per-language educational classifiers (`smolcorpus classifier train` folders, or published Hub ids) and
    thresholds: each file is tagged (`score`, `int_score`), then filtered; without any model, files are not scored
    and the curated `score`/`int_score` columns are null."""

    models: dict[str, ModelPath] = Field(
        default_factory=dict,
        description="language → model folder from `smolcorpus classifier train` (which must exist), or a "
        "published classifier's Hub id; `{}`: no classifier is bundled, so files are not scored",
    )
    default_model: ModelPath | None = Field(
        None, description="model for languages without their own (one shared model); null: those are not scored"
    )
    thresholds: dict[str, float] = Field(
        default_factory=lambda: {"Java": 2},
        description="language → minimum `int_score`; `{Java: 2}`: Stack-Edu's exception",
    )
    default_threshold: float = Field(3, description="minimum `int_score` for other languages; 3: Stack-Edu's")
    batch_size: PositiveInt = Field(
        64, description="files per classifier call; 64: a batch of long files stays within a GPU's memory"
    )

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


class StackEduConfig(StrictModel):
    """The Stack-Edu-style code corpus: sources → filters → dedup → per-language scores → decontamination (at least
    one of `stack_v2` and `source_trees`)."""

    stack_v2: StackV2SourceConfig | None = Field(None, description="Stack v2 / StarCoder2Data rows; null: none")
    source_trees: SourceTreesConfig | None = Field(None, description="local repositories; null: none")
    languages: list[str] = Field(
        default_factory=lambda: list(STACK_EDU_LANGUAGES),
        description="allow-list, as The Stack v2 names languages (`Python`, `C++`, …); default: Stack-Edu's 15, "
        "the largest languages of StarCoder2Data",
    )
    permissive_only: bool = Field(
        True,
        description="keep only files with `license_type: permissive` (or only permissive SPDX ids); on: what "
        "Stack v2's permissive subset and Stack-Edu publish",
    )
    filters: CodeFiltersConfig = Field(default_factory=CodeFiltersConfig, description="rule-filter thresholds")
    dedup: DedupConfig = Field(default_factory=DedupConfig, description="exact and MinHash dedup, per language")
    scoring: CodeScoringConfig = Field(
        default_factory=CodeScoringConfig, description="per-language edu classifiers and thresholds; no models"
    )
    decontamination: DecontaminationConfig = Field(
        default_factory=DecontaminationConfig, description="benchmark files to decontaminate against; none"
    )

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
