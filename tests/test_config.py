import functools
import re
from pathlib import Path

import pytest

from smolcorpus.config import RunConfig, load_config, pipeline_sections, validate_config
from smolcorpus.errors import ConfigError
from tests.config_paths import config_with_every_path, path_fields
from tests.conftest import run_measured

VALID = """\
pipeline: tokenize
name: trial
output_dir: {out}
input:
  paths: [{inp}]
tokenize:
  pack_length: 2048
executor:
  kind: local
  tasks: 3
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(text)
    return path


@pytest.fixture
def valid_text(tmp_path):
    (tmp_path / "docs").mkdir()
    return VALID.format(out=tmp_path / "out", inp=tmp_path / "docs")


def test_valid_config_loads_with_defaults(tmp_path, valid_text):
    config = load_config(write(tmp_path, valid_text))
    assert config.tokenize.pack_length == 2048
    assert config.tokenize.eos_token == "<|endoftext|>"
    assert config.executor.tasks == 3
    assert config.input.text_column == "text"


def test_unknown_key_names_file_key_line_and_allowed_keys(tmp_path, valid_text):
    path = write(tmp_path, valid_text.replace("  pack_length: 2048", "  pack_lenght: 2048"))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert str(path) in message
    assert "tokenize.pack_lenght (line 7): unknown key" in message
    assert "pack_length" in message  # the allowed keys are listed


def test_wrong_type_names_key_and_expectation(tmp_path, valid_text):
    path = write(tmp_path, valid_text.replace("tasks: 3", "tasks: many"))
    with pytest.raises(ConfigError, match=r"executor\.tasks \(line 10\): Input should be a valid integer.*'many'"):
        load_config(path)


def test_missing_input_path_fails_before_work(tmp_path, valid_text):
    path = write(tmp_path, valid_text.replace(str(tmp_path / "docs"), str(tmp_path / "nope")))
    with pytest.raises(ConfigError, match="input path does not exist: .*nope"):
        load_config(path)
    assert not (tmp_path / "out").exists()


def test_missing_required_key(tmp_path, valid_text):
    path = write(tmp_path, valid_text.replace(f"output_dir: {tmp_path / 'out'}\n", ""))
    with pytest.raises(ConfigError, match="output_dir: required key is missing"):
        load_config(path)


def test_slurm_executor_needs_its_section(tmp_path, valid_text):
    with pytest.raises(ConfigError, match="needs an executor.slurm section"):
        load_config(write(tmp_path, valid_text), overrides={"executor.kind": "slurm"})


def test_overrides_apply_before_validation(tmp_path, valid_text):
    config = load_config(write(tmp_path, valid_text), overrides={"executor.tasks": 7, "executor.workers": 2})
    assert (config.executor.tasks, config.executor.workers) == (7, 2)
    with pytest.raises(ConfigError, match="executor.tasks"):
        load_config(write(tmp_path, valid_text), overrides={"executor.tasks": 0})


def test_not_a_mapping_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(tmp_path, "a: [1, 2\n"))
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(write(tmp_path, "- 1\n- 2\n"))


def test_resolved_paths_are_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    config = validate_config({"pipeline": "tokenize", "output_dir": "out", "input": {"paths": ["docs"]}})
    resolved = config.resolved_paths()
    assert resolved.output_dir == str(tmp_path / "out")
    assert resolved.input.paths == [str(tmp_path / "docs")]


def test_mixture_config_errors_name_file_key_and_line(tmp_path):
    from smolcorpus.config import load_mix_config

    (tmp_path / "tokens").mkdir()
    path = tmp_path / "mix.yaml"
    path.write_text(f"output_dir: {tmp_path}/mix\ntotal_tokens: 1000\nsources:\n"
                    f"  - {{name: web, path: {tmp_path}/tokens, shares: 1}}\n")  # fmt: skip
    with pytest.raises(ConfigError, match=r"mix.yaml: invalid mixture config") as error:
        load_mix_config(path)
    assert "sources.0.shares" in str(error.value) and "line 4" in str(error.value)
    path.write_text("- just a list\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_mix_config(path)
    with pytest.raises(ConfigError, match="config file not found"):
        load_mix_config(tmp_path / "absent.yaml")


def test_yaml_alias_bomb_is_refused_with_bounded_memory(tmp_path):
    """A "billion laughs" config (9 levels of 9 aliases: ~10^9 nodes once expanded) is refused before any work,
    in a child process whose peak memory stays under 300 MB (it used to grow past 6 GB)."""
    import sys

    lines = [
        "pipeline: tokenize",
        f"output_dir: {tmp_path / 'out'}",
        'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    lines += [f"l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
    lines.append("input: {paths: [*l8]}")
    config = tmp_path / "bomb.yaml"
    config.write_text("\n".join(lines) + "\n")
    result, peak_mb = run_measured([sys.executable, "-m", "smolcorpus.cli", "run", str(config)])
    assert result.returncode == 2 and "aliases expand to" in result.stderr and "refusing" in result.stderr
    assert peak_mb < 300, peak_mb
    assert not (tmp_path / "out").exists()


def test_anchors_and_aliases_within_bounds_still_work(tmp_path, valid_text):
    config = tmp_path / "run.yaml"
    config.write_text(valid_text + "x-defaults: &storage {anon: true}\n")
    with pytest.raises(ConfigError, match="x-defaults"):  # an unknown key, but read: aliases are not refused
        load_config(config)


def test_oversized_config_file_is_refused(tmp_path):
    config = tmp_path / "huge.yaml"
    config.write_text("pipeline: tokenize\n" + "# padding\n" * 200_000)
    with pytest.raises(ConfigError, match="at most 1,000,000"):
        load_config(config)


def test_scoring_device_and_per_stage_slurm_resources(tmp_path, valid_text):
    """Scorers' device/dtype and `executor.slurm.stages` are validated like every other key."""
    from smolcorpus.config import CodeScoringConfig

    assert CodeScoringConfig().device == "auto" and CodeScoringConfig(device="cuda:1", dtype="bfloat16").dtype
    with pytest.raises(ValueError, match="should match pattern"):
        CodeScoringConfig(device="gpu")
    slurm = valid_text.replace("  kind: local", "  kind: slurm\n  slurm:\n    partition: cpu\n    stages:\n"
                               "      curate: {partition: gpu, gpus: 1, time: '04:00:00'}")  # fmt: skip
    config = load_config(write(tmp_path, slurm))
    stage = config.executor.slurm.stages["curate"]
    assert (stage.partition, stage.gpus, stage.time, stage.cpus_per_task) == ("gpu", 1, "04:00:00", None)
    with pytest.raises(ConfigError, match=r"executor\.slurm\.stages\.curate\.gpus .*greater than 0"):
        load_config(write(tmp_path, slurm.replace("gpus: 1", "gpus: 0")))


@pytest.mark.parametrize("share", [".inf", ".nan", "-1", "0"])
def test_a_mixture_share_must_be_a_finite_positive_number(tmp_path, share):
    from smolcorpus.config import load_mix_config

    (tmp_path / "tokens").mkdir()
    path = tmp_path / "mix.yaml"
    path.write_text(f"output_dir: {tmp_path}/mix\ntotal_tokens: 1000\nsources:\n"
                    f"  - {{name: web, path: {tmp_path}/tokens, share: {share}}}\n")  # fmt: skip
    with pytest.raises(ConfigError, match=r"sources.0.share \(line 4\)"):
        load_mix_config(path)


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


def test_a_missing_local_path_is_refused_wherever_it_is_marked(tmp_path, monkeypatch):
    """One existence check serves every marked field: each missing local path of a finemath config is named."""
    monkeypatch.chdir(tmp_path)
    data, written = config_with_every_path("finemath", tmp_path)
    for key, marker, _value in written:
        if marker.must_exist:
            (tmp_path / key).rmdir()
            with pytest.raises(ConfigError, match=f"path does not exist: {re.escape(key)}"):
                validate_config(data)
            (tmp_path / key).mkdir()
