"""Labelled examples for training and evaluating classifiers: read, validate, hash, split.

Labels come from `smolcorpus annotate` or from the user's own files: Parquet/JSONL(.gz) files or folders, or a
folder saved with `datasets.Dataset.save_to_disk`, with a text column and a score column. Graded labels are
0–5 (fractional scores from log-probability weighting are fine); binary labels are 0/1. Rows with a missing or
out-of-range score are skipped and counted; a file without the named columns is an error.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from smolcorpus.errors import SmolcorpusError
from smolcorpus.readers import DocumentFileReader
from smolcorpus.readers.documents import FALLBACK_ID_COLUMNS, fallback_id

MAX_GRADE = 5


class LabelsError(SmolcorpusError):
    """A labels file lacks the named columns or holds no usable rows."""


@dataclass
class LabeledData:
    """Parallel lists of ids, texts and scores, plus what was skipped and why."""

    ids: list[str]
    texts: list[str]
    scores: np.ndarray
    kind: str  # "graded" (0–5) or "binary" (0/1)
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # for the user: the labels look unlike their kind

    def __len__(self) -> int:
        return len(self.ids)

    def sha256(self) -> str:
        """Content hash of the examples (ids, texts, scores): recorded in a model's config.json."""
        digest = hashlib.sha256()
        for doc_id, text, score in zip(self.ids, self.texts, self.scores.tolist(), strict=True):
            digest.update(f"{doc_id}\x00{score}\x00".encode())
            digest.update(text.encode("utf-8", errors="replace"))
        return digest.hexdigest()

    def subset(self, indices: np.ndarray) -> LabeledData:
        return LabeledData(
            ids=[self.ids[i] for i in indices],
            texts=[self.texts[i] for i in indices],
            scores=self.scores[indices],
            kind=self.kind,
        )

    def int_labels(self) -> np.ndarray:
        return np.clip(np.rint(self.scores), 0, MAX_GRADE if self.kind == "graded" else 1).astype(int)

    def split(self, validation_fraction: float = 0.1, seed: int = 42) -> tuple[LabeledData, LabeledData]:
        """Stratified train/validation split by integer label (FineWeb-Edu's 90/10, seed 42)."""
        rng = np.random.default_rng(seed)
        labels = self.int_labels()
        train, validation = [], []
        for label in np.unique(labels):
            members = rng.permutation(np.flatnonzero(labels == label))
            n_val = int(round(len(members) * validation_fraction))
            if len(members) >= 2:
                n_val = min(max(n_val, 1), len(members) - 1)
            validation.extend(members[:n_val])
            train.extend(members[n_val:])
        return self.subset(np.sort(np.array(train, dtype=int))), self.subset(np.sort(np.array(validation, dtype=int)))


def load_labels(
    path: str,
    text_column: str = "text",
    score_column: str = "score",
    id_column: str = "id",
    kind: str = "graded",
) -> LabeledData:
    """Read labelled examples from Parquet/JSONL files or folders, or a `datasets.save_to_disk` folder."""
    if kind not in ("graded", "binary"):
        raise ValueError(f"label kind must be 'graded' or 'binary', not {kind!r}")
    ids, texts, raw_scores = _read_rows(path, text_column, score_column, id_column)
    if not ids:
        raise LabelsError(f"{path}: no rows with a {text_column!r} column")
    upper = MAX_GRADE if kind == "graded" else 1
    keep_ids, keep_texts, keep_scores = [], [], []
    skipped = {"missing_score": 0, "score_out_of_range": 0}
    for doc_id, text, score in zip(ids, texts, raw_scores, strict=True):
        try:
            value = float(score)
        except (TypeError, ValueError):
            skipped["missing_score"] += 1
            continue
        if math.isnan(value):
            skipped["missing_score"] += 1
        elif not 0 <= value <= upper or (kind == "binary" and value not in (0.0, 1.0)):
            skipped["score_out_of_range"] += 1
        else:
            keep_ids.append(doc_id)
            keep_texts.append(text)
            keep_scores.append(value)
    if not keep_ids:
        raise LabelsError(f"{path}: no row has a usable {score_column!r} ({kind}: 0–{upper}); skipped {skipped}")
    warnings = []
    if kind == "graded" and set(keep_scores) <= {0.0, 1.0}:
        warnings.append(
            f"{path}: every {score_column!r} is 0 or 1, yet the labels are read as 0–5 grades; pass --labels binary "
            "if they are yes/no labels (a graded model would learn to predict at most 1)"
        )
    return LabeledData(keep_ids, keep_texts, np.asarray(keep_scores, dtype=np.float64), kind, skipped, warnings)


def _read_rows(path: str, text_column: str, score_column: str, id_column: str) -> tuple[list, list, list]:
    if Path(path).is_dir() and (Path(path) / "dataset_info.json").is_file():
        import datasets

        dataset = datasets.load_from_disk(path)
        if isinstance(dataset, datasets.DatasetDict):
            dataset = dataset[next(iter(dataset))]
        missing = [c for c in (text_column, score_column) if c not in dataset.column_names]
        if missing:
            raise LabelsError(f"{path}: no column(s) {missing}; columns are {dataset.column_names}")
        if id_column in dataset.column_names:
            ids = [str(i) for i in dataset[id_column]]
        else:  # the rows' own names (repository and path, url, ...), as DocumentFileReader gives them
            named = {c: dataset[c] for columns in FALLBACK_ID_COLUMNS for c in columns if c in dataset.column_names}
            rows = ({c: values[i] for c, values in named.items()} for i in range(len(dataset)))
            ids = [fallback_id(row, Path(path).name, i) for i, row in enumerate(rows)]
        return ids, dataset[text_column], dataset[score_column]
    reader = DocumentFileReader([path], text_column=text_column, id_column=id_column)
    ids, texts, scores = [], [], []
    for document in reader.run():
        ids.append(document.id)
        texts.append(document.text)
        scores.append(document.metadata.get(score_column))
    if not ids:
        raise LabelsError(f"{path}: no row has a non-empty {text_column!r} column; {_columns_message(path)}")
    if all(score is None for score in scores):
        raise LabelsError(f"{path}: no {score_column!r} column (pass --score-column); {_columns_message(path)}")
    return ids, texts, scores


def _columns_message(path: str) -> str:
    """ "columns are [...]" for the first document file of `path` (its first record's keys for JSONL)."""
    import orjson

    from smolcorpus.readers.documents import document_format, list_document_files

    try:
        first = list_document_files([path])[0]
        fmt = document_format(first)
        if fmt == "parquet":
            import pyarrow.parquet as pq

            columns = pq.ParquetFile(first).schema_arrow.names
        else:
            import fsspec

            with fsspec.open(first, "rb", compression="infer") as f:
                line = f.readline(1 << 20)
            if fmt in ("csv", "tsv"):
                import csv

                columns = next(csv.reader([line.decode("utf-8", "replace")], delimiter="," if fmt == "csv" else "\t"))
            else:
                columns = list(orjson.loads(line))
    except Exception:  # the message is a courtesy: never hide the real error behind a second one
        return "its columns could not be read"
    return f"columns are {columns}"
