"""Classifier quality on real labels: every trainable kind next to the baselines, on held-out splits.

For each labelled set and each seed, the labels are split at random into train and test; every model kind is
trained on the train split with its default settings and scored on the test split, next to the baselines of
`classifiers/baselines.py` fitted on the same train split (constant, document length, word TF-IDF). Printed: mean
and spread (min–max over seeds) of MSE (graded labels), ROC-AUC and F1 of "grade ≥ threshold".

Sets (../shared/data):
  legal        labeled_edu/fineweb_legal_mistral: 2,800 web pages, LLM grades 0–5 (legal value), threshold 3
  legal-150    the same, trained on 150 pages only (the small-label regime), tested on 1,000 others
  danish       labeled_edu/fineweb_c_danish_human: 806 Danish pages, human grades 0–3, threshold 1
  danish-bin   the same labels as binary (grade ≥ 1), trained as binary
  code         code/index.jsonl: 322 source files, edu_hint high/medium/low → 4/2/0, threshold 3

    python benchmarks/classifiers/quality.py                 # all sets, 3 seeds, linear + fastText
    python benchmarks/classifiers/quality.py --embedding     # also the frozen-MiniLM + ridge kind (slow on CPU)
    python benchmarks/classifiers/quality.py --sets code --seeds 1
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

DEFAULT_SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
SHARED_DATA = Path(os.environ.get("SMOLCORPUS_SHARED_DATA", DEFAULT_SHARED_DATA))
EDU_GRADES = {"high": 4, "medium": 2, "low": 0}


def _jsonl(path: Path) -> tuple[list[str], np.ndarray]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r["text"] for r in rows], np.array([float(r["score"]) for r in rows])


def load_set(name: str):
    """(texts, scores, kind, threshold, train size or None for 70%, test size or None for the rest)."""
    if name.startswith("legal"):
        texts, scores = _jsonl(SHARED_DATA / "labeled_edu" / "fineweb_legal_mistral" / "data.jsonl")
        return (texts, scores, "graded", 3.0, 150, 1000) if name == "legal-150" else (texts, scores, "graded",
                                                                                        3.0, None, None)  # fmt: skip
    if name.startswith("danish"):
        texts, scores = _jsonl(SHARED_DATA / "labeled_edu" / "fineweb_c_danish_human" / "data.jsonl")
        if name == "danish-bin":
            return texts, (scores >= 1).astype(float), "binary", 1.0, None, None
        return texts, scores, "graded", 1.0, None, None
    if name == "code":
        texts, scores = [], []
        for line in (SHARED_DATA / "code" / "index.jsonl").read_text().splitlines():
            entry = json.loads(line)
            texts.append((SHARED_DATA / entry["file"]).read_bytes().decode("utf-8", errors="replace"))
            scores.append(EDU_GRADES[entry["edu_hint"]])
        return texts, np.array(scores, dtype=float), "graded", 3.0, None, None
    raise SystemExit(f"unknown set {name!r}")


def train_model(kind: str, train, threshold: float):
    from smolcorpus.classifiers.kinds import trainable_kind

    trainer = trainable_kind(kind)
    return trainer.train(train, "m", trainer.params_class()(threshold=threshold))


def run_set(name: str, kinds: list[str], seeds: int) -> dict[str, list[dict]]:
    from smolcorpus.classifiers.evaluate import evaluate
    from smolcorpus.classifiers.labels import LabeledData

    texts, scores, kind, threshold, n_train, n_test = load_set(name)
    data = LabeledData([str(i) for i in range(len(texts))], texts, scores, kind)
    results: dict[str, list[dict]] = {}
    for seed in range(seeds):
        order = np.random.default_rng(seed).permutation(len(texts))
        n_train_here = n_train or int(0.7 * len(texts))
        train = data.subset(order[:n_train_here])
        test = data.subset(order[n_train_here : n_train_here + n_test] if n_test else order[n_train_here:])
        for model_kind in kinds:
            metrics = evaluate(train_model(model_kind, train, threshold), test, baseline_train=train)
            results.setdefault(model_kind, []).append(metrics["headline"])
            if model_kind == kinds[0]:
                for baseline, numbers in metrics["baselines"].items():
                    if baseline != "folds":
                        results.setdefault(f"baseline: {baseline}", []).append(numbers)
        print(f"  {name}: seed {seed} done", file=sys.stderr)
    return results


def _cell(values: list[float | None]) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    return f"{np.mean(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", default=["legal", "legal-150", "danish", "danish-bin", "code"])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--embedding", action="store_true", help="also the frozen-encoder kind (slow on CPU)")
    args = parser.parse_args()
    if not SHARED_DATA.is_dir():
        sys.exit(f"needs the real data of ../shared/data (or $SMOLCORPUS_SHARED_DATA); not found at {SHARED_DATA}")
    kinds = ["linear", "fasttext"] + (["embedding"] if args.embedding else [])
    print(f"\nclassifier quality on held-out real labels: mean (min–max) over {args.seeds} random splits\n")
    print("| set | model | MSE | ROC-AUC | F1 |\n|---|---|---|---|---|")
    for name in args.sets:
        results = run_set(name, kinds, args.seeds)
        for model, rows in results.items():
            mse = _cell([r.get("mse") for r in rows])
            print(f"| {name} | {model} | {mse} | {_cell([r['roc_auc'] for r in rows])} | "
                  f"{_cell([r['f1'] for r in rows])} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
