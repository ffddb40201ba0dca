"""N-gram linear classifiers: TF-IDF word and character n-grams plus document length, and a linear head whose
regularisation is picked by cross-validation. The default kind of `classifier train`.

Why it is the default: on every real labelled set we have (LLM legal-value grades, human educational-value labels
in Danish, code edu hints, math vs not), it matches or beats fastText, a frozen MiniLM encoder with a ridge head,
and the baselines `classifier evaluate` prints (document length, word TF-IDF with a fixed ridge/logistic head) on
ROC-AUC, F1 and MSE; the numbers are in the README. Character n-grams carry what word n-grams miss on code and
morphologically rich languages; the length feature carries "long pages are more often educational", which alone
beats fastText on some sets.

Features, each block L2-normalised: word 1–`word_ngrams`-gram TF-IDF, character `char_ngrams` TF-IDF within word
boundaries (sublinear tf, terms in ≥ `min_df` documents, at most `max_features` per block), and
log(1 + characters) / 10. Texts are cut to their first `max_chars` characters first, so a 5 MB page costs what a
long article does. Head: ridge regression on the grade (graded labels) or logistic regression with balanced class
weights (binary labels); `alpha`/`C` chosen from a fixed grid by leave-one-out (ridge, ≤ 5,000 examples) or
`folds`-fold cross-validation.

Stored without pickle: both vocabularies as string arrays, their idf weights, the coefficients and the intercept
in `weights.npz`; scoring recomputes TF-IDF from them with scikit-learn's public `CountVectorizer`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from smolcorpus.classifiers.base import Classifier, base_config
from smolcorpus.classifiers.labels import LabeledData

WEIGHTS_FILE = "weights.npz"
GCV_MAX_EXAMPLES = 5_000  # leave-one-out ridge needs an n × n matrix: 200 MB at 5,000, so k-fold above it


@dataclass
class LinearParams:
    """Training settings; every field has a measured default (see the module docstring).

    `char_ngrams`: [low, high] character n-gram lengths, or an empty list for word n-grams only.
    `alphas`: ridge L2 strengths tried; `cs`: logistic inverse strengths tried.
    """

    word_ngrams: int = 2
    char_ngrams: list[int] = field(default_factory=lambda: [2, 5])
    min_df: int = 2
    max_features: int = 200_000
    max_chars: int = 20_000
    length_feature: bool = True
    alphas: list[float] = field(default_factory=lambda: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0,
                                                         100.0])  # fmt: skip
    cs: list[float] = field(default_factory=lambda: [0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0])
    folds: int = 3
    threshold: float = 3.0
    seed: int = 0


def _block_settings(params: LinearParams) -> dict[str, dict]:
    """The TF-IDF blocks as CountVectorizer keyword arguments, by block name."""
    blocks = {"word": {"analyzer": "word", "ngram_range": (1, params.word_ngrams)}}
    if params.char_ngrams:
        low, high = params.char_ngrams
        blocks["char"] = {"analyzer": "char_wb", "ngram_range": (int(low), int(high))}
    return blocks


def _cut(texts: list[str], max_chars: int) -> list[str]:
    return [t[:max_chars] for t in texts]


def term_counter(vocabulary: dict[str, int], settings: dict):
    """A CountVectorizer over a fixed vocabulary. Build it once per model: scikit-learn validates the vocabulary
    (hundreds of thousands of terms) on its first transform."""
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(vocabulary=vocabulary, dtype=np.float64, **settings)


def tfidf_block(texts: list[str], counter, idf: np.ndarray):
    """Sublinear TF-IDF of `texts` over `counter`'s vocabulary, rows L2-normalised (what TfidfVectorizer
    computes)."""
    from scipy import sparse
    from sklearn.preprocessing import normalize

    counts = counter.transform(texts)
    counts.data = np.log(counts.data) + 1.0
    return normalize(counts @ sparse.diags(idf), copy=False)


def length_block(texts: list[str]):
    from scipy import sparse

    return sparse.csr_matrix(np.log1p(np.array([[len(t)] for t in texts], dtype=np.float64)) / 10.0)


class LinearClassifier(Classifier):
    kind = "linear"

    def __init__(self, config: dict, vocabularies: dict[str, dict[str, int]], idfs: dict[str, np.ndarray],
                 coef: np.ndarray, intercept: float):  # fmt: skip
        super().__init__(config)
        self.vocabularies = vocabularies
        self.idfs = idfs
        self.coef = coef
        self.intercept = intercept
        self._counters = {}  # block → its CountVectorizer, built on first use

    @property
    def params(self) -> LinearParams:
        return LinearParams(**self.config["linear"])

    def features(self, texts: list[str]):
        from scipy import sparse

        params = self.params
        texts = _cut(texts, params.max_chars)
        blocks = []
        for name, settings in _block_settings(params).items():
            if name not in self._counters:
                self._counters[name] = term_counter(self.vocabularies[name], settings)
            blocks.append(tfidf_block(texts, self._counters[name], self.idfs[name]))
        if params.length_feature:
            blocks.append(length_block(texts))
        return sparse.hstack(blocks, format="csr")

    @classmethod
    def train(cls, data: LabeledData, name: str, params: LinearParams) -> LinearClassifier:
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = _cut(data.texts, params.max_chars)
        min_df = params.min_df if len(texts) >= 20 else 1
        vocabularies, idfs, blocks = {}, {}, []
        for block, settings in _block_settings(params).items():
            vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=min_df, max_features=params.max_features,
                                         dtype=np.float64, **settings)  # fmt: skip
            blocks.append(vectorizer.fit_transform(texts))
            vocabularies[block] = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
            idfs[block] = vectorizer.idf_.astype(np.float64)
        if params.length_feature:
            blocks.append(length_block(texts))
        features = sparse.hstack(blocks, format="csr")
        binary = data.kind == "binary"
        if binary:
            coef, intercept, chosen = _fit_logistic(features, data.scores.astype(int), params)
        else:
            coef, intercept, chosen = _fit_ridge(features, data.scores, params)
        config = base_config(
            "linear", name, "binary" if binary else "graded", 1.0 if binary else params.threshold, data.sha256(),
            linear=asdict(params), head={"kind": "logistic" if binary else "ridge", **chosen},
            features={block: len(vocabulary) for block, vocabulary in vocabularies.items()},
        )  # fmt: skip
        return cls(config, vocabularies, idfs, coef, intercept)

    @classmethod
    def load(cls, folder: Path, config: dict) -> LinearClassifier:
        vocabularies, idfs = {}, {}
        with np.load(folder / WEIGHTS_FILE, allow_pickle=False) as weights:
            for block in config["features"]:
                terms = weights[f"{block}_terms"]
                vocabularies[block] = {str(term): i for i, term in enumerate(terms)}
                idfs[block] = weights[f"{block}_idf"]
            return cls(config, vocabularies, idfs, weights["coef"], float(weights["intercept"]))

    def save_weights(self, folder: Path) -> None:
        arrays = {"coef": self.coef, "intercept": np.float64(self.intercept)}
        for block, vocabulary in self.vocabularies.items():
            terms = np.empty(len(vocabulary), dtype=object)
            for term, i in vocabulary.items():
                terms[i] = term
            arrays[f"{block}_terms"] = terms.astype(str)  # a fixed-width unicode array: no pickle needed
            arrays[f"{block}_idf"] = self.idfs[block]
        np.savez(folder / WEIGHTS_FILE, **arrays)

    def score(self, texts: list[str]) -> np.ndarray:
        """The grade (ridge), or P(positive) (logistic), one float per text."""
        if not texts:
            return np.zeros(0, dtype=np.float64)
        logits = np.asarray(self.features(texts) @ self.coef, dtype=np.float64) + self.intercept
        if self.label_kind == "binary":
            return 1.0 / (1.0 + np.exp(-logits))
        return logits


def _fit_ridge(features, scores: np.ndarray, params: LinearParams) -> tuple[np.ndarray, float, dict]:
    from sklearn.linear_model import Ridge, RidgeCV
    from sklearn.model_selection import KFold

    if len(scores) < 2 * params.folds:  # too few examples to choose: the middle of the grid
        alpha = float(params.alphas[len(params.alphas) // 2])
    else:
        cv = None if len(scores) <= GCV_MAX_EXAMPLES else KFold(params.folds, shuffle=True, random_state=params.seed)
        alpha = float(RidgeCV(alphas=params.alphas, cv=cv).fit(features, scores).alpha_)
    model = Ridge(alpha=alpha).fit(features, scores)
    return np.asarray(model.coef_, dtype=np.float64).ravel(), float(model.intercept_), {"alpha": alpha}


def _fit_logistic(features, labels: np.ndarray, params: LinearParams) -> tuple[np.ndarray, float, dict]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    if len(np.unique(labels)) < 2:
        raise ValueError("binary labels need both classes (0 and 1) to train a linear classifier")
    base = LogisticRegression(class_weight="balanced", max_iter=2000)
    if np.bincount(labels).min() < params.folds:  # too few of one class to cross-validate
        c = float(params.cs[len(params.cs) // 2])
    else:
        splitter = StratifiedKFold(params.folds, shuffle=True, random_state=params.seed)
        search = GridSearchCV(base, {"C": params.cs}, scoring="neg_log_loss", cv=splitter)
        c = float(search.fit(features, labels).best_params_["C"])
    model = base.set_params(C=c).fit(features, labels)
    return np.asarray(model.coef_, dtype=np.float64).ravel(), float(model.intercept_[0]), {"c": c}
