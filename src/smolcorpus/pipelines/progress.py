"""Document-level progress of a stage whose tasks run in other processes.

`DocumentCounter` is a pass-through step placed after a stage's reader: each task rewrites
`<logging_dir>/progress/<rank>` with the number of documents it has read, at most once a second. `StageProgress`
(in the process that runs the executor) sums those files and the completion markers into one tqdm bar:
documents read, their rate, and the tasks finished out of all (the ETA comes from the task count).
"""

from __future__ import annotations

import contextlib
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


class StageProgress:
    """A tqdm bar over a running stage: documents read (with rate) and finished tasks out of all."""

    def __init__(self, name: str, tasks: int, logging_dir: str | Path, has_documents: bool):
        self.name, self.tasks, self.logging_dir = name, tasks, Path(logging_dir)
        self.has_documents = has_documents
        self._stop = threading.Event()

    def _tasks_done(self) -> int:
        completions = self.logging_dir / "completions"
        return len(list(completions.iterdir())) if completions.is_dir() else 0

    def _update(self, bar) -> None:
        done = self._tasks_done()
        if self.has_documents:
            bar.n = documents_read(self.logging_dir)
            bar.set_postfix_str(f"tasks {done}/{self.tasks}", refresh=False)
        else:
            bar.n = done
        bar.refresh()

    def __enter__(self) -> StageProgress:
        from tqdm import tqdm

        if self.has_documents:
            self.bar = tqdm(desc=f"stage {self.name}", unit="doc", file=sys.stderr)
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
        self._stop.set()
        self.thread.join()
        self._update(self.bar)
        self.bar.close()
