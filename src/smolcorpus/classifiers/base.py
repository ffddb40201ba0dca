"""The classifier contract and its self-describing model folder.

A classifier turns texts into float scores: the expected grade (0–5) for graded labels, or the probability of
the positive class for binary labels. `int_scores` turns those into the `<name>_int_score` values pipelines
filter on (FineWeb-Edu's `round(clamp(score, 0, 5))`).

A model folder holds `config.json` (format version, kind, name, label kind and threshold, encoder, pooling, max
length, training-data hash, metrics) and the weights in a pickle-free file (fastText's `.bin`, or `head.npz`).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from smolcorpus import __version__
from smolcorpus.errors import SmolcorpusError

MODEL_FORMAT = "smolcorpus.classifier.v1"
CONFIG_NAME = "config.json"
MAX_GRADE = 5


class ModelFolderError(SmolcorpusError):
    """A model folder is missing, incomplete, or written by an incompatible version."""


def int_scores(scores: np.ndarray, label_kind: str) -> np.ndarray:
    """Graded: round(clip(score, 0, 5)); binary: 1 if P(positive) ≥ 0.5."""
    if label_kind == "binary":
        return (np.asarray(scores) >= 0.5).astype(int)
    return np.rint(np.clip(scores, 0, MAX_GRADE)).astype(int)


class Classifier(ABC):
    """A trained classifier loaded from its folder. Subclasses implement `score` and `save_weights`."""

    kind: str = ""

    def __init__(self, config: dict[str, Any]):
        self.config = config

    @property
    def name(self) -> str:
        return self.config["name"]

    @property
    def label_kind(self) -> str:
        return self.config["labels"]["kind"]

    @property
    def threshold(self) -> float:
        return self.config["labels"]["threshold"]

    @property
    def truncated(self) -> int:
        """Texts cut to the model's maximum input length so far (0 for models without one)."""
        return 0

    @abstractmethod
    def score(self, texts: list[str]) -> np.ndarray:
        """Float scores, one per text (expected grade, or P(positive) for binary labels)."""

    def score_labeled(self, data) -> np.ndarray:
        """Scores of a labelled set (evaluation); subclasses may reuse cached work keyed by the data hash."""
        return self.score(data.texts)

    def int_scores(self, scores: np.ndarray) -> np.ndarray:
        return int_scores(scores, self.label_kind)

    def save(self, folder: str | Path, metrics: dict | None = None) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.save_weights(folder)
        config = {**self.config, "metrics": metrics if metrics is not None else self.config.get("metrics", {})}
        (folder / CONFIG_NAME).write_text(json.dumps(config, indent=2))
        return folder

    @abstractmethod
    def save_weights(self, folder: Path) -> None: ...


def base_config(kind: str, name: str, label_kind: str, threshold: float, data_sha256: str, **extra) -> dict:
    return {
        "format": MODEL_FORMAT,
        "kind": kind,
        "name": name,
        "labels": {"kind": label_kind, "threshold": threshold},
        "training_data_sha256": data_sha256,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "smolcorpus_version": __version__,
        **extra,
    }


def read_model_config(folder: str | Path) -> dict:
    """The config of a classifier folder written by `classifier train`, or of a transformers sequence-classification
    model (a folder or a Hub id: the published FineWeb-Edu/FineMath/Stack-Edu classifiers)."""
    from smolcorpus.classifiers.transformers_classifier import read_transformers_config

    published = read_transformers_config(str(folder))
    if published is not None:
        return published
    path = Path(folder) / CONFIG_NAME
    if not path.is_file():
        raise ModelFolderError(f"{folder} is not a classifier folder: no {CONFIG_NAME}")
    config = json.loads(path.read_text())
    if config.get("format") != MODEL_FORMAT:
        raise ModelFolderError(
            f"{path}: format {config.get('format')!r} is not {MODEL_FORMAT!r} (written by smolcorpus "
            f"{config.get('smolcorpus_version', 'unknown')}); retrain it with this version"
        )
    return config


def load_classifier(folder: str | Path, **options) -> Classifier:
    """Load any classifier folder written by `smolcorpus classifier train` (no pickle involved), or a transformers
    sequence-classification model (`options`: device and dtype for encoder-based kinds; max_length and
    batch_tokens for transformers classifiers)."""
    from smolcorpus.classifiers.kinds import KINDS

    config = read_model_config(folder)
    if config["kind"] not in KINDS:
        raise ModelFolderError(f"{folder}: unknown classifier kind {config['kind']!r}")
    return KINDS[config["kind"]].load(folder, config, **options)
