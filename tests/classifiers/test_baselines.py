"""The baselines a classifier must beat (constant, length, TF-IDF), on the real code labels (edu_hint grades)."""

import numpy as np
import pytest

from smolcorpus.classifiers.baselines import BASELINES, baseline_scores, cross_validated_baseline_scores
from smolcorpus.classifiers.evaluate import compute_metrics
from smolcorpus.classifiers.labels import load_labels


@pytest.fixture(scope="module")
def code_data(code_labels):
    return load_labels(str(code_labels))


def test_graded_baselines_on_real_labels(code_labels):
    """Graded code labels: every baseline is scored on MSE, ROC-AUC and F1 at the threshold."""
    from smolcorpus.classifiers.baselines import cross_validated_baseline_scores

    data = load_labels(str(code_labels))
    scores, _ = cross_validated_baseline_scores(data.texts, data.scores, "graded", folds=3)
    for name, values in scores.items():
        numbers = compute_metrics(data.scores, values, "graded", 3)
        assert 0 <= numbers["mse"] < 10 and numbers["binary"]["roc_auc"] is not None, name


def test_fitted_on_one_split_scored_on_another(code_data):
    train, test = code_data.split(0.3, 0)
    scores = baseline_scores(train.texts, train.scores, test.texts, "graded")
    assert set(scores) == set(BASELINES)
    assert all(values.shape == (len(test),) for values in scores.values())
    np.testing.assert_allclose(scores["constant"], np.mean(train.scores))  # the training mean, for every document
    assert np.std(scores["length"]) > 0 and np.std(scores["tfidf"]) > 0
    # the words of a file say more about its grade than its length or nothing
    mse = {name: float(np.mean((values - test.scores) ** 2)) for name, values in scores.items()}
    assert mse["tfidf"] < mse["constant"], mse


def test_binary_baselines_are_probabilities(code_data):
    train, test = code_data.split(0.3, 0)
    positive = (np.asarray(train.scores[:120]) >= 4).astype(float)
    scores = baseline_scores(train.texts[:120], positive, test.texts, "binary")
    assert scores["constant"][0] == pytest.approx(positive.mean())
    for name in ("length", "tfidf"):
        assert scores[name].min() >= 0 and scores[name].max() <= 1, name
    # one class only in training: no logistic regression can be fitted; the scores are still defined
    single = baseline_scores(train.texts[:20], np.ones(20), test.texts[:5], "binary")
    assert all(np.isfinite(values).all() and len(values) == 5 for values in single.values())


def test_folds_cover_every_text_once_and_shrink_for_a_small_class(code_data):
    texts, grades = code_data.texts[:60], np.asarray(code_data.scores[:60], dtype=float)
    _, fold_of = cross_validated_baseline_scores(texts, grades, "graded", folds=4)
    assert sorted(set(fold_of)) == [0, 1, 2, 3]
    labels = np.zeros(60)
    labels[:2] = 1  # two positives: no more than two stratified folds
    scores, fold_of = cross_validated_baseline_scores(texts, labels, "binary", folds=5)
    assert sorted(set(fold_of)) == [0, 1] and sorted(fold_of[:2]) == [0, 1]
    assert all(len(values) == 60 for values in scores.values())
