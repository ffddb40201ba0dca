"""What every config section shares: unknown keys are errors (`StrictModel`), and path fields are marked once, in
their type (`InputPath`, `LocalPath`, `OutputPath`, `ModelPath`), so that the existence check, `resolved_paths` and
the output claim find every path by walking the models (`marked_paths`) instead of naming each field."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic.fields import FieldInfo

# local paths are checked for existence; anything with a scheme (s3://, hf://, ...) is left to fsspec at run time
REMOTE_PREFIXES = ("s3://", "gs://", "hf://", "http://", "https://", "az://", "abfs://")


def default_of(model: type[BaseModel], field: str) -> Any:
    """The default a config field declares, for a step whose argument has the same meaning: steps that keep a default
    (a reader's byte limit, the prefilter's word count) read it from the model, so the number is written once."""
    return model.model_fields[field].get_default(call_default_factory=True)


def is_remote(path: str) -> bool:
    """Whether `path` has a scheme fsspec reads (s3://, hf://, ...): not checked or resolved here."""
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
            return absolute_path(path) if os.path.exists(path) else path
        return absolute_path(path)

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


def path_values(value: Any) -> list[str]:
    """The str values of a marked field's value: itself, its items, or a dict's values (None: none)."""
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
                   for path in path_values(getattr(self, name)) if marker.missing(path)]  # fmt: skip
        if missing:
            raise ValueError(f"{self.missing_path_message}: {', '.join(missing)}")
        return self

    def changed(self, *keys: str) -> list[str]:
        """Those of `keys` whose value is not the default. Compared with the defaults, not with what was written:
        a config dumped and read again (resolved paths, `--estimate`'s sample) names every key."""
        fields = type(self).model_fields
        return [key for key in keys if getattr(self, key) != fields[key].get_default(call_default_factory=True)]


def absolute_path(path: str) -> str:
    """`path` resolved against the working directory; a remote one (`is_remote`) as written."""
    return path if is_remote(path) else str(Path(path).resolve())


def is_hub_model(name: str) -> bool:
    """ORG/NAME with no such local path: a Hub model id (the published FineWeb-Edu/FineMath/Stack-Edu classifiers)."""
    parts = name.split("/")
    return len(parts) == 2 and all(parts) and not name.startswith((".", "/", "~")) and not os.path.exists(name)
