"""Pipelines: composition only. Each pipeline module builds its stages from the steps of the packages below it and
ends with its `PipelineSpec`; this table registers them (adding a pipeline: its module, its settings model in
config.py, one line here). The runtime (`smolcorpus.runtime`) runs the stages."""

from __future__ import annotations

from smolcorpus.config import RunConfig
from smolcorpus.pipelines import finemath, stack_edu, tokenize
from smolcorpus.pipelines.registry import PipelineSpec
from smolcorpus.runtime.stage import Stage
from smolcorpus.tokenize.tokenizer import resolve_tokenizer_spec

PIPELINES: dict[str, PipelineSpec] = {spec.name: spec for spec in (tokenize.SPEC, stack_edu.SPEC, finemath.SPEC)}


def build_stages(config: RunConfig) -> list[Stage]:
    """The stages of the pipeline a config names, in dependency order. Resolves assets (fails fast if missing)."""
    tokenizer = resolve_tokenizer_spec(config.tokenize.tokenizer, config.tokenize.eos_token)
    return PIPELINES[config.pipeline].build_stages(config, tokenizer)


__all__ = ["PIPELINES", "PipelineSpec", "build_stages"]
