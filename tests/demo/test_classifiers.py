"""The demo's classifier builds: labelled split, fastText model and held-out evaluation as the CLI makes them,
the same model on every build, a finished build reused, a failed one reported."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from smolcorpus.classifiers.base import load_classifier
from smolcorpus.demo.classifiers import (
    FASTTEXT_SETTINGS,
    TEST_FRACTION,
    comparison,
    start_builds,
    write_split,
)
from smolcorpus.demo.labels import code_examples


def few_code_rows() -> list[dict]:
    """A small real labelled set (module level: a spawned build imports it by name)."""
    return code_examples(limit=80)


def no_rows() -> list[dict]:
    raise RuntimeError("no labels today")


def test_split_is_stratified_disjoint_and_complete(tmp_path):
    rows = [{"id": f"d{i}", "text": f"text {i}", "score": float(i % 3)} for i in range(40)]
    write_split(rows, tmp_path)
    train, test = (pq.read_table(tmp_path / f"{split}.parquet").to_pylist() for split in ("train", "test"))
    assert {r["id"] for r in train}.isdisjoint({r["id"] for r in test})
    assert len(train) + len(test) == 40 and len(test) == pytest.approx(40 * TEST_FRACTION, abs=2)
    assert {r["score"] for r in test} == {0.0, 1.0, 2.0}  # every grade on both sides
    write_split(rows, tmp_path / "again")
    assert pq.read_table(tmp_path / "again" / "test.parquet").to_pylist() == test  # a fixed seed


def test_builds_are_the_same_model_every_time_and_reused(tmp_path):
    """Two builds at once in fresh processes: the same weights (a second fastText training in one process is not
    reproducible with this wheel, so each build has a process of its own), the CLI's folders, reuse on rerun."""
    first, second = tmp_path / "first", tmp_path / "second"
    builds = [start_builds(root, {"code": few_code_rows}) for root in (first, second)]
    built = [b.finish()["code"] for b in builds]
    weights = [(c.model_dir / "model.bin").read_bytes() for c in built]
    assert weights[0] == weights[1]
    classifier = built[0]
    assert classifier.metrics == built[1].metrics
    assert classifier.train_examples + classifier.test_examples == len(few_code_rows())
    config = json.loads((classifier.model_dir / "config.json").read_text())
    assert config["kind"] == "fasttext" and config["name"] == "code"
    assert config["fasttext"]["bucket"] == FASTTEXT_SETTINGS["bucket"] and config["fasttext"]["seed"] == 0
    assert "baselines" in config["metrics"]["validation"]  # `classifier train`'s own validation split
    for name in ("metrics.json", "confusion_matrix.png", "score_histogram.png"):  # `classifier evaluate --report`
        assert (classifier.evaluation_dir / name).is_file()
    assert classifier.metrics["n"] == classifier.test_examples  # evaluated on the held-out split only
    assert set(classifier.metrics["baselines"]) >= {"constant", "length", "tfidf"}
    # the model folder scores as any `classifier train` folder does
    model = load_classifier(classifier.model_dir)
    scores = model.score([row["text"] for row in few_code_rows()[:5]])
    assert scores.shape == (5,) and np.all((scores >= 0) & (scores <= 5))
    # a finished build is reused: no process starts, nothing is rewritten
    mtime = (classifier.model_dir / "model.bin").stat().st_mtime_ns
    again = start_builds(first, {"code": few_code_rows})
    assert again.processes == {} and again.finish()["code"].metrics == classifier.metrics
    assert (classifier.model_dir / "model.bin").stat().st_mtime_ns == mtime


def test_a_failed_build_is_reported(tmp_path):
    with pytest.raises(RuntimeError, match="building demo classifier broken"):
        start_builds(tmp_path, {"broken": no_rows}).finish()


def test_comparison_puts_the_model_next_to_its_baselines():
    metrics = {
        "headline": {"roc_auc": 0.934, "f1": 0.7},
        "baselines": {"folds": 5, "tfidf": {"roc_auc": 0.891, "f1": 0.0}, "length": {"roc_auc": 0.4, "f1": 0.0},
                      "constant": {"roc_auc": None, "f1": 0.0}},
    }  # fmt: skip
    assert comparison(metrics, "roc_auc") == "fastText 0.93, TF-IDF 0.89, length 0.40, constant n/a"
    assert comparison(metrics).startswith("fastText 0.70, TF-IDF 0.00")
