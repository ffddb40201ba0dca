"""Train a classifier on labelled data: hold out a stratified validation split, fit, evaluate, save the folder."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml

from smolcorpus.classifiers.base import Classifier
from smolcorpus.classifiers.evaluate import evaluate
from smolcorpus.classifiers.kinds import trainable_kind
from smolcorpus.classifiers.labels import LabeledData
from smolcorpus.errors import ConfigError


def training_params(kind: str, config_file: str | None, overrides: dict) -> Any:
    """Defaults ← YAML file ← CLI flags, into the dataclass of the classifier kind (`kinds.KINDS`); unknown keys
    are errors."""
    params_class = trainable_kind(kind).params_class()
    values = {}
    if config_file:
        values = yaml.safe_load(Path(config_file).read_text()) or {}
    values.update({k: v for k, v in overrides.items() if v is not None})
    allowed = {f.name for f in dataclasses.fields(params_class)}
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ConfigError(f"{config_file or 'flags'}: unknown {kind} setting(s) {unknown}; allowed: {sorted(allowed)}")
    return params_class(**values)


def train_classifier(
    kind: str,
    data: LabeledData,
    output: str | Path,
    name: str,
    params: Any,
    validation_fraction: float = 0.1,
    seed: int = 42,
) -> tuple[Classifier, dict]:
    """Fit on the training split, write `config.json` with the validation metrics; return (classifier, metrics)."""
    trainer = trainable_kind(kind)
    train, validation = data.split(validation_fraction, seed) if validation_fraction > 0 else (data, None)
    classifier = trainer.train(train, name, params)
    metrics = {"train_examples": len(train), "skipped_labels": data.skipped}
    if validation is not None and len(validation):
        # baselines fitted on the same training split and scored on the same validation split as the model
        metrics["validation"] = evaluate(classifier, validation, baseline_train=train)
    classifier.save(output, metrics=metrics)
    return classifier, metrics
