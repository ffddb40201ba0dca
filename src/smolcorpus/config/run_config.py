"""`RunConfig`: a whole run, one pipeline's section plus the output folder, tokenizer and executor. Each pipeline's
section is one field here whose `json_schema_extra` names the pipeline; that field is what registers the pipeline
(`pipeline_sections`, read by `pipelines.PIPELINES`)."""

from __future__ import annotations

import functools
import operator

from pydantic import Field, field_validator, model_validator

from smolcorpus.config.base import OutputPath, StrictModel, is_remote, marked_paths, path_values
from smolcorpus.config.executor import ExecutorConfig
from smolcorpus.config.finemath import FineMathConfig
from smolcorpus.config.stack_edu import StackEduConfig
from smolcorpus.config.tokenize import InputConfig, TokenizeConfig


class RunConfig(StrictModel):
    """A whole run: one pipeline, its input, its output folder and its executor. Relative paths are resolved
    against the current directory."""

    pipeline: str = Field(
        description="which pipeline: `tokenize` (needs `input`), `stack_edu` (needs `stack_edu`) or `finemath` "
        "(needs `finemath`): the section named below"
    )
    name: str = Field(
        "smolcorpus",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="run name, used in Slurm job names and the output marker; `smolcorpus`: the tool's name",
    )
    output_dir: OutputPath = Field(description="output folder (local path or fsspec URL)")
    # each pipeline's settings; `pipeline` in json_schema_extra says which pipeline reads the section, and registers
    # the module pipelines/<pipeline>.py (its spec names the same field)
    input: InputConfig | None = Field(
        None, description="documents to tokenize (pipeline: tokenize)", json_schema_extra={"pipeline": "tokenize"}
    )
    stack_edu: StackEduConfig | None = Field(
        None, description="the code corpus (pipeline: stack_edu)", json_schema_extra={"pipeline": "stack_edu"}
    )
    finemath: FineMathConfig | None = Field(
        None, description="the math corpus (pipeline: finemath)", json_schema_extra={"pipeline": "finemath"}
    )
    tokenize: TokenizeConfig = Field(
        default_factory=TokenizeConfig, description="how documents become token shards (every pipeline ends with them)"
    )
    executor: ExecutorConfig = Field(
        default_factory=ExecutorConfig, description="which datatrove executor runs the stages; local, one task"
    )

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
                for path in path_values(value) if not is_remote(path)]  # fmt: skip


def pipeline_sections() -> dict[str, str]:
    """pipeline name → the `RunConfig` section holding its settings (from the sections' field metadata)."""
    return {
        field.json_schema_extra["pipeline"]: name
        for name, field in RunConfig.model_fields.items()
        if isinstance(field.json_schema_extra, dict) and "pipeline" in field.json_schema_extra
    }
