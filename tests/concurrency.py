"""A check that a file lock makes concurrent processes do a piece of work once."""

import multiprocessing
import queue
import time

import pytest


def assert_two_processes_do_the_work_once(target, *args) -> None:
    """Fork two processes running `target(*args, ready, calls, go)`. Each puts its pid on `ready` before it asks for
    the work; the work itself (patched in by `target`) puts the pid on `calls` and waits for `go`. Passes when only
    one of them did the work, the other having waited for it and reused its result."""
    context = multiprocessing.get_context("fork")
    ready, calls, go = context.Queue(), context.Queue(), context.Event()
    children = [context.Process(target=target, args=(*args, ready, calls, go)) for _ in range(2)]
    for child in children:
        child.start()
    ready.get(timeout=120), ready.get(timeout=120)
    first = calls.get(timeout=120)  # one is working; the other is waiting on the lock (or about to)
    time.sleep(1)  # without the lock, the other would be working too by now
    go.set()
    for child in children:
        child.join(300)
        assert child.exitcode == 0
    with pytest.raises(queue.Empty):  # a second call would be in the queue: both children have exited
        calls.get(timeout=2)
    assert first in {child.pid for child in children}
