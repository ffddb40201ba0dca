"""Annotate documents with an LLM judge, resumably: `<output>/annotations.jsonl`, one record per document id.

Each record holds the text, the score (or the failure reason), the justification, the rubric name and version and
the model. Records are appended and fsync'ed as answers arrive, so a crash loses at most the requests in flight.
A rerun first compacts the file to its successful records (failures are retried), then annotates only the ids
that are missing: no duplicates, no gaps. The file is directly usable as training labels
(`smolcorpus classifier train --data <output>/annotations.jsonl`; failed rows have no score and are skipped).
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from datatrove.data import Document

from smolcorpus.classifiers.judge import Judge
from smolcorpus.classifiers.rubrics import Rubric, get_rubric
from smolcorpus.readers import DocumentFileReader
from smolcorpus.runtime.progress import progress_bar

ANNOTATIONS_NAME = "annotations.jsonl"


@dataclass
class AnnotationSummary:
    output: Path
    documents: int
    already_done: int
    annotated: int
    failed: int  # for an import: rows without a usable score (counted by load_labels)
    duplicate_ids: int
    imported: bool = False
    truncated: int = 0  # documents cut to the character budget before prompting
    max_chars: int = 0
    prompt_tokens: int = 0  # sent, summed over this run's answers whose server reported `usage`
    completion_tokens: int = 0  # received
    without_usage: int = 0  # answers whose server reported no token counts

    def render(self) -> str:
        if self.imported:
            return (
                f"{self.documents} label rows: {self.annotated} imported, {self.already_done} already there, "
                f"{self.failed} skipped (missing or out-of-range score) → {self.output}"
            )
        lines = [
            f"{self.documents} documents: {self.already_done} already annotated, {self.annotated} annotated now, "
            f"{self.failed} failed (reasons in the file; rerun to retry), {self.duplicate_ids} duplicate ids "
            f"skipped → {self.output}",
            f"tokens this run: {self.prompt_tokens:,} sent, {self.completion_tokens:,} received"
            + (f" ({self.without_usage} answers without token counts from the server)" if self.without_usage else "")
            + f"; {self.truncated} documents cut to {self.max_chars:,} characters (--max-chars)",
        ]
        return "\n".join(lines)


def sample_documents(documents: Iterable[Document], n: int | None, seed: int = 0) -> tuple[list[Document], int]:
    """Up to `n` documents chosen by a seeded hash of their id (stable across runs and input order), and the
    number of duplicate ids dropped. `n=None` keeps them all, in input order."""
    seen: set[str] = set()
    duplicates = 0
    if n is None:
        kept = []
        for doc in documents:
            if doc.id in seen:
                duplicates += 1
                continue
            seen.add(doc.id)
            kept.append(doc)
        return kept, duplicates
    heap: list[tuple[int, str, Document]] = []  # max-heap on the hash (negated): keeps the n smallest
    for doc in documents:
        if doc.id in seen:
            duplicates += 1
            continue
        seen.add(doc.id)
        key = int.from_bytes(hashlib.sha256(f"{seed}:{doc.id}".encode()).digest()[:8], "big")
        if len(heap) < n:
            heapq.heappush(heap, (-key, doc.id, doc))
        elif -heap[0][0] > key:
            heapq.heapreplace(heap, (-key, doc.id, doc))
    return [doc for _, _, doc in sorted(heap, key=lambda item: -item[0])], duplicates


def read_annotations(path: Path) -> dict[str, dict]:
    """id → last record of an annotations file (a torn last line from a crash is ignored)."""
    records: dict[str, dict] = {}
    if not path.is_file():
        return records
    with path.open(encoding="utf-8") as f:
        for line in f:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            records[record["id"]] = record
    return records


def _compact(path: Path) -> dict[str, dict]:
    """Rewrite the file with one successful record per id (atomically); return those records."""
    done = {doc_id: r for doc_id, r in read_annotations(path).items() if r.get("status") == "ok"}
    if path.exists():
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            for record in done.values():
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    return done


class _AppendLog:
    """Append JSON lines from several threads; each line is flushed and fsync'ed before the next."""

    def __init__(self, path: Path):
        self._file = path.open("a", encoding="utf-8")
        self._lock = threading.Lock()

    def write(self, record: dict) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            self._file.write(line)
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()


def annotate(
    inputs: list[str],
    output_dir: str | Path,
    rubric: str,
    judge: Judge,
    sample: int | None = None,
    seed: int = 0,
    concurrency: int = 4,
    max_chars: int = 10_000,
    text_column: str = "text",
    language_column: str = "language",
    progress: bool = True,
) -> AnnotationSummary:
    """Grade every (or a sample of `sample`) document of `inputs` with `rubric`; see the module docstring.

    `rubric`: `web-edu`, `math`, `code:LANGUAGE`, or `code` (language from each document's `language_column`).
    Texts are cut to `max_chars` characters (default 10 000) before they go into the prompt.
    """
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    path = output / ANNOTATIONS_NAME
    documents, duplicates = sample_documents(DocumentFileReader(inputs, text_column=text_column).run(), sample, seed)
    done = _compact(path)
    todo = [doc for doc in documents if doc.id not in done]
    log = _AppendLog(path)
    failed = annotated = 0
    tokens = {"prompt_tokens": 0, "completion_tokens": 0, "without_usage": 0}
    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            futures = {pool.submit(_grade_one, judge, rubric, doc, max_chars, language_column): doc for doc in todo}
            # a bar on a terminal, a line every SMOLCORPUS_PROGRESS_SECONDS in a log
            bar = progress_bar(total=len(todo), desc="annotating", unit="doc", disable=not progress)
            for future in as_completed(futures):
                record = future.result()
                log.write(record)
                if record.get("prompt_tokens") is None:
                    tokens["without_usage"] += "attempts" in record  # a request was made, and no usage came back
                else:
                    tokens["prompt_tokens"] += record["prompt_tokens"]
                    tokens["completion_tokens"] += record.get("completion_tokens") or 0
                if record["status"] == "ok":
                    annotated += 1
                else:
                    failed += 1
                bar.set_postfix(failed=failed)
                bar.update()
            bar.close()
    finally:
        log.close()
        judge.close()
    already = sum(1 for doc in documents if doc.id in done)
    truncated = sum(len(doc.text) > max_chars for doc in todo)
    return AnnotationSummary(path, len(documents), already, annotated, failed, duplicates, truncated=truncated,
                             max_chars=max_chars, **tokens)  # fmt: skip


def _rubric_for(spec: str, doc: Document, language_column: str) -> tuple[Rubric, str | None]:
    if spec == "code":
        language = doc.metadata.get(language_column)
        if not language:
            raise ValueError(f"rubric 'code' needs a {language_column!r} column (or use code:LANGUAGE)")
        return get_rubric(f"code:{language}"), language
    rubric = get_rubric(spec)
    return rubric, spec.split(":", 1)[1] if spec.startswith("code:") else None


def _grade_one(judge: Judge, rubric_spec: str, doc: Document, max_chars: int, language_column: str) -> dict:
    record = {"id": doc.id, "text": doc.text, "model": judge.model}
    try:
        rubric, language = _rubric_for(rubric_spec, doc, language_column)
        grade = judge.grade(rubric.prompt(doc.text[:max_chars], language, grade_only=judge.grade_only))
    except Exception as e:  # a bug or a bad document must not stop the other annotations
        return {**record, "status": "failed", "reason": f"{type(e).__name__}: {e}", "score": None}
    if judge.grade_only:  # the rubric asked for the total alone, and the answer was one grade token
        record["grade_only"] = True
    record.update(rubric=rubric.name, rubric_version=rubric.version, attempts=grade.attempts,
                  annotated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  truncated=len(doc.text) > max_chars, prompt_tokens=grade.prompt_tokens,
                  completion_tokens=grade.completion_tokens)  # fmt: skip
    if grade.score is None:
        return {**record, "status": "failed", "reason": grade.reason, "score": None}
    return {**record, "status": "ok", "score": grade.score, "grade": grade.grade, "weighted": grade.weighted,
            "justification": grade.justification}  # fmt: skip


def import_labels(
    data: str, output_dir: str | Path, text_column: str = "text", score_column: str = "score", kind: str = "graded"
) -> AnnotationSummary:
    """Bring existing labels into the annotations format (status ok, rubric 'import'); invalid rows are counted."""
    from smolcorpus.classifiers.labels import load_labels

    labels = load_labels(data, text_column=text_column, score_column=score_column, kind=kind)
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    path = output / ANNOTATIONS_NAME
    done = _compact(path)
    log = _AppendLog(path)
    added = 0
    try:
        for doc_id, text, score in zip(labels.ids, labels.texts, labels.scores.tolist(), strict=True):
            if doc_id in done:
                continue
            log.write({"id": doc_id, "text": text, "score": score, "grade": round(score), "status": "ok",
                       "rubric": "import", "source": data, "model": None})  # fmt: skip
            added += 1
    finally:
        log.close()
    skipped = sum(labels.skipped.values())
    return AnnotationSummary(path, len(labels) + skipped, len(labels) - added, added, skipped, 0, imported=True)
