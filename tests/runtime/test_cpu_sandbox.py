"""The CPU-time sandbox (runtime/cpu_sandbox.py): a document is stopped by the CPU time it costs, not by the wall
time it waits, also inside C code; the next document gets a fresh process."""

import multiprocessing
import os
import re
import signal
import threading
import time

import pytest

from smolcorpus.runtime.cpu_sandbox import CpuSandbox, SandboxFailure, cpu_seconds

LIMIT = 0.3  # CPU seconds


def work(task: str):
    """What the child runs: an uppercased echo, or the misbehaviour `task` names."""
    if task == "burn":  # Python bytecode, forever
        while True:
            pass
    if task.startswith("sleep"):  # wall time without CPU
        time.sleep(float(task.split()[1]))
        return "slept"
    if task == "backtrack":  # C code (the re engine), 2^40 steps: no Python signal handler runs until it returns
        return bool(re.match(r"(a+)+$", "a" * 40 + "b"))
    if task == "die":
        os._exit(3)
    if task == "pid":
        return os.getpid()
    return task.upper()


def test_cpu_burn_is_stopped_and_the_next_document_gets_a_fresh_process():
    others = set(multiprocessing.active_children())  # other tests' in this worker, if any
    with CpuSandbox(LIMIT) as sandbox:
        first = sandbox.process_document("pid", work)
        assert sandbox.process_document("ok", work) == "OK"
        for _ in range(3):
            started = time.monotonic()
            with pytest.raises(TimeoutError, match="CPU time"):
                sandbox.process_document("burn", work)
            assert time.monotonic() - started < 30  # stopped, not waited out
            assert sandbox.process is None  # killed; the next document starts a new one
        assert sandbox.process_document("pid", work) != first
        assert sandbox.process_document("next", work) == "NEXT"
        # one child at a time, the killed ones reaped, and no list of them kept (memory bounded over restarts)
        assert set(multiprocessing.active_children()) - others == {sandbox.process} and sandbox.all_processes == []
        child = sandbox.process
    assert not child.is_alive()


def test_sleeping_longer_than_the_limit_is_not_stopped():
    """1.5 s of wall time at ≈ 0 CPU against a 0.3 s limit: the limit counts CPU, so the page is waited for."""
    with CpuSandbox(LIMIT) as sandbox:
        started = time.monotonic()
        assert sandbox.process_document("sleep 1.5", work) == "slept"
        assert time.monotonic() - started >= 1.5


def test_a_hang_in_c_code_is_stopped():
    with CpuSandbox(LIMIT) as sandbox:
        with pytest.raises(TimeoutError):
            sandbox.process_document("backtrack", work)
        assert sandbox.process_document("after", work) == "AFTER"


def test_a_dead_child_is_eof_error_and_the_next_document_works():
    with CpuSandbox(LIMIT) as sandbox:
        with pytest.raises(EOFError, match="exit code 3"):
            sandbox.process_document("die", work)
        assert sandbox.process_document("after", work) == "AFTER"


def test_a_child_without_cpu_progress_fails_the_sandbox_not_the_document():
    """SIGSTOPped mid-document: no CPU limit is ever reached. After `stall_seconds` without one tick of CPU the
    sandbox raises SandboxFailure (which fails the task) instead of deciding the page's fate by the clock."""
    with CpuSandbox(5, stall_seconds=0.5) as sandbox:
        pid = sandbox.process_document("pid", work)
        busy = cpu_seconds(pid) + 0.05

        def stop_when_busy():
            deadline = time.monotonic() + 30
            while cpu_seconds(pid) < busy and time.monotonic() < deadline:
                time.sleep(0.005)
            os.kill(pid, signal.SIGSTOP)

        stopper = threading.Thread(target=stop_when_busy)
        stopper.start()
        with pytest.raises(SandboxFailure, match="no CPU progress"):
            sandbox.process_document("burn", work)
        stopper.join()
        assert sandbox.process is None  # the stopped child was killed
        assert sandbox.process_document("after", work) == "AFTER"
