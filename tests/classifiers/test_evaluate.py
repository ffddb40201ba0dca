import json

import numpy as np
import pytest

from smolcorpus.classifiers.base import load_classifier
from smolcorpus.classifiers.evaluate import compute_metrics, evaluate, format_comparison
from smolcorpus.classifiers.fasttext_classifier import FastTextParams
from smolcorpus.classifiers.labels import load_labels
from smolcorpus.classifiers.train import train_classifier


def test_graded_metrics_by_hand():
    true = np.array([0, 1, 3, 4, 5, 3])
    predicted = np.array([0.2, 2.0, 2.6, 4.4, 3.4, 1.0])  # int scores 0, 2, 3, 4, 3, 1
    metrics = compute_metrics(true, predicted, "graded", threshold=3)
    assert metrics["mse"] == pytest.approx(np.mean((predicted - true) ** 2))
    assert metrics["accuracy"] == pytest.approx(3 / 6)
    assert metrics["per_grade"]["3"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    # binary at 3: true positives are 3, 4, 5, 3; predicted ≥ 3: 2.6 no, 4.4 yes, 3.4 yes, 1.0 no
    assert metrics["binary"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 4,
                                 "roc_auc": 0.875}  # 7 of the 8 (positive, negative) pairs ordered right  # fmt: skip
    assert metrics["confusion_matrix"][5][3] == 1


def test_binary_metrics_by_hand():
    metrics = compute_metrics(np.array([1, 1, 0, 0]), np.array([0.9, 0.4, 0.6, 0.1]), "binary", 1.0)
    assert (metrics["precision"], metrics["recall"], metrics["f1"]) == (0.5, 0.5, 0.5)
    assert metrics["roc_auc"] == 0.75


def test_comparison_table_with_folds_and_thresholds():
    def numbers(f1):
        return {"f1": f1, "roc_auc": None}

    metrics = {
        "classifier": "edu",
        "headline": {"f1": 0.8, "roc_auc": 0.9},
        "baselines": {"folds": 3, "constant": {"f1": 0.0, "roc_auc": 0.5, "by_threshold": {"2": numbers(0.1),
                                                                                             "3": numbers(0.2)}}},
        "fold_spread": {"edu": {"f1": {"min": 0.7, "mean": 0.8, "max": 0.85}}},
        "by_threshold": {"2": {"f1": 0.9, "roc_auc": 0.95}, "3": {"f1": 0.8, "roc_auc": 0.9}},
    }  # fmt: skip
    lines = format_comparison(metrics).splitlines()
    assert lines[0] == "(pooled over 3 folds; in brackets: lowest–highest fold)"
    assert lines[1].split() == ["model", "f1", "roc_auc"]
    assert lines[2].split() == ["edu", "0.800", "(0.700–0.850)", "0.900"]
    assert lines[3].split() == ["baseline", "constant", "0.000", "0.500"]
    assert lines[4] == "" and lines[5] == "at each threshold (grade ≥ t):"
    assert lines[6].split() == ["model", "F1@2", "ROC@2", "F1@3", "ROC@3"]
    assert lines[7].split() == ["edu", "0.900", "0.950", "0.800", "0.900"]
    assert lines[8].split() == ["baseline", "constant", "0.100", "n/a", "0.200", "n/a"]
    single = format_comparison({**metrics, "fold_spread": {}, "by_threshold": {"3": {}}})
    assert "pooled" not in single and "at each threshold" not in single


def test_evaluate_writes_metrics_and_plots(math_labels, tmp_path):
    data = load_labels(str(math_labels), kind="binary")
    train_classifier("fasttext", data, tmp_path / "model", "math", FastTextParams())
    metrics = evaluate(load_classifier(tmp_path / "model"), data, tmp_path / "report")
    assert json.loads((tmp_path / "report" / "metrics.json").read_text()) == metrics
    for name in ("confusion_matrix.png", "score_histogram.png"):
        assert (tmp_path / "report" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert metrics["n"] == len(data) and metrics["roc_auc"] > 0.9


def test_evaluation_puts_the_model_next_to_baselines(math_labels, tmp_path):
    """Math pages vs articles (real pages): the constant, length and TF-IDF baselines are cross-validated on the
    same labels; a model that answers the same score for everything is flagged as not beating them."""
    from smolcorpus.classifiers.base import Classifier

    data = load_labels(str(math_labels), kind="binary")
    train_classifier("fasttext", data, tmp_path / "model", "math", FastTextParams())
    metrics = evaluate(load_classifier(tmp_path / "model"), data, folds=3)
    baselines = metrics["baselines"]
    assert set(baselines) == {"folds", "constant", "length", "tfidf"} and baselines["folds"] == 3
    assert abs(baselines["constant"]["roc_auc"] - 0.5) < 0.1  # one constant per fold: near chance
    assert baselines["tfidf"]["roc_auc"] > 0.8  # a real baseline, not a straw man

    class Constant(Classifier):
        kind = "constant"

        def score(self, texts):
            return np.full(len(texts), 0.3)

        def save_weights(self, folder):
            pass

    dull = Constant({"name": "dull", "labels": {"kind": "binary", "threshold": 0.5}})
    flagged = evaluate(dull, data, folds=3)
    assert "does not beat the baseline" in flagged["warning"] and "tfidf" in flagged["warning"]
    assert "on F1 of P(positive) ≥ 0.5" in flagged["warning"] and flagged["deciding_metric"]["key"] == "f1"


def test_thresholds_and_fold_spread_on_real_labels(code_labels):
    """`--threshold` (repeatable) adds binary metrics at each grade for the model and every baseline; with
    cross-validation every headline number comes with its lowest and highest fold."""
    from smolcorpus.classifiers.linear import LinearClassifier, LinearParams

    data = load_labels(str(code_labels))
    train, test = data.split(0.5, 0)
    classifier = LinearClassifier.train(train, "code_edu", LinearParams())
    metrics = evaluate(classifier, test, folds=3, thresholds=(2.0, 4.0))
    assert set(metrics["by_threshold"]) == {"2", "3", "4"}
    assert set(metrics["baselines"]["tfidf"]["by_threshold"]) == {"2", "3", "4"}
    positives = {t: numbers["support"] for t, numbers in metrics["by_threshold"].items()}
    assert positives["2"] > positives["4"] > 0  # each threshold really binarises at its own grade
    assert metrics["baselines"]["folds"] == 3
    assert set(metrics["fold_spread"]) == {"code_edu", "constant", "length", "tfidf"}
    for spread in metrics["fold_spread"].values():
        for numbers in spread.values():
            assert numbers is None or numbers["min"] <= numbers["mean"] <= numbers["max"]


def test_cli_trains_the_linear_kind_by_default_and_prints_each_threshold(code_labels, tmp_path):
    import subprocess
    import sys

    def smolcorpus(*args):
        return subprocess.run([sys.executable, "-m", "smolcorpus.cli", *args], capture_output=True, text=True)

    model = tmp_path / "code_edu"
    result = smolcorpus("classifier", "train", "--data", str(code_labels), "--output", str(model))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "trained linear classifier 'code_edu'" in result.stdout and "baseline tfidf" in result.stdout
    assert json.loads((model / "config.json").read_text())["kind"] == "linear"
    result = smolcorpus("classifier", "evaluate", str(model), "--data", str(code_labels), "--report",
                        str(tmp_path / "report"), "--folds", "3", "--threshold", "2", "--threshold", "4")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "lowest–highest fold" in result.stdout and "F1@2" in result.stdout and "ROC@4" in result.stdout
    saved = json.loads((tmp_path / "report" / "metrics.json").read_text())
    assert set(saved["by_threshold"]) == {"2", "3", "4"} and "fold_spread" in saved
