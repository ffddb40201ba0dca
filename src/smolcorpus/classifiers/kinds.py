"""The classifier kinds, in one table: a kind's name → the class that implements it, its training parameters and
the options its loader takes. Training (`train.py`), loading (`base.load_classifier`), the scoring step and the
`classifier train` command read this table, so a new kind is its module plus one entry here.

The table names modules and classes instead of importing them: fastText, torch and transformers take seconds to
import and are needed only by a run that meets their kind.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smolcorpus.errors import ConfigError

if TYPE_CHECKING:
    from smolcorpus.classifiers.base import Classifier
    from smolcorpus.classifiers.labels import LabeledData


@dataclass(frozen=True)
class ClassifierKind:
    """One kind of classifier.

    Attributes:
        name: the kind, as a model folder's `config.json` and `classifier train --kind` name it.
        module / class_name: where its `Classifier` subclass lives (`smolcorpus.classifiers.<module>`); the class
            has `load(folder, config, **options)` and, if trainable, `train(data, name, params)`.
        params_name: its training parameters' dataclass in that module; None: not trained here (published models).
        train_flags: the training parameters `classifier train` has a flag of the same name for (besides
            `--threshold`, which every trainable kind takes).
        load_options: the options its loader takes (`device`, `dtype`: the kinds that run a torch model).
        summary: what it is, for `classifier train --help`.
    """

    name: str
    module: str
    class_name: str
    params_name: str | None = None
    train_flags: tuple[str, ...] = ()
    load_options: tuple[str, ...] = ()
    summary: str = ""

    def _module(self) -> Any:
        return importlib.import_module(f"smolcorpus.classifiers.{self.module}")

    def classifier_class(self) -> type[Classifier]:
        return getattr(self._module(), self.class_name)

    def params_class(self) -> type:
        """The training parameters' dataclass (of a trainable kind)."""
        return getattr(self._module(), self.params_name)

    def train(self, data: LabeledData, name: str, params: Any) -> Classifier:
        return self.classifier_class().train(data, name, params)

    def load(self, folder: str | Path, config: dict, **options) -> Classifier:
        """The classifier saved in `folder`; options this kind does not take are left out."""
        taken = {key: value for key, value in options.items() if key in self.load_options}
        return self.classifier_class().load(Path(folder), config, **taken)


_TORCH = ("device", "dtype")
_ALL = (
    ClassifierKind(
        "linear", "linear", "LinearClassifier", "LinearParams",
        summary="TF-IDF word+character n-grams and length, regularisation chosen by cross-validation (the most "
        "accurate on our real labels)",
    ),
    ClassifierKind(
        "fasttext", "fasttext_classifier", "FastTextClassifier", "FastTextParams", train_flags=("mode",),
        summary="~50x faster scoring",
    ),
    ClassifierKind(
        "embedding", "embedding", "EmbeddingClassifier", "EmbeddingParams",
        train_flags=("encoder", "pooling", "max_length", "head"), load_options=_TORCH,
        summary="frozen encoder + scikit-learn head",
    ),
    ClassifierKind(
        "transformers", "transformers_classifier", "TransformersClassifier",
        load_options=(*_TORCH, "max_length", "batch_tokens"),
        summary="a published sequence-classification model (FineWeb-Edu's, FineMath's), used as it is",
    ),
)  # fmt: skip
KINDS: dict[str, ClassifierKind] = {kind.name: kind for kind in _ALL}
TRAINABLE = [name for name, kind in KINDS.items() if kind.params_name is not None]


def trainable_kind(name: str) -> ClassifierKind:
    """The kind called `name`, which `classifier train` trains (a ConfigError naming those otherwise)."""
    if name not in TRAINABLE:
        raise ConfigError(f"classifier kind must be one of {sorted(TRAINABLE)}, not {name!r}")
    return KINDS[name]
