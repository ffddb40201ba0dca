"""Document-level progress of a stage whose tasks run in other processes.

`DocumentCounter` is a pass-through step placed after a stage's reader: each task rewrites
`<logging_dir>/progress/<rank>` with the number of documents it has read, at most once a second. `StageProgress`
(in the process that runs the executor) sums those files and the completion markers into one tqdm bar:
documents read, their rate, and the tasks finished out of all.

The bar has a total, hence an ETA, when the number of documents the stage will read is known before it starts
(`expected_documents`): what an earlier stage wrote into the folder its reader reads (every stage after the
first), or what the reader can count cheaply itself (`expected_documents()` on the reader: Parquet row counts
from the file footers, listed source files). WARC and JSONL inputs are not counted ahead (that would mean
reading them twice): their first stage shows documents, rate and finished tasks without a document ETA.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from pathlib import Path

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

PROGRESS_DIR = "progress"
WRITE_EVERY_SECONDS = 1.0


class DocumentCounter(PipelineStep):
    """Count the documents passing through and publish the count for the progress bar (documents unchanged)."""

    name = "⏱ Progress"
    type = "📊 - STATS"

    def __init__(self, logging_dir: str):
        super().__init__()
        self.folder = Path(logging_dir) / PROGRESS_DIR

    def _publish(self, rank: int, count: int) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f"{rank:05d}.partial"
        partial.write_text(str(count))
        os.replace(partial, self.folder / f"{rank:05d}")

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        count, last = 0, time.monotonic()
        for document in data or ():
            count += 1
            if time.monotonic() - last >= WRITE_EVERY_SECONDS:
                self._publish(rank, count)
                last = time.monotonic()
            yield document
        self._publish(rank, count)


def documents_read(logging_dir: str | Path) -> int:
    folder = Path(logging_dir) / PROGRESS_DIR
    total = 0
    if folder.is_dir():
        for path in folder.iterdir():
            if not path.name.endswith(".partial"):
                # a file being replaced right now is counted at the next poll
                with contextlib.suppress(OSError, ValueError):
                    total += int(path.read_text() or 0)
    return total


def tasks_finished(logging_dir: str | Path) -> int:
    """Completion markers datatrove wrote in `logging_dir/completions` (one per finished task)."""
    completions = Path(logging_dir) / "completions"
    return len(list(completions.iterdir())) if completions.is_dir() else 0


def documents_written(pipeline: list, logging_dir: str | Path) -> dict[str, int]:
    """Output folder → documents written there, for every writer of a finished stage (from its stats.json).

    `pipeline` must be the steps the stage ran, in order (stats.json has one entry per step)."""
    stats_file = Path(logging_dir) / "stats.json"
    if not stats_file.is_file():
        return {}
    written = {}
    for step, entry in zip(pipeline, json.loads(stats_file.read_text()), strict=False):
        folder = getattr(step, "output_folder", None)
        total = entry.get("stats", {}).get("total")
        if folder is not None and total is not None:
            written[folder.path.rstrip("/")] = int(total["total"] if isinstance(total, dict) else total)
    return written


def expected_documents(reader: PipelineStep, written: dict[str, int]) -> int | None:
    """Documents `reader` will yield over all tasks, if known before reading (see the module docstring)."""
    folder = getattr(reader, "data_folder", None)
    if folder is not None and folder.path.rstrip("/") in written:
        return written[folder.path.rstrip("/")]
    count = getattr(reader, "expected_documents", None)
    if callable(count):
        try:
            return count()
        except Exception:  # an estimate for a progress bar must never fail the run; the reader reports for real
            return None
    return None


class StageProgress:
    """A tqdm bar over a running stage: documents read (with rate, and ETA when `total` is known) and finished
    tasks out of all; a stage without a reader gets a bar of finished tasks. `disable`: no bar, no polling."""

    def __init__(self, name: str, tasks: int, logging_dir: str | Path, has_documents: bool,
                 total: int | None = None, disable: bool = False):  # fmt: skip
        self.name, self.tasks, self.logging_dir = name, tasks, Path(logging_dir)
        self.has_documents = has_documents
        self.total = total or None
        self.disable = disable
        self._stop = threading.Event()

    def _update(self, bar) -> None:
        done = tasks_finished(self.logging_dir)
        if self.has_documents:
            bar.n = documents_read(self.logging_dir)
            if bar.total is not None and bar.n > bar.total:  # the count was an estimate: drop it, not the bar
                bar.total = None
            bar.set_postfix_str(f"tasks {done}/{self.tasks}", refresh=False)
        else:
            bar.n = done
        bar.refresh()

    def __enter__(self) -> StageProgress:
        from tqdm import tqdm

        if self.disable:
            return self
        if self.has_documents:
            self.bar = tqdm(total=self.total, desc=f"stage {self.name}", unit="doc", file=sys.stderr)
        else:
            self.bar = tqdm(total=self.tasks, desc=f"stage {self.name}", unit="task", file=sys.stderr)
        self._update(self.bar)
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()
        return self

    def _poll(self) -> None:
        while not self._stop.wait(0.5):
            self._update(self.bar)

    def __exit__(self, *exc) -> None:
        if self.disable:
            return
        self._stop.set()
        self.thread.join()
        self._update(self.bar)
        if self.has_documents and self.bar.total is not None and exc[0] is None:
            # rows the reader dropped (bad rows, skipped files) were counted ahead but never read as documents
            self.bar.total = self.bar.n
        self.bar.close()


class SlurmProgress:
    """One tqdm bar while waiting for a submitted Slurm chain: tasks finished over all stages (from the completion
    markers on the shared filesystem), named after the first stage still running. `disable`: no bar."""

    def __init__(self, stages: list[tuple[str, int, str | Path]], disable: bool = False):
        self.stages = [(name, tasks, Path(logging_dir)) for name, tasks, logging_dir in stages]
        self.disable = disable

    def __enter__(self) -> SlurmProgress:
        from tqdm import tqdm

        total = sum(tasks for _, tasks, _ in self.stages)
        self.bar = tqdm(total=total, desc="slurm", unit="task", file=sys.stderr, disable=self.disable)
        self.update()
        return self

    def update(self) -> None:
        if self.disable:
            return
        done, running = 0, None
        for name, tasks, logging_dir in self.stages:
            finished = min(tasks_finished(logging_dir), tasks)
            done += finished
            if running is None and finished < tasks:
                running = name
        self.bar.n = done
        self.bar.set_description_str(f"slurm: stage {running}" if running else "slurm: done", refresh=False)
        self.bar.refresh()

    def __exit__(self, *exc) -> None:
        self.update()
        self.bar.close()
