"""The one table of classifier kinds: each entry names a real class of that kind, trainable kinds name their
parameters and flags, and training, loading and the CLI all go through it."""

import dataclasses
import json
import re

import pytest

from smolcorpus.classifiers.base import Classifier, load_classifier
from smolcorpus.classifiers.kinds import KINDS, TRAINABLE, trainable_kind
from smolcorpus.classifiers.labels import load_labels
from smolcorpus.classifiers.train import train_classifier, training_params
from smolcorpus.cli import build_parser
from smolcorpus.errors import ConfigError


def test_each_entry_names_its_class_parameters_and_flags():
    for name, kind in KINDS.items():
        cls = kind.classifier_class()
        assert issubclass(cls, Classifier) and cls.kind == name
        assert callable(cls.load)
        if name in TRAINABLE:
            fields = {field.name for field in dataclasses.fields(kind.params_class())}
            assert "threshold" in fields and set(kind.train_flags) <= fields
            assert callable(cls.train)
        assert kind.summary  # what `classifier train --help` says of it
    assert "linear" in TRAINABLE and "transformers" not in TRAINABLE  # published models are used, not trained


def test_unknown_or_untrainable_kinds_are_config_errors():
    for name in ("svm", "transformers"):
        with pytest.raises(ConfigError, match=re.escape(f"classifier kind must be one of {sorted(TRAINABLE)}")):
            trainable_kind(name)


def test_the_cli_offers_the_trainable_kinds():
    train = build_parser().parse_args(["classifier", "train", "--data", "d", "--output", "o"])
    assert train.kind == "linear"
    for name in TRAINABLE:
        assert build_parser().parse_args(["classifier", "train", "--kind", name, "--data", "d", "--output", "o"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["classifier", "train", "--kind", "transformers", "--data", "d", "--output", "o"])


def test_a_trained_folder_loads_as_its_kind_and_ignores_options_it_does_not_take(code_labels, tmp_path):
    _, data = load_labels(str(code_labels)).split(0.5, 1)
    train_classifier("fasttext", data, tmp_path / "ft", "code_ft", training_params("fasttext", None, {}), 0)
    assert json.loads((tmp_path / "ft" / "config.json").read_text())["kind"] == "fasttext"
    # the scoring step passes device and dtype to every kind; only the torch kinds take them
    loaded = load_classifier(tmp_path / "ft", device="cpu", dtype="bfloat16")
    assert loaded.kind == "fasttext" and len(loaded.score(data.texts[:3])) == 3
