"""`config/run_config.py`: one pipeline's section per run, and paths resolved by walking the marked fields."""

import functools

import pytest

from smolcorpus.config import RunConfig, pipeline_sections, validate_config
from tests.config.path_fields import config_with_every_path, path_fields


def test_resolved_paths_are_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    config = validate_config({"pipeline": "tokenize", "output_dir": "out", "input": {"paths": ["docs"]}})
    resolved = config.resolved_paths()
    assert resolved.output_dir == str(tmp_path / "out")
    assert resolved.input.paths == [str(tmp_path / "docs")]


@pytest.mark.parametrize("pipeline", list(pipeline_sections()))
def test_every_path_field_is_resolved_and_every_input_claimed(pipeline, tmp_path, monkeypatch):
    """The walk over `PathMarker` fields is complete: a config with every path field of its sections set (the
    fields enumerated from the models, so a new one is covered) comes back from `resolved_paths` with each of them
    absolute, and `input_paths` lists exactly the `input` ones."""
    monkeypatch.chdir(tmp_path)
    data, written = config_with_every_path(pipeline, tmp_path)
    config = validate_config(data)
    resolved = config.resolved_paths()
    for key, _marker, value in written:
        got = functools.reduce(getattr, key.split("."), resolved)
        if isinstance(value, str):
            assert got == str(tmp_path / value), key
        else:
            assert got == (
                dict.fromkeys(value, str(tmp_path / key)) if isinstance(value, dict) else [str(tmp_path / key)]
            ), key
    inputs = [key for key, marker, _value in written if marker.kind == "input"]
    assert inputs and config.input_paths() == inputs
    assert resolved.input_paths() == [str(tmp_path / key) for key in inputs]


def test_the_path_fields_cover_what_runs_read():
    """The fields the walk finds include those resolved by hand before it (a floor, not the list)."""
    found = {key: marker.kind for key, _field, marker in path_fields(RunConfig)}
    assert {"input.paths", "stack_edu.stack_v2.paths", "stack_edu.source_trees.roots", "finemath.warc.paths"} <= {
        key for key, kind in found.items() if kind == "input"
    }
    models = {key for key, kind in found.items() if kind == "model"}
    assert {"stack_edu.scoring.models", "stack_edu.scoring.default_model", "finemath.recall.model",
            "finemath.precision.model", "tokenize.tokenizer"} <= models  # fmt: skip
    assert {"stack_edu.decontamination.benchmarks", "finemath.lid_model"} <= found.keys()
    assert found["output_dir"] == "output"
