"""The demo's educational classifiers: label a set by a rule (`demo/labels.py`), hold out a test split, train
fastText and evaluate it next to the baselines through the functions `smolcorpus classifier train --kind fasttext`
and `smolcorpus classifier evaluate` call; the demo's runs then score with the model folder.

Under `<root>` (the demo's `classifiers/`), per classifier name:
  labels/<name>/train.parquet, test.parquet   the labelled rows (`id`, `text`, `score`), split 75/25 by grade
  models/<name>/                              the model folder (`classifier train --output`)
  evaluation/<name>/                          metrics.json and plots on the test split (`classifier evaluate --report`)
A rerun reuses a classifier whose evaluation plots exist (written last).

Each classifier is built in a process of its own, in the background: the demo starts them first and collects them
before its runs need them, so training overlaps the demo's other work. fastText trains on one thread with a fixed
seed, each training in a fresh process (`fasttext_classifier._train_supervised`), so the demo's models, and so its
scores, are the same on every run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path

import numpy as np

TEST_FRACTION = 0.25
SPLIT_SEED = 0
EVALUATION_FOLDS = 5  # `classifier evaluate --folds` default: the baselines' cross-validation on the test split
LAST_WRITTEN = "score_histogram.png"  # `evaluate` writes metrics.json, then the two plots
# `classifier train --config` settings: a few hundred examples fill far fewer than fastText's 200 000 n-gram
# buckets; 20 000 keep a model folder at ≈ 10 MB instead of ≈ 80 MB, with the same held-out ROC-AUC (±0.01)
FASTTEXT_SETTINGS = {"bucket": 20_000}
BASELINE_NAMES = {"tfidf": "TF-IDF", "length": "length", "constant": "constant"}  # as the summary names them


@dataclass
class DemoClassifier:
    """A trained and evaluated demo classifier; `metrics` is `evaluate`'s dict on the held-out test split."""

    name: str
    model_dir: Path
    evaluation_dir: Path
    train_examples: int
    test_examples: int
    metrics: dict


def write_split(rows: list[dict], folder: Path, test_fraction: float = TEST_FRACTION, seed: int = SPLIT_SEED) -> None:
    """`train.parquet` and `test.parquet` in `folder`: `rows` (`id`, `text`, `score`) split stratified by grade
    (`LabeledData.split`, as `classifier train` splits off its validation set)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from smolcorpus.classifiers.labels import LabeledData

    data = LabeledData([r["id"] for r in rows], [r["text"] for r in rows],
                       np.array([r["score"] for r in rows], dtype=np.float64), "graded")  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    for split, part in zip(("train", "test"), data.split(test_fraction, seed), strict=True):
        table = pa.table({"id": part.ids, "text": part.texts, "score": part.scores})
        pq.write_table(table, folder / f"{split}.parquet")


def _folders(root: Path, name: str) -> tuple[Path, Path, Path]:
    """(labels, model, evaluation) folders of classifier `name`."""
    return root / "labels" / name, root / "models" / name, root / "evaluation" / name


def build_classifier(root: Path, name: str, label_rows: Callable[[], list[dict]]) -> None:
    """Label (`label_rows()`), split, train and evaluate classifier `name` under `root`, as the CLI would."""
    from smolcorpus.classifiers.base import load_classifier
    from smolcorpus.classifiers.evaluate import evaluate
    from smolcorpus.classifiers.labels import load_labels
    from smolcorpus.classifiers.train import train_classifier, training_params

    labels, model_dir, evaluation_dir = _folders(root, name)
    write_split(label_rows(), labels)
    # what `classifier train --kind fasttext --data train.parquet --output models/<name> --config` runs, with
    # FASTTEXT_SETTINGS in that --config file
    params = training_params("fasttext", None, dict(FASTTEXT_SETTINGS))
    train_classifier("fasttext", load_labels(str(labels / "train.parquet")), model_dir, name, params)
    # what `classifier evaluate models/<name> --data test.parquet --report evaluation/<name>` runs
    evaluate(load_classifier(model_dir), load_labels(str(labels / "test.parquet")), evaluation_dir,
             folds=EVALUATION_FOLDS)  # fmt: skip


@dataclass
class ClassifierBuilds:
    """Demo classifiers being built in the background (`start_builds`); `finish()` waits for them."""

    root: Path
    names: list[str]
    processes: dict[str, BaseProcess]

    def finish(self) -> dict[str, DemoClassifier]:
        """name → classifier, once every build has ended; a failed build raises (its traceback is on stderr)."""
        for name, process in self.processes.items():
            process.join()
            if process.exitcode != 0:
                raise RuntimeError(f"building demo classifier {name} in {self.root} failed (exit {process.exitcode})")
        return {name: read_classifier(self.root, name) for name in self.names}


def start_builds(root: Path, label_sets: dict[str, Callable[[], list[dict]]]) -> ClassifierBuilds:
    """Start building, each in a fresh process of its own, every classifier of `label_sets` (name → labelling
    function) that `root` does not hold finished yet. The values must be module-level functions: a spawned process
    imports them by name."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    processes = {}
    for name, label_rows in label_sets.items():
        if not (_folders(root, name)[2] / LAST_WRITTEN).is_file():
            # daemon: a demo that stops (an error, Ctrl-C) takes its builds with it
            processes[name] = context.Process(target=build_classifier, args=(root, name, label_rows), daemon=True)
            processes[name].start()
    return ClassifierBuilds(root, list(label_sets), processes)


def read_classifier(root: Path, name: str) -> DemoClassifier:
    """A built classifier's folders, example counts and held-out metrics."""
    import json

    import pyarrow.parquet as pq

    labels, model_dir, evaluation_dir = _folders(root, name)
    metrics = json.loads((evaluation_dir / "metrics.json").read_text())
    rows = {split: pq.ParquetFile(labels / f"{split}.parquet").metadata.num_rows for split in ("train", "test")}
    return DemoClassifier(name, model_dir, evaluation_dir, rows["train"], rows["test"], metrics)


def comparison(metrics: dict, key: str = "f1") -> str:
    """`fastText 0.81, TF-IDF 0.78, length 0.52, constant 0.00`: the model and its baselines on one headline key
    (`f1`: F1 of grade ≥ the model's threshold; `roc_auc`; `mse`)."""
    numbers = [("fastText", metrics["headline"][key])]
    numbers += [(label, metrics["baselines"][name][key]) for name, label in BASELINE_NAMES.items()]
    return ", ".join(f"{label} {'n/a' if value is None else f'{value:.2f}'}" for label, value in numbers)
