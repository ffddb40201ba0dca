"""The run configs: pydantic models, one module per pipeline's settings, and the loader that turns a YAML file into
a validated `RunConfig`.

A run is fully described by one YAML file (plus a few CLI overrides). Validation happens before any work starts:
an unknown key, a wrong type or a missing input path raises `ConfigError` with the file, the dotted key, the line
and what was expected. Relative paths are resolved against the current working directory. Every field has a
description (unit, and why the default); `docs/config.md` is generated from them (`scripts/config_reference.py`).

- `base.py`: `StrictModel` and the path types (`InputPath`, `LocalPath`, `OutputPath`, `ModelPath`)
- `tokenize.py`, `stack_edu.py`, `finemath.py`: each pipeline's section; `shared.py`: sections two of them read
- `executor.py`: how the stages run (the runtime reads only this)
- `run_config.py`: `RunConfig`, whose pipeline sections register the pipelines; `mix.py`: `MixConfig`
- `loader.py`: YAML → validated config, with errors that name the key and line
"""

from smolcorpus.config.base import (
    REMOTE_PREFIXES,
    InputPath,
    LocalPath,
    ModelPath,
    OutputPath,
    PathMarker,
    StrictModel,
    absolute_path,
    is_hub_model,
    is_remote,
    marked_paths,
    path_marker,
    path_values,
)
from smolcorpus.config.executor import ExecutorConfig, RayConfig, SlurmConfig, SlurmStageConfig
from smolcorpus.config.finemath import (
    MATH_QUALITY_SWITCHES,
    ClassifierStepConfig,
    FineMathConfig,
    MathQualityConfig,
    PIIConfig,
    PrecisionConfig,
    URLFilterConfig,
    WarcSourceConfig,
)
from smolcorpus.config.loader import (
    MAX_CONFIG_BYTES,
    MAX_CONFIG_NODES,
    load_config,
    load_mix_config,
    set_override,
    validate_config,
)
from smolcorpus.config.mix import MixConfig, MixSourceConfig
from smolcorpus.config.run_config import RunConfig, pipeline_sections
from smolcorpus.config.shared import DecontaminationConfig, DedupConfig, TorchDeviceConfig
from smolcorpus.config.stack_edu import (
    CodeFiltersConfig,
    CodeScoringConfig,
    SourceTreesConfig,
    StackEduConfig,
    StackV2SourceConfig,
)
from smolcorpus.config.tokenize import InputConfig, TokenizeConfig

__all__ = [
    "MATH_QUALITY_SWITCHES",
    "MAX_CONFIG_BYTES",
    "MAX_CONFIG_NODES",
    "REMOTE_PREFIXES",
    "ClassifierStepConfig",
    "CodeFiltersConfig",
    "CodeScoringConfig",
    "DecontaminationConfig",
    "DedupConfig",
    "ExecutorConfig",
    "FineMathConfig",
    "InputConfig",
    "InputPath",
    "LocalPath",
    "MathQualityConfig",
    "MixConfig",
    "MixSourceConfig",
    "ModelPath",
    "OutputPath",
    "PIIConfig",
    "PathMarker",
    "PrecisionConfig",
    "RayConfig",
    "RunConfig",
    "SlurmConfig",
    "SlurmStageConfig",
    "SourceTreesConfig",
    "StackEduConfig",
    "StackV2SourceConfig",
    "StrictModel",
    "TokenizeConfig",
    "TorchDeviceConfig",
    "URLFilterConfig",
    "WarcSourceConfig",
    "absolute_path",
    "is_hub_model",
    "is_remote",
    "load_config",
    "load_mix_config",
    "marked_paths",
    "path_marker",
    "path_values",
    "pipeline_sections",
    "set_override",
    "validate_config",
]
