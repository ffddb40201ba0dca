"""`config/loader.py`: a YAML file becomes a validated config, or an error naming the file, key and line."""

import pytest

from smolcorpus.config import load_config
from smolcorpus.errors import ConfigError
from tests.config.conftest import write
from tests.conftest import run_measured


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


def test_missing_required_key(tmp_path, valid_text):
    path = write(tmp_path, valid_text.replace(f"output_dir: {tmp_path / 'out'}\n", ""))
    with pytest.raises(ConfigError, match="output_dir: required key is missing"):
        load_config(path)


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
