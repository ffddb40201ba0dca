"""The classifier contract: int scores, the self-describing model folder, and loading any saved kind."""

import json

import numpy as np
import pytest

from smolcorpus import __version__
from smolcorpus.classifiers.base import (
    CONFIG_NAME,
    MODEL_FORMAT,
    Classifier,
    ModelFolderError,
    base_config,
    int_scores,
    load_classifier,
    read_model_config,
)
from smolcorpus.errors import SmolcorpusError


class Length(Classifier):
    """A classifier whose score is the text's length in words (its weights: one number)."""

    kind = "length"

    def score(self, texts):
        return np.array([len(t.split()) for t in texts], dtype=float)

    def save_weights(self, folder):
        (folder / "weights.txt").write_text("1")


def test_int_scores_round_clamped_grades_or_threshold_probabilities():
    grades = np.array([-0.7, 0.49, 0.5, 2.51, 4.6, 7.0])
    assert int_scores(grades, "graded").tolist() == [0, 0, 0, 3, 5, 5]  # FineWeb-Edu's round(clamp(score, 0, 5))
    assert int_scores(np.array([0.0, 0.49, 0.5, 1.0]), "binary").tolist() == [0, 0, 1, 1]


def test_base_config_describes_the_model():
    config = base_config("linear", "edu", "graded", 3, "ab" * 32, encoder="x")
    assert config["format"] == MODEL_FORMAT and config["smolcorpus_version"] == __version__
    assert (config["kind"], config["name"], config["labels"]) == ("linear", "edu", {"kind": "graded", "threshold": 3})
    assert config["training_data_sha256"] == "ab" * 32 and config["encoder"] == "x"
    assert config["created_at"].endswith("+00:00")  # UTC


def test_save_writes_weights_and_config_with_metrics(tmp_path):
    model = Length({**base_config("length", "words", "binary", 0.5, "0" * 64), "metrics": {"old": 1}})
    assert (model.name, model.label_kind, model.threshold, model.truncated) == ("words", "binary", 0.5, 0)
    assert model.score_labeled(type("Data", (), {"texts": ["a b", "c"]})()).tolist() == [2.0, 1.0]
    assert model.int_scores(np.array([0.2, 0.7])).tolist() == [0, 1]
    folder = model.save(tmp_path / "m" / "words", metrics={"f1": 0.9})
    assert (folder / "weights.txt").is_file()
    saved = json.loads((folder / CONFIG_NAME).read_text())
    assert saved["metrics"] == {"f1": 0.9} and saved["name"] == "words"
    assert read_model_config(folder) == saved
    model.save(tmp_path / "again")  # no new metrics: the config's own are kept
    assert json.loads((tmp_path / "again" / CONFIG_NAME).read_text())["metrics"] == {"old": 1}


def test_bad_folders_are_clear_errors(tmp_path):
    with pytest.raises(ModelFolderError, match="is not a classifier folder: no config.json"):
        read_model_config(tmp_path)
    (tmp_path / CONFIG_NAME).write_text(json.dumps({"format": "other", "smolcorpus_version": "0.0.1"}))
    with pytest.raises(ModelFolderError, match=r"format 'other' is not .*written by smolcorpus 0\.0\.1"):
        load_classifier(tmp_path)
    Length(base_config("length", "words", "binary", 0.5, "0" * 64)).save(tmp_path)
    with pytest.raises(ModelFolderError, match="unknown classifier kind 'length'"):
        load_classifier(tmp_path)
    assert issubclass(ModelFolderError, SmolcorpusError)  # the CLI prints it as one line, exit 2
