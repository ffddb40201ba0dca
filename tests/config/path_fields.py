"""A run config with every path-marked field set, whatever fields the models have: the fields are enumerated from
the models (`PathMarker`), so a field added later is in it without a change here (tests/config/test_run_config.py,
tests/test_output_claim.py)."""

from __future__ import annotations

from pathlib import Path
from typing import get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from smolcorpus.config import PathMarker, RunConfig, path_marker, pipeline_sections, set_override


def path_fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, FieldInfo, PathMarker]]:
    """(dotted key, field, marker) of every path-marked field of `model` and the sections under it."""
    found = []
    for name, field in model.model_fields.items():
        marker = path_marker(field)
        if marker is not None:
            found.append((prefix + name, field, marker))
            continue
        for candidate in (field.annotation, *get_args(field.annotation)):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                found += path_fields(candidate, f"{prefix}{name}.")
    return found


def _shaped(field: FieldInfo, path: str) -> str | list[str] | dict[str, str]:
    """`path` in the shape the field takes: itself, a one-item list, or a one-entry dict (keyed by a language every
    pipeline reads, so that per-language models pass their checks)."""
    origins = {get_origin(arg) for arg in (field.annotation, *get_args(field.annotation))}
    if list in origins:
        return [path]
    if dict in origins:
        return {"Python": path}
    return path


def config_with_every_path(pipeline: str, root: Path) -> tuple[dict, list[tuple[str, PathMarker, object]]]:
    """(config data, [(dotted key, marker, value written)]) of a `pipeline` run under `root` (the working directory)
    whose every path field its sections hold is set to a relative path named as its key; the local ones exist."""
    others = {section for name, section in pipeline_sections().items() if name != pipeline}
    data: dict = {"pipeline": pipeline}
    written = []
    for key, field, marker in path_fields(RunConfig):
        if key.split(".")[0] in others:  # a config holds one pipeline's section
            continue
        if marker.kind != "output":
            (root / key).mkdir()
        value = _shaped(field, key)
        set_override(data, key, value)
        written.append((key, marker, value))
    return data, written
