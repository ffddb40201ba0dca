"""Composition of the `tokenize` pipeline: documents → Parquet token shards → manifest. No logic lives here."""

from __future__ import annotations

from datatrove.pipeline.tokens import DocumentTokenizer

from smolcorpus.config import InputConfig, RunConfig, TokenizeConfig
from smolcorpus.pipelines.registry import InputUnits, PipelineSpec, local_file_sizes
from smolcorpus.readers import DocumentFileReader
from smolcorpus.readers.documents import list_document_files
from smolcorpus.runtime.stage import Stage
from smolcorpus.tokenize.grouped import GroupedManifestWriter, GroupedTokenShardWriter
from smolcorpus.tokenize.manifest import ManifestWriter
from smolcorpus.tokenize.shards import TokenShardWriter
from smolcorpus.tokenize.tokenizer import TokenizerSpec


def tokenize_stages(
    source: InputConfig, settings: TokenizeConfig, tokenizer: TokenizerSpec, output_dir: str, tasks: int
) -> list[Stage]:
    """Stage `tokenize` (`tasks` tasks) writes shards into `output_dir`; stage `manifest` (1 task) indexes them."""
    pipeline = [
        DocumentFileReader(
            source.paths,
            text_column=source.text_column,
            id_column=source.id_column,
            storage_options=source.storage_options,
            max_bytes=source.max_document_bytes,
        ),
        TokenShardWriter(
            output_dir,
            tokenizer,
            carry_columns=settings.carry_columns,
            pack_length=settings.pack_length,
            batch_size=settings.batch_size,
            max_tokens_per_shard=settings.max_tokens_per_shard,
            tokens_per_row_group=settings.tokens_per_row_group,
        ),
    ]
    if settings.nanotron:
        pipeline.append(
            DocumentTokenizer(
                output_folder=f"{output_dir.rstrip('/')}/nanotron",
                tokenizer_name_or_path=tokenizer.path,
                eos_token=tokenizer.eos_token,
                shuffle_documents=False,
            )
        )
    manifest = ManifestWriter(output_dir, tokenizer, shard_tasks=tasks, pack_length=settings.pack_length)
    return [Stage("tokenize", pipeline, tasks), Stage("manifest", [manifest], 1, cpus_per_task=1)]


def grouped_token_stages(
    curated_dir: str,
    tokens_dir: str,
    groups: list[str],
    settings: TokenizeConfig,
    tokenizer: TokenizerSpec,
    tasks: int,
    summary_steps: list,
    id_column: str = "id",
) -> list[Stage]:
    """For the corpus pipelines: stage `tokenize` (`curated/<group>/` → a token folder per group) and the 1-task
    `summary` stage (a manifest per group, then `summary_steps`)."""
    writer = GroupedTokenShardWriter(
        curated_dir,
        tokens_dir,
        groups,
        tokenizer,
        id_column=id_column,
        carry_columns=settings.carry_columns,
        pack_length=settings.pack_length,
        batch_size=settings.batch_size,
        max_tokens_per_shard=settings.max_tokens_per_shard,
        tokens_per_row_group=settings.tokens_per_row_group,
    )
    manifests = GroupedManifestWriter(tokens_dir, groups, tokenizer, tasks, settings.pack_length)
    return [Stage("tokenize", [writer], tasks), Stage("summary", [manifests, *summary_steps], 1, cpus_per_task=1)]


def _input_units(config: RunConfig) -> InputUnits:
    files = list_document_files(config.input.paths, config.input.storage_options)
    return InputUnits("files", files, "input.paths", local_file_sizes(files))


SPEC = PipelineSpec(
    name="tokenize",
    section="input",
    build_stages=lambda config, tokenizer: tokenize_stages(
        config.input, config.tokenize, tokenizer, config.output_dir, config.executor.tasks
    ),
    input_units=_input_units,
    subset_prefix=None,
    card_description="Tokenized documents (Parquet token shards with a manifest).",
)
