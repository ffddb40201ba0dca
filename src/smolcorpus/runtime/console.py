"""What a run shows on the console. Three modes:

- `normal` (the default): progress bars, warnings and errors, the summary; datatrove's INFO lines and per-task
  stats blocks go only to the task log files (`logs/<stage>/logs/task_NNNNN.log`, which always keep everything);
- `verbose`: everything datatrove prints, as datatrove prints it;
- `quiet`: nothing but the summary (no bars, no logs; errors still end the run with a message).

datatrove re-creates its loguru console handler on `sys.stderr` whenever a task starts or ends, so the level cannot
be set once; instead, while a run lasts, `sys.stderr` is a `LogLevelFilter` that drops loguru records below
WARNING and passes everything else (progress bars, warnings, tracebacks) through, and the console handler is
re-created on it. Task processes get the same
filter when they start (`CONSOLE_ENV` tells them the mode).

datatrove's steps draw bars of their own inside a task ("Initializing pq...", "Reading dup files", files read):
one per task, drawn over the stage's bar. They are shown in `verbose` mode only (`hide_datatrove_bars`)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys

from datatrove.utils.logging import setup_default_logger

CONSOLE_ENV = "SMOLCORPUS_CONSOLE"  # the mode of the run in progress; task processes inherit it
MODES = ("normal", "verbose", "quiet")
# a loguru record as datatrove formats it (console or task format, optional [NODE n] prefix), below WARNING
_QUIET_RECORD = re.compile(r"(?:\[NODE \d+\] )?\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \| (?:TRACE|DEBUG|INFO|SUCCESS)\b")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# datatrove WARNING records about one task's share that are normal when a stage has more tasks than input files: a
# rank with no file to read, a rank with no duplicate to remove. Kept in the task logs, not on the console; a stage
# whose every task has nothing says so in one line of its own (IntermediateReader's warning).
_EXPECTED_WARNING = re.compile(
    r"(?:\[NODE \d+\] )?[\d :.-]+ \| WARNING +\| datatrove\.pipeline\.[\w.]+:run:\d+ - "
    r"(?:No files found on .* for rank=\d+|No \.remove file for rank=\d+\.?)\s*$"
)


def console_mode(quiet: bool = False, verbose: bool = False) -> str:
    return "quiet" if quiet else "verbose" if verbose else "normal"


class LogLevelFilter(io.TextIOBase):
    """A text stream that forwards writes to `stream`, except loguru records below WARNING and the expected
    warnings of tasks with nothing to do (loguru writes each record in one call, multi-line stats blocks included,
    so a record is dropped whole)."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        head = _ANSI.sub("", text[:400])
        if _QUIET_RECORD.match(head) or _EXPECTED_WARNING.fullmatch(head):
            return len(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", "utf-8")


def _datatrove_bar(*args, **kwargs):
    """tqdm, for datatrove's modules: disabled while the console is filtered (`normal` mode) or `quiet`."""
    from tqdm import tqdm

    if isinstance(sys.stderr, LogLevelFilter) or os.environ.get(CONSOLE_ENV) == "quiet":
        kwargs["disable"] = True
    return tqdm(*args, **kwargs)


def hide_datatrove_bars() -> None:
    """Have every datatrove module loaded in this process draw its tqdm bars through `_datatrove_bar`, so they
    show in `verbose` mode only (a display choice: the steps run the same). Idempotent; call it once the run's
    steps are imported (datatrove's modules name `tqdm` at import)."""
    from tqdm import tqdm

    for name, module in list(sys.modules.items()):
        if name.split(".")[0] == "datatrove" and getattr(module, "tqdm", None) is tqdm:
            module.tqdm = _datatrove_bar


@contextlib.contextmanager
def filtered_stderr(mode: str):
    """In `normal` mode, `sys.stderr` is a `LogLevelFilter` over the current stderr until the block ends, and
    datatrove's own bars are hidden (`hide_datatrove_bars`)."""
    if mode != "normal" or isinstance(sys.stderr, LogLevelFilter):
        yield
        return
    hide_datatrove_bars()
    original = sys.stderr
    sys.stderr = LogLevelFilter(original)
    setup_default_logger()  # loguru's console handler holds the stream it was given: give it the filter
    try:
        yield
    finally:
        sys.stderr = original
        setup_default_logger()


@contextlib.contextmanager
def run_console(mode: str):
    """For a run in the calling process: task processes learn the mode from `CONSOLE_ENV`, and this process's
    stderr is filtered in `normal` mode."""
    previous = os.environ.get(CONSOLE_ENV)
    os.environ[CONSOLE_ENV] = mode
    hide_datatrove_bars()
    try:
        with filtered_stderr(mode):
            yield
    finally:
        if previous is None:
            os.environ.pop(CONSOLE_ENV, None)
        else:
            os.environ[CONSOLE_ENV] = previous


def task_console_mode() -> str:
    """The mode a task process runs in (`normal` unless the run said otherwise)."""
    mode = os.environ.get(CONSOLE_ENV, "normal")
    return mode if mode in MODES else "normal"
