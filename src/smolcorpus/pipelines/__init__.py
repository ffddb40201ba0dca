"""Pipelines: composition only. Each pipeline module builds its stages from the steps of the packages below it and
ends with its `PipelineSpec`; the table below is read from the config, not kept by hand: every `RunConfig` field
whose `json_schema_extra` names a pipeline registers the module of that name here. Adding a pipeline: its settings
model (`config/<name>.py`), that `RunConfig` field (`config/run_config.py`) and its module `pipelines/<name>.py`.
The runtime (`smolcorpus.runtime`) runs the stages."""

from __future__ import annotations

from importlib import import_module

from smolcorpus.config import RunConfig, pipeline_sections
from smolcorpus.pipelines.registry import PipelineSpec
from smolcorpus.runtime.stage import Stage
from smolcorpus.tokenize.tokenizer import resolve_tokenizer_spec

# pipeline name → its spec, in the order of the config's sections (`pipelines/<name>.py` ends with `SPEC`)
PIPELINES: dict[str, PipelineSpec] = {name: import_module(f"{__name__}.{name}").SPEC for name in pipeline_sections()}


def build_stages(config: RunConfig) -> list[Stage]:
    """The stages of the pipeline a config names, in dependency order. Resolves assets (fails fast if missing)."""
    tokenizer = resolve_tokenizer_spec(config.tokenize.tokenizer, config.tokenize.eos_token)
    return PIPELINES[config.pipeline].build_stages(config, tokenizer)


__all__ = ["PIPELINES", "PipelineSpec", "build_stages"]
