"""Classifier scoring throughput on one core, on the same real documents, in one run:

  bare-fasttext-predict   fastText `predict` over normalised texts (the baseline, 1.00x)
  fasttext-step           smolcorpus ClassifierScorer with a fastText model (what pipelines run)
  embedding-step          ClassifierScorer with the frozen MiniLM encoder + ridge head (max length 256, its own)
  student-step            ClassifierScorer with the fastText student distilled from the embedding classifier

plus the student's agreement with its teacher (binary F1 at grade 3 on held-out documents).

Models are trained here first, from ../shared/data (code files labelled by their edu_hint), so the numbers are
about scoring speed, not about those small models' quality. Documents: the real texts of ../shared/data and of
this Python installation, cut to 4,000 characters (≈ 4 KB).

    python benchmarks/classifiers/run.py           # 2,000 documents (embedding step on 200)
    python benchmarks/classifiers/run.py --quick   # 400 documents (embedding step on 50)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
SHARED_DATA = Path(os.environ.get("SMOLCORPUS_SHARED_DATA", DEFAULT_SHARED_DATA))
DOC_CHARS = 4000


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)


def documents(n: int) -> list[tuple[str, str]]:
    import importlib.util

    # the tokenize benchmark's document mix (real texts of ../shared/data and of this Python installation)
    path = Path(__file__).resolve().parents[1] / "tokenize" / "run.py"
    spec = importlib.util.spec_from_file_location("tokenize_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    texts = [t[:DOC_CHARS] for t in module.base_texts() if len(t) >= 200]
    random.Random(0).shuffle(texts)  # mix code, articles and READMEs
    return [(f"doc-{i}", texts[i % len(texts)]) for i in range(n)]


def code_labels(folder: Path) -> Path:
    grades = {"high": 4, "medium": 2, "low": 0}
    rows = []
    for line in (SHARED_DATA / "code" / "index.jsonl").read_text().splitlines():
        entry = json.loads(line)
        text = (SHARED_DATA / entry["file"]).read_text(errors="replace")
        rows.append({"id": entry["file"], "text": text, "score": grades[entry["edu_hint"]]})
    path = folder / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def rate(function, items) -> float:
    started = time.perf_counter()
    function(items)
    return len(items) / (time.perf_counter() - started)


def step_rate(model_dir: Path, docs: list[tuple[str, str]]) -> float:
    from datatrove.data import Document

    from smolcorpus.classifiers.score import ClassifierScorer

    scorer = ClassifierScorer(str(model_dir), batch_size=64)
    batch = [Document(text=text, id=doc_id) for doc_id, text in docs]
    list(scorer.run(iter(batch[:64])))  # load the model outside the timing
    return rate(lambda items: list(scorer.run(iter(items))), batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if not SHARED_DATA.is_dir():
        sys.exit(f"needs the real data of ../shared/data (or $SMOLCORPUS_SHARED_DATA); not found at {SHARED_DATA}")
    pin_to_one_core()
    from smolcorpus.classifiers.base import load_classifier
    from smolcorpus.classifiers.distill import distill
    from smolcorpus.classifiers.embedding import EmbeddingParams
    from smolcorpus.classifiers.fasttext_classifier import FastTextParams, normalize_text
    from smolcorpus.classifiers.labels import load_labels
    from smolcorpus.classifiers.train import train_classifier

    n_docs, n_embed = (400, 50) if args.quick else (2000, 200)
    docs = documents(n_docs)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        labels = load_labels(str(code_labels(tmp)))
        train_classifier("fasttext", labels, tmp / "fasttext", "edu", FastTextParams(mode="grades"))
        train_classifier("embedding", labels, tmp / "embedding", "edu", EmbeddingParams(alpha=10.0))
        distill_docs = docs[: max(n_embed * 2, 200)]
        _, report = distill(tmp / "embedding", [d for d, _ in distill_docs], [t for _, t in distill_docs],
                            tmp / "student")  # fmt: skip

        # binary F1 at grade 3 against the true labels of the held-out split the teacher never trained on
        from smolcorpus.classifiers.evaluate import evaluate

        _, held_out = labels.split(0.1, 42)  # train_classifier's default split
        teacher_f1 = evaluate(load_classifier(tmp / "embedding"), held_out)["binary"]["f1"]
        student_f1 = evaluate(load_classifier(tmp / "student"), held_out)["binary"]["f1"]

        model = load_classifier(tmp / "fasttext").model
        normalized = [normalize_text(text) for _, text in docs]
        rows = [
            ("bare-fasttext-predict", rate(lambda items: model.predict(items, k=-1), normalized), len(docs)),
            ("fasttext-step", step_rate(tmp / "fasttext", docs), len(docs)),
            ("embedding-step", step_rate(tmp / "embedding", docs[:n_embed]), n_embed),
            ("student-step", step_rate(tmp / "student", docs), len(docs)),
        ]
    baseline = rows[0][1]
    print(f"\nclassifier scoring benchmark: real documents cut to {DOC_CHARS} characters, one core\n")
    print(f"{'path':<24}{'docs':>7}{'docs/s/core':>14}{'vs bare':>10}")
    for name, docs_per_s, n in rows:
        print(f"{name:<24}{n:>7}{docs_per_s:>14,.1f}{docs_per_s / baseline:>9.2f}x")
    embedding, student = rows[2][1], rows[3][1]
    print(f"\nstudent vs teacher: agreement F1 {report.agreement_f1:.3f} (held-out, grade ≥ 3), "
          f"speed-up {student / embedding:,.0f}x in the scoring step")  # fmt: skip
    print(f"binary F1 at grade 3 on {len(held_out)} held-out labelled files: teacher {teacher_f1:.3f}, "
          f"student {student_f1:.3f} (difference {student_f1 - teacher_f1:+.3f})")  # fmt: skip
    print(f"targets: fasttext-step ≥ 0.80x bare → {rows[1][1] / baseline:.2f}x; "
          f"student ≥ 50x teacher → {student / embedding:,.0f}x")  # fmt: skip


if __name__ == "__main__":
    main()
