"""Evaluation: the metrics FineWeb-Edu reports, and two plots, for a classifier on labelled data.

Graded labels (0–5): MSE of the score, accuracy and per-grade precision/recall/F1 of the int score, the
confusion matrix, and binary precision/recall/F1 at the threshold (3 by default: "educational" or not).
Binary labels: precision, recall, F1 and ROC-AUC of P(positive).

Every model is put next to the baselines of `baselines.py` trained and tested on the same data; with
cross-validation the headline numbers are also given per fold (mean, min, max), so a difference can be read
against the spread.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from smolcorpus.classifiers.base import MAX_GRADE, Classifier, int_scores
from smolcorpus.classifiers.labels import LabeledData


def _prf(true: np.ndarray, predicted: np.ndarray) -> dict:
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, _ = precision_recall_fscore_support(true, predicted, average="binary", zero_division=0)
    return {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(true.sum())}


def compute_metrics(true_scores: np.ndarray, predicted: np.ndarray, label_kind: str, threshold: float,
                    extra_thresholds: tuple[float, ...] = ()) -> dict:  # fmt: skip
    """Pure function: metrics of float predictions against true scores. Graded labels also get the binary metrics
    at each of `extra_thresholds` (`by_threshold`, keyed by the threshold as text)."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support, roc_auc_score

    true_scores = np.asarray(true_scores, dtype=np.float64)
    predicted = np.asarray(predicted, dtype=np.float64)
    if label_kind == "binary":
        true = true_scores.astype(int)
        metrics = {"label_kind": "binary", "n": int(len(true)), **_prf(true, (predicted >= 0.5).astype(int))}
        metrics["roc_auc"] = float(roc_auc_score(true, predicted)) if len(np.unique(true)) == 2 else None
        return metrics
    true_int = int_scores(true_scores, "graded")
    pred_int = int_scores(predicted, "graded")
    grades = list(range(MAX_GRADE + 1))
    p, r, f, support = precision_recall_fscore_support(true_int, pred_int, labels=grades, zero_division=0)
    per_grade = {
        str(g): {"precision": float(p[g]), "recall": float(r[g]), "f1": float(f[g]), "support": int(support[g])}
        for g in grades
    }
    present = [g for g in grades if support[g] > 0]
    return {
        "label_kind": "graded",
        "n": int(len(true_scores)),
        "mse": float(np.mean((predicted - true_scores) ** 2)),
        "accuracy": float(np.mean(true_int == pred_int)),
        "macro_f1": float(np.mean([f[g] for g in present])) if present else 0.0,
        "per_grade": per_grade,
        "confusion_matrix": confusion_matrix(true_int, pred_int, labels=grades).tolist(),
        "threshold": threshold,
        "binary": _binary_at(true_scores, predicted, threshold),
        "by_threshold": {
            f"{t:g}": _binary_at(true_scores, predicted, t) for t in sorted({threshold, *extra_thresholds})
        },
    }


def _binary_at(true_scores: np.ndarray, predicted: np.ndarray, threshold: float) -> dict:
    """P/R/F1 of grade ≥ threshold, and the ROC-AUC of the score for it (FineWeb-Edu reports F1 at 3)."""
    from sklearn.metrics import roc_auc_score

    true = (true_scores >= threshold).astype(int)
    metrics = _prf(true, (predicted >= threshold).astype(int))
    metrics["roc_auc"] = float(roc_auc_score(true, predicted)) if len(np.unique(true)) == 2 else None
    return metrics


def headline(metrics: dict) -> dict:
    """The numbers a model and its baselines are compared on: ROC-AUC and F1 (of grade ≥ threshold for graded
    labels), and MSE for graded labels."""
    if metrics["label_kind"] == "binary":
        return {"roc_auc": metrics["roc_auc"], "f1": metrics["f1"]}
    return {"mse": metrics["mse"], "roc_auc": metrics["binary"]["roc_auc"], "f1": metrics["binary"]["f1"]}


def deciding_metric(label_kind: str, threshold: float) -> tuple[str, str]:
    """(headline key, its wording) of the number a run's filter depends on: F1 of the yes/no decision it makes
    (keep a document at grade ≥ `threshold`; binary labels: P(positive) ≥ 0.5). MSE and ROC-AUC describe the
    scores, not that decision: a baseline that ties on them keeps no better."""
    if label_kind == "binary":
        return "f1", "F1 of P(positive) ≥ 0.5"
    return "f1", f"F1 of grade ≥ {threshold:g}"


def not_beaten_by(model: dict, baselines: dict[str, dict], key: str = "f1") -> dict[str, float]:
    """Baseline → its `key` headline number, for the baselines at least as good as the model on it (higher; for
    `mse`, lower or equal). Numbers that could not be computed (None) match nothing."""
    matched = {}
    for name, numbers in baselines.items():
        theirs, ours = numbers.get(key), model.get(key)
        if theirs is None or ours is None:
            continue
        if (theirs <= ours) if key == "mse" else (theirs >= ours):
            matched[name] = theirs
    return matched


def baseline_warning(name: str, model: dict, matched: dict[str, float], key: str, wording: str) -> str:
    """`<model> does not beat the baseline(s) tfidf on F1 of grade ≥ 3, the decision a run filters on: the model
    0.750; tfidf 0.754 (0.004 better) ...`: which baselines, on which number, by how much."""
    ours = model[key]
    parts = []
    for baseline, theirs in sorted(matched.items(), key=lambda item: -item[1] if key != "mse" else item[1]):
        margin = abs(theirs - ours)
        parts.append(f"{baseline} {theirs:.3f} ({'the same' if margin < 5e-4 else f'{margin:.3f} better'})")
    return (
        f"{name} does not beat the baseline(s) {', '.join(sorted(matched))} on {wording}, the decision a run "
        f"filters on: the model {ours:.3f}; {', '.join(parts)}. A baseline (a rule) makes that decision as well"
    )


def fold_spread(truth: np.ndarray, predicted: np.ndarray, fold_of: np.ndarray, label_kind: str,
                threshold: float) -> dict:  # fmt: skip
    """Headline numbers per fold → {key: {"mean", "min", "max"}} (None where a fold lacks a class)."""
    per_fold = [
        headline(compute_metrics(truth[fold_of == f], predicted[fold_of == f], label_kind, threshold))
        for f in np.unique(fold_of)
    ]
    spread = {}
    for key in per_fold[0]:
        values = [numbers[key] for numbers in per_fold if numbers[key] is not None]
        spread[key] = (
            {"mean": float(np.mean(values)), "min": float(min(values)), "max": float(max(values))} if values else None
        )
    return spread


def evaluate(classifier: Classifier, data: LabeledData, report_dir: str | Path | None = None, folds: int = 5,
             baselines: bool = True, baseline_train: LabeledData | None = None,
             thresholds: tuple[float, ...] = ()) -> dict:  # fmt: skip
    """Score `data`, compute metrics, put them next to the baselines' (`baselines.py`: fitted on `baseline_train`
    when given, the model's own training split; else out-of-fold scores of a `folds`-fold cross-validation on
    `data`, with the per-fold spread of model and baselines in `fold_spread`), and (with `report_dir`) write
    metrics.json and the PNG plots. Graded models also get binary metrics at each of `thresholds`
    (`by_threshold`, for the model and every baseline). `metrics["warning"]` says when a baseline is at least as
    good as the model on the number a run's filter depends on (`deciding_metric`: F1 of grade ≥ the threshold),
    by how much; MSE and ROC-AUC are reported, not warned on."""
    if data.kind == "binary" and classifier.label_kind != "binary":
        raise ValueError("binary labels need a binary classifier (train with binary labels or --mode binary)")
    predicted = classifier.score_labeled(data)
    truth = data.scores
    if classifier.label_kind == "binary" and data.kind == "graded":
        truth = (data.scores >= classifier.threshold).astype(float)
    label_kind, threshold = classifier.label_kind, classifier.threshold
    metrics = compute_metrics(truth, predicted, label_kind, threshold, thresholds)
    metrics["classifier"] = classifier.name
    if baselines and (baseline_train is not None or len(data) >= 10):
        from smolcorpus.classifiers.baselines import baseline_scores, cross_validated_baseline_scores

        if baseline_train is not None:
            train_truth = baseline_train.scores
            if classifier.label_kind == "binary" and baseline_train.kind == "graded":
                train_truth = (train_truth >= classifier.threshold).astype(float)
            scores = baseline_scores(baseline_train.texts, train_truth, data.texts, label_kind)
            folds, fold_of = 0, None  # no cross-validation: the model's own split
        else:
            scores, fold_of = cross_validated_baseline_scores(data.texts, truth, label_kind, folds, threshold)
            folds = int(fold_of.max()) + 1
        baseline_metrics = {
            name: compute_metrics(truth, values, label_kind, threshold, thresholds) for name, values in scores.items()
        }
        compared = {name: headline(numbers) for name, numbers in baseline_metrics.items()}
        metrics["headline"] = headline(metrics)
        metrics["baselines"] = {"folds": folds, **compared}
        if label_kind == "graded" and thresholds:
            for name, numbers in baseline_metrics.items():
                compared[name]["by_threshold"] = numbers["by_threshold"]
        if fold_of is not None:
            metrics["fold_spread"] = {
                name: fold_spread(truth, values, fold_of, label_kind, threshold)
                for name, values in {classifier.name: predicted, **scores}.items()
            }
        key, wording = deciding_metric(label_kind, threshold)
        matched = not_beaten_by(metrics["headline"], compared, key)
        metrics["deciding_metric"] = {"key": key, "name": wording}
        if matched:
            metrics["warning"] = baseline_warning(classifier.name, metrics["headline"], matched, key, wording)
    if report_dir is not None:
        report = Path(report_dir)
        report.mkdir(parents=True, exist_ok=True)
        (report / "metrics.json").write_text(json.dumps(metrics, indent=2))
        write_plots(truth, predicted, metrics, report, classifier.name)
    return metrics


def write_plots(truth: np.ndarray, predicted: np.ndarray, metrics: dict, report: Path, name: str) -> list[Path]:
    """confusion_matrix.png (graded: grades; binary: at 0.5) and score_histogram.png (scores per true label)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    if metrics["label_kind"] == "graded":
        matrix = np.asarray(metrics["confusion_matrix"])
        labels = [str(g) for g in range(MAX_GRADE + 1)]
    else:
        from sklearn.metrics import confusion_matrix

        matrix = confusion_matrix(truth.astype(int), (predicted >= 0.5).astype(int), labels=[0, 1])
        labels = ["0", "1"]
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.imshow(matrix, cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, str(count), ha="center", va="center", color="black" if count < matrix.max() / 2 else "white")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{name}: confusion matrix")
    fig.tight_layout()
    paths.append(report / "confusion_matrix.png")
    fig.savefig(paths[-1], dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4))
    true_labels = np.rint(truth).astype(int)
    bins = np.linspace(
        min(predicted.min(), 0), max(predicted.max(), 1 if metrics["label_kind"] == "binary" else 5), 31
    )
    for label in np.unique(true_labels):
        ax.hist(predicted[true_labels == label], bins=bins, alpha=0.5, label=f"true {label}")
    ax.set_xlabel("predicted score")
    ax.set_ylabel("documents")
    ax.set_title(f"{name}: score by true label")
    ax.legend()
    fig.tight_layout()
    paths.append(report / "score_histogram.png")
    fig.savefig(paths[-1], dpi=100)
    plt.close(fig)
    return paths


def summary_numbers(metrics: dict) -> dict:
    """The metrics' single numbers (no tables, lists or warning): what the commands print as JSON."""
    return {k: v for k, v in metrics.items() if not isinstance(v, dict | list) and k != "warning"}


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def format_comparison(metrics: dict) -> str:
    """The model and its baselines, one row each, on the headline numbers; with cross-validation, each number is
    followed by its range over the folds; graded models evaluated at several thresholds get F1 and ROC-AUC at each."""
    keys = list(metrics["headline"])
    spread = metrics.get("fold_spread", {})
    width = 22 if spread else 10
    lines = []
    if spread:
        lines.append(f"(pooled over {metrics['baselines']['folds']} folds; in brackets: lowest–highest fold)")
    lines.append(f"{'model':<22}" + "".join(f"{k:>{width}}" for k in keys))
    rows = {metrics["classifier"]: metrics["headline"]}
    rows.update({n: v for n, v in metrics["baselines"].items() if isinstance(v, dict)})
    for name, numbers in rows.items():
        label = name if name == metrics["classifier"] else f"baseline {name}"
        cells = []
        for key in keys:
            cell = _number(numbers[key])
            folds = (spread.get(name) or {}).get(key)
            if folds:
                cell += f" ({folds['min']:.3f}–{folds['max']:.3f})"
            cells.append(f"{cell:>{width}}")
        lines.append(f"{label:<22}" + "".join(cells))
    thresholds = metrics.get("by_threshold", {})
    if len(thresholds) > 1:
        lines.append("\nat each threshold (grade ≥ t):")
        lines.append(f"{'model':<22}" + "".join(f"{'F1@' + t:>9}{'ROC@' + t:>9}" for t in thresholds))
        rows = {metrics["classifier"]: metrics["by_threshold"]}
        rows.update({f"baseline {n}": v["by_threshold"] for n, v in metrics["baselines"].items()
                     if isinstance(v, dict) and "by_threshold" in v})  # fmt: skip
        for name, by_threshold in rows.items():
            lines.append(f"{name:<22}" + "".join(
                f"{_number(by_threshold[t]['f1']):>9}{_number(by_threshold[t]['roc_auc']):>9}" for t in thresholds
            ))  # fmt: skip
    return "\n".join(lines)
