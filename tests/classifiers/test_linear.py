"""The n-gram linear classifier on real labels: accuracy against the baselines, a pickle-free round trip, and
TF-IDF features equal to scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest

from smolcorpus.classifiers.base import load_classifier
from smolcorpus.classifiers.evaluate import evaluate
from smolcorpus.classifiers.labels import load_labels
from smolcorpus.classifiers.linear import WEIGHTS_FILE, LinearClassifier, LinearParams, term_counter, tfidf_block


@pytest.fixture(scope="module")
def code_split(code_labels):
    data = load_labels(str(code_labels))
    return data.split(0.3, 0)


def test_graded_code_labels_beat_the_baselines_on_held_out_files(code_split):
    """Real source files graded by their edu hint: on files it never saw, the default model has a lower MSE than
    every baseline and ranks "grade ≥ 3" at least as well as word TF-IDF."""
    train, test = code_split
    classifier = LinearClassifier.train(train, "code_edu", LinearParams())
    metrics = evaluate(classifier, test, baseline_train=train)
    model, baselines = metrics["headline"], metrics["baselines"]
    assert model["mse"] < min(baselines[name]["mse"] for name in ("constant", "length", "tfidf"))
    assert model["roc_auc"] >= baselines["tfidf"]["roc_auc"] - 0.01 and model["roc_auc"] > 0.9
    assert classifier.config["head"]["kind"] == "ridge" and classifier.config["head"]["alpha"] in LinearParams().alphas


def test_binary_math_labels_separate_math_pages(math_labels):
    data = load_labels(str(math_labels), kind="binary")
    train, test = data.split(0.4, 0)
    classifier = LinearClassifier.train(train, "math", LinearParams())
    metrics = evaluate(classifier, test, baseline_train=train)
    assert classifier.label_kind == "binary" and metrics["roc_auc"] > 0.95
    scores = classifier.score(test.texts)
    assert ((scores >= 0) & (scores <= 1)).all()


def test_round_trip_is_pickle_free_and_scores_the_same(code_split, tmp_path):
    train, test = code_split
    classifier = LinearClassifier.train(train, "code_edu", LinearParams(char_ngrams=[3, 4]))
    classifier.save(tmp_path / "model")
    with np.load(tmp_path / "model" / WEIGHTS_FILE, allow_pickle=False) as weights:
        assert weights["word_terms"].dtype.kind == "U"  # plain strings, loadable without pickle
    loaded = load_classifier(tmp_path / "model")
    assert isinstance(loaded, LinearClassifier)
    np.testing.assert_array_equal(loaded.score(test.texts), classifier.score(test.texts))
    assert loaded.score([]).shape == (0,)


def test_features_equal_scikit_learn_tfidf(code_split):
    """The scoring path recomputes TF-IDF from the stored vocabulary and idf: it must equal TfidfVectorizer's."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    train, test = code_split
    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2, ngram_range=(1, 2)).fit(train.texts)
    ours = tfidf_block(test.texts, term_counter(vectorizer.vocabulary_, {"ngram_range": (1, 2)}), vectorizer.idf_)
    np.testing.assert_allclose(ours.toarray(), vectorizer.transform(test.texts).toarray(), atol=1e-12)


def test_word_only_and_long_texts(code_split):
    """`char_ngrams: []` trains on words alone; texts are cut to `max_chars`, so a huge text scores like its head."""
    train, test = code_split
    classifier = LinearClassifier.train(train, "words", LinearParams(char_ngrams=[], max_chars=2000))
    assert set(classifier.config["features"]) == {"word"}
    text = max(test.texts, key=len)
    assert len(text) > 2000
    np.testing.assert_allclose(classifier.score([text[:2000] + "x " * 1_000_000]), classifier.score([text[:2000]]))
