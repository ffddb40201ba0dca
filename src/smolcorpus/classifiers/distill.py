"""Distillation: label a large unlabelled sample with a (slow, accurate) teacher, train a fastText student on
those labels, and report how well the student agrees with its teacher and how much faster it is.

Agreement is the student's binary F1 against the teacher's decisions at the threshold, on a held-out part of the
sample the student never trained on. Speed is documents per second of `score` for both, on the same texts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from smolcorpus.classifiers.base import Classifier, load_classifier
from smolcorpus.classifiers.fasttext_classifier import FastTextClassifier, FastTextParams
from smolcorpus.classifiers.labels import LabeledData


@dataclass
class DistillReport:
    documents: int
    agreement_f1: float
    teacher_docs_per_s: float
    student_docs_per_s: float

    @property
    def speedup(self) -> float:
        return self.student_docs_per_s / self.teacher_docs_per_s

    def as_dict(self) -> dict:
        return {
            "documents": self.documents,
            "agreement_f1": self.agreement_f1,
            "speedup": self.speedup,
            "teacher_docs_per_s": self.teacher_docs_per_s,
            "student_docs_per_s": self.student_docs_per_s,
        }


def _timed_scores(classifier: Classifier, texts: list[str]) -> tuple[np.ndarray, float]:
    started = time.perf_counter()
    scores = classifier.score(texts)
    return scores, len(texts) / max(time.perf_counter() - started, 1e-9)


def distill(
    teacher_dir: str | Path,
    ids: list[str],
    texts: list[str],
    student_dir: str | Path,
    params: FastTextParams | None = None,
    holdout_fraction: float = 0.1,
    seed: int = 0,
) -> tuple[FastTextClassifier, DistillReport]:
    """Train a fastText student on the teacher's scores of `texts`; save it with the report in its config."""
    from sklearn.metrics import f1_score

    teacher = load_classifier(teacher_dir)
    params = params or FastTextParams(mode="binary" if teacher.label_kind == "binary" else "grades")
    params.threshold = teacher.threshold
    # the teacher's speed is timed on this pass, the student's on the same documents below (scoring them all
    # again with the teacher only for the clock cost as much again)
    teacher_scores, teacher_speed = _timed_scores(teacher, texts)
    labels = LabeledData(list(ids), list(texts), np.asarray(teacher_scores, dtype=np.float64), "graded")
    if teacher.label_kind == "binary":
        labels = LabeledData(list(ids), list(texts), (teacher_scores >= 0.5).astype(np.float64), "binary")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(texts))
    n_holdout = max(1, int(len(texts) * holdout_fraction))
    holdout, train = np.sort(order[:n_holdout]), np.sort(order[n_holdout:])
    student = FastTextClassifier.train(labels.subset(train), f"{teacher.name}_student", params)

    student_scores, student_speed = _timed_scores(student, list(texts))
    student_scores = student_scores[holdout]
    teacher_positive = labels.scores[holdout] >= (0.5 if teacher.label_kind == "binary" else teacher.threshold)
    student_threshold = 0.5 if student.label_kind == "binary" else teacher.threshold
    agreement = float(f1_score(teacher_positive, student_scores >= student_threshold, zero_division=0))
    report = DistillReport(len(texts), agreement, teacher_speed, student_speed)
    student.config["distilled_from"] = {"teacher": str(teacher_dir), "teacher_name": teacher.name}
    student.save(student_dir, metrics={"distillation": report.as_dict()})
    return student, report


def distill_files(
    teacher_dir: str | Path,
    inputs: list[str],
    student_dir: str | Path,
    sample: int | None = None,
    text_column: str = "text",
    params: FastTextParams | None = None,
) -> tuple[FastTextClassifier, DistillReport]:
    """`distill` on (a seeded sample of) the documents of Parquet/JSONL files or folders."""
    from smolcorpus.classifiers.annotate import sample_documents
    from smolcorpus.readers import DocumentFileReader

    documents, _ = sample_documents(DocumentFileReader(inputs, text_column=text_column).run(), sample)
    return distill(teacher_dir, [d.id for d in documents], [d.text for d in documents], student_dir, params)
