"""The loader: a YAML file (plus CLI overrides) → a validated `RunConfig` or `MixConfig`, before any work starts.
An unknown key, a wrong type or a missing input path raises `ConfigError` with the file, the dotted key, the line
and what was expected; a file too large, or whose aliases expand too far, is refused before it is parsed whole."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from smolcorpus.config.base import StrictModel
from smolcorpus.config.mix import MixConfig
from smolcorpus.config.run_config import RunConfig
from smolcorpus.errors import ConfigError


def set_override(data: dict, dotted_key: str, value: Any) -> None:
    """Set `a.b.c = value` in a nested dict, creating sections as needed (CLI flags such as --tasks use this)."""
    *parents, leaf = dotted_key.split(".")
    node = data
    for key in parents:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise ConfigError(f"cannot set {dotted_key}: {key} is not a section")
    node[leaf] = value


MAX_CONFIG_BYTES = 1_000_000  # a run's config is a page of YAML; anything this large is not one
MAX_CONFIG_NODES = 100_000  # YAML nodes after aliases are expanded (a "billion laughs" file has 10^9)


def _read_yaml_mapping(path: Path) -> tuple[str, dict]:
    """(text, mapping) of a YAML config file; ConfigError if it is missing, too large, not YAML, expands past
    `MAX_CONFIG_NODES` through aliases, or is not a mapping."""
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: {path.stat().st_size:,} bytes; a config file is at most {MAX_CONFIG_BYTES:,}")
    text = path.read_text(encoding="utf-8")
    try:
        expanded = _expanded_nodes(yaml.compose(text))
        if expanded > MAX_CONFIG_NODES:
            raise ConfigError(
                f"{path}: its YAML aliases expand to {expanded:,} nodes (at most {MAX_CONFIG_NODES:,}); "
                "refusing it before any work (an alias bomb, or a config that should not repeat itself this much)"
            )
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of config sections at the top level")
    return text, data


def _expanded_nodes(root) -> int:
    """How many nodes the composed YAML document has once every alias is expanded. An alias is the same node
    object as its anchor, so sizes are memoised by identity: linear time, however large the expansion."""
    if root is None:
        return 0
    sizes: dict[int, int] = {}

    def size(node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = 1  # a node that contains itself (a recursive alias) counts once
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(key) + size(value) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(item) for item in node.value)
        else:
            total = 1
        sizes[id(node)] = total
        return total

    return size(root)


def _validated(model: type[StrictModel], data: dict, source: str, yaml_text: str | None, what: str):
    """`model.model_validate(data)`; errors name `source`, the dotted key, its line in `yaml_text` and what was
    expected."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        lines = _key_lines(yaml_text) if yaml_text else {}
        problems = [_describe(err, lines) for err in e.errors()]
        raise ConfigError(f"{source}: invalid {what}\n" + "\n".join(f"  - {p}" for p in problems)) from None


def load_config(path: str | os.PathLike, overrides: dict[str, Any] | None = None) -> RunConfig:
    """Read a YAML file, apply `{"dotted.key": value}` overrides, validate; raise ConfigError on any problem."""
    path = Path(path)
    text, data = _read_yaml_mapping(path)
    for key, value in (overrides or {}).items():
        set_override(data, key, value)
    return validate_config(data, source=str(path), yaml_text=text)


def validate_config(data: dict, source: str = "<config>", yaml_text: str | None = None) -> RunConfig:
    """Validate a config dict; errors name `source`, the dotted key, its line in `yaml_text` and what was expected."""
    return _validated(RunConfig, data, source, yaml_text, "config")


def _describe(err: dict, lines: dict[tuple, int]) -> str:
    loc = tuple(str(part) for part in err["loc"])
    key = ".".join(loc) or "(top level)"
    where = f" (line {lines[loc]})" if loc in lines else ""
    if err["type"] == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        return f"{key}{where}: unknown key; allowed here: {', '.join(allowed)}"
    if err["type"] == "missing":
        return f"{key}: required key is missing"
    got = err.get("input")
    got_text = f" (got {got!r})" if got is not None and not isinstance(got, dict) else ""
    return f"{key}{where}: {err['msg'].removeprefix('Value error, ')}{got_text}"


def _allowed_keys(loc: tuple[str, ...]) -> list[str]:
    """Field names of the config section at `loc` (for 'unknown key' messages)."""
    model: Any = RunConfig
    for part in loc:
        field = model.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        # unwrap Optional[Section]
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if model is None:
            return []
    return sorted(model.model_fields)


def _key_lines(yaml_text: str) -> dict[tuple, int]:
    """Map each key path in a YAML document to its 1-based line number."""
    try:
        root = yaml.compose(yaml_text)
    except yaml.YAMLError:
        return {}
    lines: dict[tuple, int] = {}

    def walk(node: Any, prefix: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                loc = (*prefix, str(key_node.value))
                lines[loc] = key_node.start_mark.line + 1
                walk(value_node, loc)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[(*prefix, str(i))] = item.start_mark.line + 1
                walk(item, (*prefix, str(i)))

    walk(root, ())
    return lines


def load_mix_config(path: str | os.PathLike) -> MixConfig:
    """Read and validate a mixture config; ConfigError names the file, key and line of any problem."""
    path = Path(path)
    text, data = _read_yaml_mapping(path)
    return _validated(MixConfig, data, str(path), text, "mixture config")
