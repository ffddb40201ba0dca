"""`classifier train`'s parameters (defaults ← YAML ← flags) and the training call (validation split, folder)."""

import json

import pytest

from smolcorpus.classifiers.embedding import EmbeddingParams
from smolcorpus.classifiers.fasttext_classifier import FastTextParams
from smolcorpus.classifiers.kinds import KINDS, TRAINABLE
from smolcorpus.classifiers.labels import load_labels
from smolcorpus.classifiers.linear import LinearParams
from smolcorpus.classifiers.train import train_classifier, training_params
from smolcorpus.errors import ConfigError


def test_every_kind_has_its_parameters():
    expected = {"linear": LinearParams, "fasttext": FastTextParams, "embedding": EmbeddingParams}
    assert set(expected) <= set(TRAINABLE) and all(KINDS[k].params_class() is v for k, v in expected.items())
    assert training_params("linear", None, {}) == LinearParams()


def test_flags_override_the_file_which_overrides_the_defaults(tmp_path):
    config = tmp_path / "hp.yaml"
    config.write_text("threshold: 2\nmode: binary\n")
    params = training_params("fasttext", str(config), {"threshold": 4, "mode": None})  # an unset flag is no override
    assert params == FastTextParams(threshold=4, mode="binary")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert training_params("fasttext", str(empty), {}) == FastTextParams()


def test_unknown_settings_and_kinds_are_config_errors(tmp_path):
    config = tmp_path / "hp.yaml"
    config.write_text("epochs: 3\n")
    with pytest.raises(ConfigError, match=r"hp.yaml: unknown fasttext setting\(s\) \['epochs'\]; allowed: "):
        training_params("fasttext", str(config), {})
    with pytest.raises(ConfigError, match=r"flags: unknown linear setting\(s\) \['head'\]"):
        training_params("linear", None, {"head": "ridge"})
    with pytest.raises(ConfigError, match="classifier kind must be one of"):
        training_params("svm", None, {})


def test_train_holds_out_validation_and_writes_the_folder(code_labels, tmp_path):
    _, data = load_labels(str(code_labels)).split(0.5, 1)  # half of the files: fast enough
    params = training_params("fasttext", None, {"threshold": 3})
    _, metrics = train_classifier("fasttext", data, tmp_path / "ft", "code_ft", params, validation_fraction=0.2)
    assert metrics["train_examples"] + metrics["validation"]["n"] == len(data)
    assert abs(metrics["validation"]["n"] - 0.2 * len(data)) <= 3
    assert "baselines" in metrics["validation"]  # fitted on the same training split
    saved = json.loads((tmp_path / "ft" / "config.json").read_text())
    assert saved["kind"] == "fasttext" and saved["name"] == "code_ft" and saved["metrics"] == metrics
    with pytest.raises(ValueError, match="classifier kind must be one of"):
        train_classifier("svm", data, tmp_path / "svm", "x", params, validation_fraction=0)
    assert not (tmp_path / "svm").exists()
