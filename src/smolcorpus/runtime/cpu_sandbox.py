"""A function run on one document at a time in a long-lived child process, stopped when that document has cost
more than a limit of CPU time (user + system seconds of the child), not of wall-clock time.

Why CPU time: a wall-clock limit (datatrove's `ExtractorSandbox`) also counts the time the child waits for a CPU,
so on a loaded node pages are dropped that an idle run keeps, and what a run keeps depends on how busy the machine
was. The CPU time a document costs does not include that wait; the same input gets the same verdict.

How it is measured: the parent reads the child's CPU time from `/proc/<pid>/stat` (utime + stime of all its
threads, in clock ticks: 10 ms), between short waits on the pipe. The kernel keeps that count whatever the child
is doing, so a document stuck in C code (an lxml parse, a backtracking regular expression) is stopped like any
other: the parent kills the child (SIGTERM, then SIGKILL) and starts a new one. Alternatives rejected:
`RLIMIT_CPU` counts whole seconds and the whole life of the process, not one document; the child timing itself
(`os.times`, a signal handler) cannot act while the interpreter is inside C code; psutil would read the same
file but is not a runtime dependency (it is used off Linux, where there is no `/proc`).

The verdict depends on the CPU count alone, not on when the parent looked: a document whose answer arrives after
it passed the limit is over the limit too (`TimeoutError`), so a poll that came late keeps nothing a prompt one
would drop. CPU time is not perfectly constant either (a shared core's cache and SMT contention inflate it: +8% for
the math_dev pages beside four busy loops on their core, while their wall time grew 5.5x), so a limit is a guard
against pathological pages, set well above what ordinary pages cost.

A child that makes no CPU progress at all (stopped by SIGSTOP, blocked in a system call, asleep) never reaches a
CPU limit. It is not a verdict about the document, so it is not turned into a drop: after `stall_seconds` of
wall-clock time without one tick of CPU the sandbox raises `SandboxFailure`, which fails the task (a rerun
retries it) instead of deciding what is kept. Under load a runnable child still gets CPU every few milliseconds,
so load alone never triggers it. A document that sleeps for less than that is waited for, however far past the
CPU limit.

The worker loop (warm-up, then one document at a time), its OOM priority (the child is the first process the kernel
kills when memory runs out) and the stopping of a child (SIGTERM, SIGKILL) come from datatrove's `ExtractorSandbox`:
a child that dies (out of memory, a crash, an exception in the function) gives `EOFError` and a fresh child for the
next document. The parent holds one child at a time and keeps no list of past ones (datatrove's keeps every
process it started until the end of the task), so memory stays bounded over any number of restarts.
"""

from __future__ import annotations

import os
import time
from multiprocessing import Pipe, Process

from datatrove.pipeline.extractors.base import ExtractorSandbox

from smolcorpus.errors import SmolcorpusError

POLL_SECONDS = 0.05  # longest wait on the pipe between two reads of the child's CPU time
MIN_POLL_SECONDS = 0.005
STALL_SECONDS = 300.0  # wall seconds without any CPU progress before the sandbox gives up (SandboxFailure)
WARMUP_CPU_SECONDS = 60.0  # CPU budget of a new child's warm-up call (not counted against any document)
_PROC = os.path.exists("/proc/self/stat")
_TICK = os.sysconf("SC_CLK_TCK") if _PROC else 100


class SandboxFailure(SmolcorpusError, RuntimeError):
    """The sandbox itself failed (its warm-up crashed or overran, or its child made no CPU progress): not a verdict
    about the document. Steps let it fail the task instead of counting a drop; the CLI prints it."""


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` (all its threads). EOFError if it has exited."""
    if not _PROC:  # macOS: psutil reads the same counters
        import psutil

        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            raise EOFError(f"process {pid} has exited") from None
        return times.user + times.system
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()  # the command name, in parentheses, may hold spaces
    except (FileNotFoundError, ProcessLookupError):
        raise EOFError(f"process {pid} has exited") from None
    if fields[0] in (b"Z", b"X"):  # exited, not yet reaped
        raise EOFError(f"process {pid} has exited")
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime (fields 14 and 15 of proc(5))


class CpuSandbox(ExtractorSandbox):
    """`process_document(text, fn)` runs `fn(text)` (or `fn(*text)` for a tuple) in the child and returns its
    result; raises `TimeoutError` when the document took more than `cpu_seconds` of CPU time (the child is then
    restarted), `EOFError` when the child died, `SandboxFailure` when the sandbox could not work (see the module
    docstring). As datatrove's sandbox, the child is started with the first call's `fn` and keeps it; use one
    sandbox per function, within `with`.

    Args:
        cpu_seconds: CPU-time limit per document.
        warmup: what the child runs once before its first document (a text, or a tuple of arguments), so that
            lazy imports and caches are paid there and not by whichever document comes first after a restart.
        stall_seconds: wall-clock seconds without any CPU progress of the child before `SandboxFailure`.
    """

    def __init__(self, cpu_seconds: float, warmup: object = "", stall_seconds: float = STALL_SECONDS):
        super().__init__(timeout=cpu_seconds, warmup_text=warmup)
        self.stall_seconds = stall_seconds

    def process_document(self, text, extract_fn):
        self._ensure_process(extract_fn)
        try:
            start = self._cpu_seconds("document")
            try:
                self.parent_conn.send(text)
            except OSError:  # the child died between two documents
                raise EOFError("sandbox process died") from None
            result = self._answer(start, self.timeout, "document")
        except (TimeoutError, EOFError, SandboxFailure):
            self._cleanup_process()
            raise
        if isinstance(result, Exception):
            raise result
        return result

    def _answer(self, start: float, limit: float, what: str):
        """The child's next message, waited for while it has spent at most `limit` CPU seconds since `start`."""
        progress, progress_at = 0.0, time.monotonic()
        while True:
            used = self._cpu_seconds(what) - start
            if used > limit:
                raise TimeoutError(f"the {what} took more than {limit:g} s of CPU time")
            if used > progress:
                progress, progress_at = used, time.monotonic()
            elif time.monotonic() - progress_at > self.stall_seconds:
                raise SandboxFailure(
                    f"sandbox process {self.process.pid} made no CPU progress for {self.stall_seconds:g} s (stopped, "
                    f"or blocked outside the CPU); the {what} neither finished nor reached its {limit:g} s CPU limit"
                )
            # a single-threaded child cannot spend more CPU than the wall time waited: waiting for what is left of
            # the limit (capped, for threaded functions) wakes the parent about when the limit can be reached
            if self.parent_conn.poll(min(POLL_SECONDS, max(limit - used, MIN_POLL_SECONDS))):
                try:
                    result = self.parent_conn.recv()
                except EOFError:  # its end of the pipe closed: the child died
                    raise self._died(what) from None
                if self._cpu_seconds(what) - start > limit:  # it finished, but past the limit: the same verdict
                    raise TimeoutError(f"the {what} took more than {limit:g} s of CPU time")
                return result
            if not self.process.is_alive():
                raise self._died(what)

    def _cpu_seconds(self, what: str) -> float:
        try:
            return cpu_seconds(self.process.pid)
        except EOFError:
            raise self._died(what) from None

    def _died(self, what: str) -> EOFError:
        self.process.join(1)  # it has closed its end of the pipe: it is exiting, if not already gone
        # the exit code: negative for the signal that killed it (-9: SIGKILL, e.g. the kernel's OOM killer)
        return EOFError(f"sandbox process died during the {what} (exit code {self.process.exitcode})")

    def _ensure_process(self, extract_fn):
        if self.process is not None and self.process.is_alive():
            return
        if self.process is not None:
            self._cleanup_process()
        self.parent_conn, self.child_conn = Pipe()
        self.process = Process(target=self._worker, args=(self.child_conn, extract_fn), daemon=True)
        self.process.start()
        self.child_conn.close()  # the child holds its end: its death reads as end of file here
        try:
            start = self._cpu_seconds("warm-up")
            self._answer(start, max(self.timeout, WARMUP_CPU_SECONDS), "warm-up")  # the ready signal
        except (TimeoutError, EOFError) as e:
            self._cleanup_process()
            raise SandboxFailure(f"sandbox process could not start: {e}") from e
        except SandboxFailure:
            self._cleanup_process()
            raise

    def __exit__(self, exc_type, exc_val, exc_tb):
        self._cleanup_process()  # the one child there is (datatrove's sandbox also keeps a list of every past one)
