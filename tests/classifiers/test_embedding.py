import numpy as np
import pytest

from smolcorpus.classifiers import encoder as encoder_module
from smolcorpus.classifiers.base import load_classifier, read_model_config
from smolcorpus.classifiers.embedding import EmbeddingParams, apply_head
from smolcorpus.classifiers.labels import load_labels
from smolcorpus.classifiers.train import train_classifier

pytestmark = pytest.mark.slow  # encodes real documents with MiniLM on CPU


@pytest.fixture(scope="module")
def math_embedding(math_labels, tmp_path_factory):
    data = load_labels(str(math_labels), kind="binary")
    folder = tmp_path_factory.mktemp("emb_math")
    params = EmbeddingParams(head="logistic", max_length=256)
    classifier, metrics = train_classifier("embedding", data, folder, "math", params, validation_fraction=0.3)
    return folder, classifier, metrics, data


def test_embedding_math_classifier(math_embedding):
    _, _, metrics, data = math_embedding
    validation = metrics["validation"]
    assert validation["roc_auc"] >= 0.9
    assert validation["f1"] >= 0.6


def test_folder_reloads_without_pickle(math_embedding):
    folder, classifier, _, data = math_embedding
    config = read_model_config(folder)
    assert config["encoder"]["pooling"] == "mean" and config["encoder"]["max_length"] == 256
    assert config["head"]["kind"] == "logistic"
    with np.load(folder / "head.npz", allow_pickle=False) as head:  # would raise if it held pickled objects
        assert head["coef"].shape[1] == 384
    reloaded = load_classifier(folder)
    np.testing.assert_allclose(reloaded.score(data.texts[:8]), classifier.score(data.texts[:8]), rtol=1e-4)


def test_ridge_on_graded_code_labels_uses_the_embedding_cache(code_labels, tmp_path, monkeypatch):
    data = load_labels(str(code_labels))
    # the labels, split and encoder settings of the distillation teacher (test_distill.py): whichever trains first
    # encodes the files, the other reads them from the session's cache (322 files, ≈ 20 s of CPU)
    params = EmbeddingParams(head="ridge", max_length=128, alpha=10.0)
    _, metrics = train_classifier("embedding", data, tmp_path / "a", "code_edu", params)
    baseline_mse = float(np.mean((data.scores - data.scores.mean()) ** 2))
    assert metrics["validation"]["mse"] < baseline_mse

    # same data and encoder settings: the second training reads the cached embeddings instead of encoding again
    def no_encoding(*args, **kwargs):
        raise AssertionError("embeddings should come from the cache")

    monkeypatch.setattr(encoder_module.Encoder, "embed", no_encoding)
    params.alpha = 1.0
    train_classifier("embedding", data, tmp_path / "b", "code_edu", params)


def test_apply_head_matches_scikit_learn(math_embedding):
    from sklearn.linear_model import LogisticRegression, Ridge

    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 5))
    grades = rng.integers(0, 6, size=40)
    ridge = Ridge().fit(x, grades)
    np.testing.assert_allclose(apply_head(x, np.atleast_2d(ridge.coef_), np.atleast_1d(ridge.intercept_), np.array([]),
                                          "ridge", "graded"), ridge.predict(x))  # fmt: skip
    logistic = LogisticRegression(max_iter=1000).fit(x, grades)
    expected = logistic.predict_proba(x) @ logistic.classes_
    got = apply_head(x, logistic.coef_, logistic.intercept_, logistic.classes_.astype(float), "logistic", "graded")
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    binary = LogisticRegression().fit(x, grades >= 3)
    got = apply_head(x, binary.coef_, binary.intercept_, np.array([0.0, 1.0]), "logistic", "binary")
    np.testing.assert_allclose(got, binary.predict_proba(x)[:, 1], rtol=1e-6)


def test_half_precision_on_the_chosen_device_scores_like_float32(math_embedding):
    """`dtype: bfloat16` (for GPUs) runs unchanged on CPU: same decisions, scores within bfloat16's precision."""
    from smolcorpus.classifiers.score import ClassifierScorer

    folder, classifier, _, data = math_embedding
    texts = data.texts[:12]
    full = load_classifier(folder, device="cpu", dtype="float32").score(texts)
    half = load_classifier(folder, device="cpu", dtype="bfloat16")
    assert half.encoder.device == "cpu" and str(half.encoder.model.dtype) == "torch.bfloat16"
    np.testing.assert_allclose(half.score(texts), full, atol=0.05)
    scorer = ClassifierScorer(str(folder), device="cpu", dtype="bfloat16")
    from datatrove.data import Document

    scored = list(scorer.run(iter([Document(text=t, id=str(i)) for i, t in enumerate(texts)])))
    assert str(scorer._classifier.encoder.model.dtype) == "torch.bfloat16"
    np.testing.assert_allclose([d.metadata["math_score"] for d in scored], full, atol=0.05)
