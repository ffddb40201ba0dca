"""Train a classifier on labelled data: hold out a stratified validation split, fit, evaluate, save the folder."""

from __future__ import annotations

from pathlib import Path

from smolcorpus.classifiers.base import Classifier
from smolcorpus.classifiers.embedding import EmbeddingClassifier, EmbeddingParams
from smolcorpus.classifiers.evaluate import evaluate
from smolcorpus.classifiers.fasttext_classifier import FastTextClassifier, FastTextParams
from smolcorpus.classifiers.labels import LabeledData


def train_classifier(
    kind: str,
    data: LabeledData,
    output: str | Path,
    name: str,
    params: FastTextParams | EmbeddingParams,
    validation_fraction: float = 0.1,
    seed: int = 42,
) -> tuple[Classifier, dict]:
    """Fit on the training split, write `config.json` with the validation metrics; return (classifier, metrics)."""
    train, validation = data.split(validation_fraction, seed) if validation_fraction > 0 else (data, None)
    if kind == "fasttext":
        classifier = FastTextClassifier.train(train, name, params)
    elif kind == "embedding":
        classifier = EmbeddingClassifier.train(train, name, params)
    else:
        raise ValueError(f"classifier kind must be 'fasttext' or 'embedding', not {kind!r}")
    metrics = {"train_examples": len(train), "skipped_labels": data.skipped}
    if validation is not None and len(validation):
        metrics["validation"] = evaluate(classifier, validation)
    classifier.save(output, metrics=metrics)
    return classifier, metrics
