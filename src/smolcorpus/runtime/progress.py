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

On a terminal the bar is redrawn in place. Where the console is not a terminal (a CI log, `nohup`, Slurm's output
file) every redraw would be a line of its own, hundreds a stage: there `progress_bar` gives a `LineProgress`,
which writes the same text as a line at most every `SMOLCORPUS_PROGRESS_SECONDS` seconds (default 30) and once
when the stage ends. The choice is the console's only; the run and its outputs are the same.
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
PROGRESS_SECONDS_ENV = "SMOLCORPUS_PROGRESS_SECONDS"  # seconds between progress lines where stderr is no terminal
DEFAULT_PROGRESS_SECONDS = 30.0


def progress_seconds() -> float:
    """Seconds between two lines of a `LineProgress` (`SMOLCORPUS_PROGRESS_SECONDS`, default 30; 0: every
    update)."""
    try:
        return max(0.0, float(os.environ.get(PROGRESS_SECONDS_ENV) or DEFAULT_PROGRESS_SECONDS))
    except ValueError:
        return DEFAULT_PROGRESS_SECONDS


class LineProgress:
    """A progress bar for a console that is not a terminal: tqdm's text of the bar, written as a whole line when
    `interval` seconds have passed since the last one (checked at each refresh), and once more when it closes.
    A stage shorter than the interval writes one line. The part of tqdm's interface the bars here use: `n`,
    `total`, `update`, `set_postfix(_str)`, `set_description_str`, `refresh`, `close`."""

    def __init__(self, total: float | None = None, desc: str = "", unit: str = "it", file=None,
                 interval: float | None = None, disable: bool = False, clock=time.monotonic):  # fmt: skip
        self.n, self.total, self.desc, self.unit, self.postfix = 0, total, desc, unit, ""
        self.file = file if file is not None else sys.stderr
        self.interval = progress_seconds() if interval is None else interval
        self.disable, self.clock = disable, clock
        self.start = self.last = clock()
        self.closed = False
        self.lock = threading.Lock()  # a poller thread refreshes while the caller's thread may close

    def line(self) -> str:
        from tqdm import tqdm

        return tqdm.format_meter(self.n, self.total, self.clock() - self.start, prefix=self.desc, unit=self.unit,
                                 postfix=self.postfix or None)  # fmt: skip

    def _write(self) -> None:
        self.last = self.clock()
        self.file.write(self.line() + "\n")
        self.file.flush()

    def refresh(self) -> None:
        with self.lock:
            if not self.disable and not self.closed and self.clock() - self.last >= self.interval:
                self._write()

    def update(self, n: float = 1) -> None:
        self.n += n
        self.refresh()

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        self.postfix = str(s)
        if refresh:
            self.refresh()

    def set_postfix(self, refresh: bool = True, **values) -> None:
        self.set_postfix_str(", ".join(f"{key}={value}" for key, value in values.items()), refresh)

    def set_description_str(self, desc: str | None = None, refresh: bool = True) -> None:
        self.desc = desc or ""
        if refresh:
            self.refresh()

    def close(self) -> None:
        with self.lock:
            if not self.disable and not self.closed:
                self._write()
            self.closed = True


def progress_bar(total: float | None = None, desc: str = "", unit: str = "it", disable: bool = False, file=None):
    """A tqdm bar on a terminal; a `LineProgress` where `file` (default: stderr) is not one (a log file, a pipe)."""
    file = file if file is not None else sys.stderr
    if file.isatty():
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit=unit, file=file, disable=disable)
    return LineProgress(total=total, desc=desc, unit=unit, file=file, disable=disable)


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
    """A bar over a running stage (`progress_bar`): documents read (with rate, and ETA when `total` is known) and
    finished tasks out of all; a stage without a reader gets a bar of finished tasks. `disable`: no bar, no
    polling."""

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
        if self.disable:
            return self
        if self.has_documents:
            self.bar = progress_bar(total=self.total, desc=f"stage {self.name}", unit="doc")
        else:
            self.bar = progress_bar(total=self.tasks, desc=f"stage {self.name}", unit="task")
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
    """One bar (`progress_bar`) while waiting for a submitted Slurm chain: tasks finished over all stages (from
    the completion markers on the shared filesystem), named after the first stage still running. `disable`: no
    bar."""

    def __init__(self, stages: list[tuple[str, int, str | Path]], disable: bool = False):
        self.stages = [(name, tasks, Path(logging_dir)) for name, tasks, logging_dir in stages]
        self.disable = disable

    def __enter__(self) -> SlurmProgress:
        total = sum(tasks for _, tasks, _ in self.stages)
        self.bar = progress_bar(total=total, desc="slurm", unit="task", disable=self.disable)
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
