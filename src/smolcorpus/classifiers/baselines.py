"""Baselines a classifier has to beat to earn its place, trained and tested on the same data as the classifier.

- `constant`: the training mean grade (graded) or positive rate (binary) for every document;
- `length`: a one-feature model of log(1 + characters): ridge regression on the grade, or logistic regression;
- `tfidf`: word 1–2-gram TF-IDF (sublinear tf, 2 ≤ df) with ridge regression on the grade, or logistic
  regression (balanced classes) for binary labels.

`baseline_scores` fits them on one split and scores another; `cross_validated_baseline_scores` gives out-of-fold
scores over a labelled set by stratified k-fold (for `classifier evaluate`, which sees one labelled set). Pure
functions over lists and arrays.
"""

from __future__ import annotations

import numpy as np

BASELINES = ("constant", "length", "tfidf")


def _length_feature(texts: list[str]) -> np.ndarray:
    return np.log1p(np.array([len(t) for t in texts], dtype=np.float64)).reshape(-1, 1)


def baseline_scores(train_texts: list[str], train_scores: np.ndarray, test_texts: list[str], label_kind: str,
                    seed: int = 0) -> dict[str, np.ndarray]:  # fmt: skip
    """name → float scores of `test_texts` (expected grade, or P(positive) for binary labels)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, Ridge

    train_scores = np.asarray(train_scores, dtype=np.float64)
    binary = label_kind == "binary"
    out = {"constant": np.full(len(test_texts), float(train_scores.mean()))}
    single_class = binary and len(np.unique(train_scores)) < 2
    if binary and not single_class:
        length = LogisticRegression(class_weight="balanced").fit(_length_feature(train_texts), train_scores)
        out["length"] = length.predict_proba(_length_feature(test_texts))[:, 1]
    else:
        out["length"] = Ridge(alpha=1.0).fit(_length_feature(train_texts), train_scores).predict(
            _length_feature(test_texts)
        )  # fmt: skip
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2 if len(train_texts) >= 20 else 1, sublinear_tf=True,
                                 max_features=200_000)  # fmt: skip
    features = vectorizer.fit_transform(train_texts)
    test_features = vectorizer.transform(test_texts)
    if binary and not single_class:
        model = LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000, random_state=seed)
        out["tfidf"] = model.fit(features, train_scores).predict_proba(test_features)[:, 1]
    else:
        out["tfidf"] = Ridge(alpha=1.0).fit(features, train_scores).predict(test_features)
    return out


def cross_validated_baseline_scores(
    texts: list[str], scores: np.ndarray, label_kind: str, folds: int = 5, threshold: float = 3, seed: int = 0
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """(name → out-of-fold scores for every text, the fold of every text), folds stratified by label (or by
    grade ≥ threshold); fewer folds than asked when a class is too small for them."""
    from sklearn.model_selection import StratifiedKFold

    scores = np.asarray(scores, dtype=np.float64)
    strata = scores.astype(int) if label_kind == "binary" else (scores >= threshold).astype(int)
    smallest = np.bincount(strata).min() if len(np.unique(strata)) > 1 else 0
    folds = max(2, min(folds, smallest)) if smallest >= 2 else 2
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    split = splitter.split(texts, strata) if smallest >= 2 else _plain_folds(len(texts), folds, seed)
    out = {name: np.zeros(len(texts)) for name in BASELINES}
    fold_of = np.zeros(len(texts), dtype=int)
    for fold, (train_index, test_index) in enumerate(split):
        fold_of[test_index] = fold
        fitted = baseline_scores([texts[i] for i in train_index], scores[train_index],
                                 [texts[i] for i in test_index], label_kind, seed)  # fmt: skip
        for name, values in fitted.items():
            out[name][test_index] = values
    return out, fold_of


def _plain_folds(n: int, folds: int, seed: int):
    from sklearn.model_selection import KFold

    return KFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(n))
