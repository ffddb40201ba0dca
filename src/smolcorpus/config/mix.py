"""A training stage's mixture (`smolcorpus mix`): token folders and their shares of a token budget."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveFloat, PositiveInt

from smolcorpus.config.base import LocalPath, OutputPath, StrictModel, default_of
from smolcorpus.config.tokenize import TokenizeConfig


class MixSourceConfig(StrictModel):
    """One source of a mixture: a token folder (shards + manifest) and its share of the budget."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="the source's name in the `source` column")
    path: LocalPath = Field(description="token folder (shards + `manifest.json`), which must exist")
    share: PositiveFloat = Field(
        allow_inf_nan=False,
        description="relative weight, finite; shares are normalised to sum to 1 (so percentages work)",
    )


class MixConfig(StrictModel):
    """A training stage's mixture (`smolcorpus mix`): each source gets `share × total_tokens` by whole documents;
    sources must share one tokenizer."""

    name: str = Field(
        "mixture", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="the mixture's name in its outputs"
    )
    output_dir: OutputPath = Field(
        description="output folder, built in `<output_dir>.partial` and swapped in when complete"
    )
    total_tokens: PositiveInt = Field(description="the stage's token budget")
    seed: int = Field(0, description="seed of each source's document shuffle (source i uses seed + i); 0: any "
                      "fixed value makes a mixture reproducible")  # fmt: skip
    mode: Literal["shards", "weights"] = Field(
        "shards",
        description="`shards`: write a mixed token folder `TokenShardDataset` reads; `weights`: only "
        "`mixture.json` with nanotron-style dataset folders and weights (tokenize with `nanotron: true`)",
    )
    upsample: bool = Field(
        False,
        description="repeat documents of sources shorter than their share (in freshly shuffled passes); off: a "
        "short source is an error, so repeats are never silent",
    )
    share_tolerance: float = Field(
        0.005,
        gt=0,
        lt=1,
        description="largest |realized - target| share allowed (0.005 = 0.5 points), else an error before anything "
        "is written; documents land within a fraction of one of the targets, so only documents too large for the "
        "budget reach it",
    )
    max_tokens_per_shard: PositiveInt = Field(
        default_of(TokenizeConfig, "max_tokens_per_shard"),
        description="shards mode: tokens; a new shard file past this (as `tokenize`)",
    )
    tokens_per_row_group: PositiveInt = Field(
        default_of(TokenizeConfig, "tokens_per_row_group"),
        description="shards mode: row-group size in tokens; the loader shuffles row groups, so sources interleave "
        "(as `tokenize`)",
    )
    sources: list[MixSourceConfig] = Field(min_length=1, description="the token folders and their shares")
