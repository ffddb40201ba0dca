"""Frozen-encoder classifiers: embeddings from a transformers encoder, and a scikit-learn head trained on them.

This is the FineWeb-Edu recipe (frozen encoder, regression head on the 0–5 grade) with the head trained by
scikit-learn instead of a torch loop. Heads: ridge regression on the grade (default), or logistic regression
(one class per grade, or binary). The fitted head is stored as plain arrays in `head.npz` and applied with numpy,
so loading a model never unpickles anything.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from smolcorpus.classifiers.base import Classifier, base_config
from smolcorpus.classifiers.encoder import Encoder
from smolcorpus.classifiers.labels import LabeledData

HEAD_FILE = "head.npz"


@dataclass
class EmbeddingParams:
    """`head`: 'ridge' (regression on the grade) or 'logistic'. `alpha`: ridge L2; `c`: logistic inverse L2.

    `c` defaults to 10, not scikit-learn's 1: unit-norm sentence embeddings have tiny per-feature values, and
    with C=1 the logistic head underfits (on the math-vs-not test set it answered "not math" for every page).
    """

    encoder: str | None = None
    pooling: str | None = None
    max_length: int | None = None  # None: the encoder's own (256 for all-MiniLM-L6-v2)
    head: str = "ridge"
    alpha: float = 1.0
    c: float = 10.0
    threshold: float = 3.0
    batch_size: int = 32
    device: str = "auto"  # where the encoder runs while training: auto (a GPU when torch sees one), cpu, cuda[:N]


class EmbeddingClassifier(Classifier):
    kind = "embedding"

    def __init__(self, config: dict, coef: np.ndarray, intercept: np.ndarray, classes: np.ndarray, encoder=None,
                 device: str = "auto", dtype: str = "float32"):  # fmt: skip
        super().__init__(config)
        self.device, self.dtype = device, dtype
        self.coef = coef
        self.intercept = intercept
        self.classes = classes
        self._encoder = encoder

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            e = self.config["encoder"]
            self._encoder = Encoder(e["source"], pooling=e["pooling"], max_length=e["max_length"],
                                    normalize=e["normalize"], device=self.device, dtype=self.dtype)  # fmt: skip
        return self._encoder

    @property
    def truncated(self) -> int:
        return self._encoder.truncated if self._encoder is not None else 0

    @classmethod
    def train(cls, data: LabeledData, name: str, params: EmbeddingParams) -> EmbeddingClassifier:
        encoder = Encoder(params.encoder, pooling=params.pooling, max_length=params.max_length, device=params.device)
        features = encoder.embed_cached(data.texts, data.sha256(), params.batch_size)
        coef, intercept, classes = fit_head(features, data, params)
        settings = {**encoder.settings(), "source": params.encoder or encoder.source}
        config = base_config(
            "embedding", name, "binary" if data.kind == "binary" else "graded",
            1.0 if data.kind == "binary" else params.threshold, data.sha256(),
            encoder=settings, head={"kind": params.head, **{k: v for k, v in asdict(params).items()
                                                           if k in ("alpha", "c")}},
        )  # fmt: skip
        return cls(config, coef, intercept, classes, encoder)

    @classmethod
    def load(cls, folder: Path, config: dict, device: str = "auto", dtype: str = "float32") -> EmbeddingClassifier:
        """`device`/`dtype`: where and in which precision the encoder runs (see `Encoder`)."""
        with np.load(folder / HEAD_FILE, allow_pickle=False) as head:
            return cls(config, head["coef"], head["intercept"], head["classes"], device=device, dtype=dtype)

    def save_weights(self, folder: Path) -> None:
        np.savez(folder / HEAD_FILE, coef=self.coef, intercept=self.intercept, classes=self.classes)

    def score(self, texts: list[str]) -> np.ndarray:
        return self.score_embeddings(self.encoder.embed(texts, self.config.get("batch_size", 32)))

    def score_labeled(self, data: LabeledData) -> np.ndarray:
        """Evaluation reuses the on-disk embedding cache (same data, same encoder settings: no re-encoding)."""
        return self.score_embeddings(self.encoder.embed_cached(data.texts, data.sha256()))

    def score_embeddings(self, features: np.ndarray) -> np.ndarray:
        return apply_head(features, self.coef, self.intercept, self.classes, self.config["head"]["kind"],
                          self.label_kind)  # fmt: skip


def fit_head(features: np.ndarray, data: LabeledData, params: EmbeddingParams):
    """Fit the scikit-learn head; return its parameters as arrays (coef, intercept, classes)."""
    if params.head == "ridge":
        from sklearn.linear_model import Ridge

        model = Ridge(alpha=params.alpha).fit(features, data.scores)
        return np.atleast_2d(model.coef_), np.atleast_1d(model.intercept_), np.array([], dtype=np.float64)
    if params.head == "logistic":
        from sklearn.linear_model import LogisticRegression

        labels = data.int_labels()
        model = LogisticRegression(C=params.c, max_iter=2000).fit(features, labels)
        return model.coef_, model.intercept_, model.classes_.astype(np.float64)
    raise ValueError(f"head must be 'ridge' or 'logistic', not {params.head!r}")


def apply_head(features, coef, intercept, classes, head: str, label_kind: str) -> np.ndarray:
    """The head's prediction with numpy: the grade (ridge), or the expected grade / P(positive) (logistic)."""
    logits = features @ coef.T + intercept
    if head == "ridge":
        return logits[:, 0].astype(np.float64)
    if logits.shape[1] == 1:  # scikit-learn's binary logistic model has one column, for classes[1]
        positive = 1.0 / (1.0 + np.exp(-logits[:, 0]))
        probabilities = np.stack([1 - positive, positive], axis=1)
    else:
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    if label_kind == "binary":
        return probabilities[:, list(classes).index(1.0)] if 1.0 in classes else np.zeros(len(features))
    return probabilities @ classes
