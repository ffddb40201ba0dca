"""fastText classifiers: supervised, either one class per grade or binary at a threshold.

Texts are lower-cased and their whitespace collapsed to single spaces first: fastText reads one example per line
and splits tokens on whitespace, so newlines must not survive. Training data goes through a temporary file
(fastText's only input). Defaults are fastText's supervised-tutorial settings (word bigrams, 25 epochs, lr 0.5-1),
which train well from a few hundred to a few hundred thousand labels. The cosmopedia math recall classifier used
dim 256, 3-grams, 3 epochs, lr 0.1 on 1M examples; on small sets those settings underfit (AUC 0.55 on our
math-vs-not test pages, against 1.0 with the defaults below).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from datatrove.utils.logging import logger

from smolcorpus.classifiers.base import Classifier, base_config
from smolcorpus.classifiers.labels import LabeledData

MODEL_FILE = "model.bin"


def normalize_text(text: str) -> str:
    """Lower-case, on one line: the characters fastText splits words on become spaces, so a newline cannot end the
    example early (runs of spaces are harmless: fastText skips empty words). Chained `str.replace` is ~3x faster
    than split/join on 4 KB texts, which matters next to fastText's own ~100 µs per document."""
    return (
        text.lower().replace("\n", " ").replace("\r", " ").replace("\t", " ").replace("\v", " ").replace("\f", " ")
        .replace("\0", " ")
    )  # fmt: skip


@dataclass
class FastTextParams:
    """Training settings. `mode`: 'grades' (one class per integer grade) or 'binary' (grade ≥ threshold)."""

    mode: str = "grades"
    threshold: float = 3.0
    dim: int = 100
    epoch: int = 25
    lr: float = 0.5
    word_ngrams: int = 2
    min_count: int = 1
    bucket: int = 200_000  # n-gram hash buckets; fastText's 2M makes a 800 MB model at dim 100
    seed: int = 0


def _train_supervised(path: str, params: FastTextParams):
    """Train on the examples of `path` in a fresh Python process and load the model here. fasttext-numpy2-wheel
    0.9.2 is reproducible only for the first training in a process: a later one reads memory an earlier one left
    behind (the same data and seed gave other weights, or "Encountered NaN" even at lr 0.1), so a library user or a
    test session that trains twice would get a model that depends on what ran before. `params.lr` ends as the rate
    that trained (see `_train_here`)."""
    import fasttext

    with tempfile.TemporaryDirectory(prefix="smolcorpus-fasttext-") as folder:
        model_path, answer_path = Path(folder) / MODEL_FILE, Path(folder) / "answer.json"
        request = {"input": path, "output": str(model_path), "answer": str(answer_path), "params": asdict(params)}
        child = subprocess.run([sys.executable, "-m", __name__], input=json.dumps(request), capture_output=True,
                               text=True, check=False)  # fmt: skip
        if child.returncode != 0:
            raise RuntimeError(f"fastText training failed: {child.stderr.strip()[-2000:]}")
        answer = json.loads(answer_path.read_text())
        for warning in answer["warnings"]:
            logger.warning(warning)
        params.lr = answer["lr"]
        return fasttext.load_model(str(model_path))


def _train_here(path: str, params: FastTextParams) -> tuple[object, list[str]]:
    """fastText's SGD can diverge ("Encountered NaN") when the learning rate is high for the data; halve it and
    retry (at most 3 times) rather than fail a long run. Returns the model and a warning per retry; `params.lr` ends
    as the rate that trained. Run only as the first training of a process (`_train_supervised`)."""
    import fasttext

    warnings = []
    for _ in range(4):
        try:
            model = fasttext.train_supervised(
                input=path,
                dim=params.dim,
                epoch=params.epoch,
                lr=params.lr,
                wordNgrams=params.word_ngrams,
                minCount=params.min_count,
                bucket=params.bucket,
                seed=params.seed,
                thread=1,  # one thread: the same weights for the same data and seed
                verbose=0,
            )
            return model, warnings
        except RuntimeError as e:
            if "NaN" not in str(e):
                raise
            warnings.append(f"fastText diverged at lr={params.lr}; retrying at lr={params.lr / 2}")
            params.lr /= 2
    raise RuntimeError(f"fastText training diverged even at lr={params.lr * 2}")


def _training_process() -> None:
    """The fresh process of `_train_supervised`: a JSON request on stdin (input, output, answer, params), the model
    saved to `output`, and the rate that trained and the retries' warnings written as JSON to `answer` (a file, so
    that nothing an import prints can spoil it)."""
    request = json.loads(sys.stdin.read())
    params = FastTextParams(**request["params"])
    model, warnings = _train_here(request["input"], params)
    model.save_model(request["output"])
    Path(request["answer"]).write_text(json.dumps({"lr": params.lr, "warnings": warnings}))


class FastTextClassifier(Classifier):
    kind = "fasttext"

    def __init__(self, config: dict, model):
        super().__init__(config)
        self.model = model
        labels = [label.removeprefix("__label__") for label in model.get_labels()]
        self._label_values = {f"__label__{label}": float(label) for label in labels}

    @classmethod
    def train(cls, data: LabeledData, name: str, params: FastTextParams) -> FastTextClassifier:
        if data.kind == "binary":
            params.mode, params.threshold = "binary", 1.0
        targets = (data.scores >= params.threshold).astype(int) if params.mode == "binary" else data.int_labels()
        with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as f:
            for text, target in zip(data.texts, targets, strict=True):
                f.write(f"__label__{target} {normalize_text(text)}\n")
            f.flush()
            model = _train_supervised(f.name, params)
        label_kind = "binary" if params.mode == "binary" else "graded"
        config = base_config(
            "fasttext", name, label_kind, params.threshold, data.sha256(), fasttext=asdict(params),
            trained_on=data.kind,
        )  # fmt: skip
        return cls(config, model)

    @classmethod
    def load(cls, folder: Path, config: dict) -> FastTextClassifier:
        import fasttext

        return cls(config, fasttext.load_model(str(folder / MODEL_FILE)))

    def save_weights(self, folder: Path) -> None:
        self.model.save_model(str(folder / MODEL_FILE))

    def score(self, texts: list[str]) -> np.ndarray:
        """Expected grade (grades mode) or P(grade ≥ threshold) (binary mode), from all label probabilities."""
        labels, probabilities = self.model.predict([normalize_text(t) for t in texts], k=-1)
        scores = np.empty(len(texts), dtype=np.float64)
        for i, (row_labels, row_probs) in enumerate(zip(labels, probabilities, strict=True)):
            values = np.fromiter((self._label_values[label] for label in row_labels), dtype=np.float64)
            probs = np.asarray(row_probs, dtype=np.float64)
            if self.label_kind == "binary":
                scores[i] = float(probs[values == 1.0].sum())
            else:
                scores[i] = float((values * probs).sum() / max(probs.sum(), 1e-12))
        return scores


if __name__ == "__main__":
    _training_process()
