"""Pipelines: composition only. Each pipeline builds its stages from the steps of the packages below it; the
runtime (`smolcorpus.runtime`) runs them."""

from __future__ import annotations

from smolcorpus.config import RunConfig
from smolcorpus.pipelines.tokenize import tokenize_stages
from smolcorpus.runtime.stage import Stage
from smolcorpus.tokenize.tokenizer import resolve_tokenizer_spec


def build_stages(config: RunConfig) -> list[Stage]:
    """The stages of the pipeline a config names, in dependency order. Resolves assets (fails fast if missing)."""
    if config.pipeline == "tokenize":
        tokenizer = resolve_tokenizer_spec(config.tokenize.tokenizer, config.tokenize.eos_token)
        return tokenize_stages(config.input, config.tokenize, tokenizer, config.output_dir, config.executor.tasks)
    if config.pipeline == "stack_edu":
        from smolcorpus.pipelines.stack_edu import stack_edu_stages

        tokenizer = resolve_tokenizer_spec(config.tokenize.tokenizer, config.tokenize.eos_token)
        return stack_edu_stages(config.stack_edu, config.tokenize, tokenizer, config.output_dir, config.executor.tasks)
    if config.pipeline == "finemath":
        from smolcorpus.pipelines.finemath import finemath_stages

        tokenizer = resolve_tokenizer_spec(config.tokenize.tokenizer, config.tokenize.eos_token)
        return finemath_stages(config.finemath, config.tokenize, tokenizer, config.output_dir, config.executor.tasks)
    raise ValueError(f"unknown pipeline {config.pipeline!r}")  # unreachable: the config model lists the kinds


__all__ = ["build_stages"]
