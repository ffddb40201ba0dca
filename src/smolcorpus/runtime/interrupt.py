"""Stopping a command on SIGTERM or SIGINT: its whole process tree, one line, exit code 128 + the signal.

What sends them: `kill PID`, `timeout`, Slurm at the end of a job's time, `docker stop` (SIGTERM), Ctrl-C (SIGINT).
A run is a tree of processes: the command, datatrove's multiprocess manager (forked from it, so it holds the output
folder's lock), the forkserver, the pool workers forked from it, and their children (extraction sandboxes). Python's
default SIGTERM ends the command alone: the manager then kept the lock (the next run was refused) and workers could
keep writing. Raising an exception in the command to unwind it is no cure either: a pool whose workers were killed
while holding its queue's lock (Slurm and `timeout` signal every process) hangs in its own teardown.

So `stop_tree_on_signals` makes both signals, in the command's process, do what a `kill -9` of the whole tree would
do, which a rerun is built to resume (completed tasks are skipped, an incomplete one starts over, files are renamed
only when complete): every descendant, as it is when the signal arrives, gets SIGTERM (a descendant that leads a
process group of its own gets it as a group), those still alive after `GRACE_SECONDS` get SIGKILL, and the command
writes one line and exits (`os._exit`: no Python teardown that could hang). The lock dies with the last process that
held it. Descendants orphaned earlier in the run stay in the tree: the command is their subreaper (Linux).

A second signal during the grace period kills what is left at once. A signal that was ignored when the command
started (`nohup`, a background job's SIGINT) stays ignored. Processes forked from the command inherit the handler;
in them it falls back to the signal's default action. The resource trackers of multiprocessing are left alone: they
ignore SIGTERM, hold no lock, and exit by themselves, after removing the run's semaphores, once the command is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator

GRACE_SECONDS = 5.0  # from SIGTERM to SIGKILL for descendants still alive
SIGNALS = (signal.SIGTERM, signal.SIGINT)
_PR_SET_CHILD_SUBREAPER, _PR_GET_CHILD_SUBREAPER = 36, 37
_PROC = os.path.isdir("/proc/self")


def exit_code(signum: int) -> int:
    """The shell's code for a process ended by `signum`: 143 for SIGTERM, 130 for SIGINT."""
    return 128 + signum


def _process_table() -> dict[int, tuple[int, int, int]]:
    """pid → (parent pid, process group, start time) of every live process (zombies left out)."""
    if not _PROC:  # macOS: psutil reads the same (not a runtime dependency; without it, no table)
        try:
            import psutil
        except ImportError:
            return {}
        table = {}
        for p in psutil.process_iter(["ppid", "status", "create_time"]):
            with contextlib.suppress(psutil.Error):
                if p.info["status"] != psutil.STATUS_ZOMBIE:
                    table[p.pid] = (p.info["ppid"], os.getpgid(p.pid), int(p.info["create_time"] * 100))
        return table
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()  # the command name, in parentheses, may hold spaces
        except OSError:  # exited meanwhile
            continue
        if fields[0] not in (b"Z", b"X"):
            # fields 4, 5 and 22 of proc(5): parent, process group, start time (clock ticks after boot)
            table[int(entry)] = (int(fields[1]), int(fields[2]), int(fields[19]))
    return table


def descendants(root: int, table: dict[int, tuple[int, int, int]] | None = None) -> dict[int, int]:
    """pid → start time of every live descendant of `root` (the start time tells a reused pid apart)."""
    table = _process_table() if table is None else table
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = {}, list(children.get(root, ()))
    while todo:
        pid = todo.pop()
        if pid not in found:
            found[pid] = table[pid][2]
            todo.extend(children.get(pid, ()))
    return found


def _resource_trackers() -> set[int]:
    """The pids of multiprocessing's and multiprocess's resource trackers started by this process."""
    pids = set()
    for name in ("multiprocessing.resource_tracker", "multiprocess.resource_tracker"):
        module = sys.modules.get(name)
        pid = getattr(getattr(module, "_resource_tracker", None), "_pid", None)
        if pid:
            pids.add(pid)
    return pids


def _release_semaphores() -> None:
    """Run the finalizers that a normal exit would run for this process's named semaphores (a pool's queue locks):
    they unlink them and tell the resource tracker, which then has nothing to clean up (nor to warn about) when it
    exits after this process."""
    for package in ("multiprocess", "multiprocessing"):
        util, synchronize = sys.modules.get(f"{package}.util"), sys.modules.get(f"{package}.synchronize")
        if util is None or synchronize is None:
            continue
        for finalizer in list(getattr(util, "_finalizer_registry", {}).values()):
            if getattr(finalizer, "_callback", None) is synchronize.SemLock._cleanup:
                with contextlib.suppress(Exception):
                    finalizer()


def _signal(procs: dict[int, int], signum: int) -> None:
    """Send `signum` to each of `procs` that is still the same process, and to the process groups they lead."""
    table = _process_table()
    own_group = os.getpgrp()
    for pid, start in procs.items():
        if table.get(pid, (0, 0, None))[2] != start:
            continue  # gone (its pid may be another process's now)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)
            if table[pid][1] == pid != own_group:  # a group of its own: its members may not all be in `procs`
                os.killpg(pid, signum)


def _alive(procs: dict[int, int]) -> dict[int, int]:
    table = _process_table()
    return {pid: start for pid, start in procs.items() if table.get(pid, (0, 0, None))[2] == start}


def stop_process_tree(root: int | None = None, grace: float = GRACE_SECONDS, spare: set[int] = frozenset()) -> int:
    """SIGTERM every descendant of `root` (default: this process) but `spare`, SIGKILL those alive after `grace`
    seconds and what they started meanwhile; return how many processes there were. Returns when all are gone
    (zombies, which hold nothing, count as gone), or after two more seconds."""
    root = os.getpid() if root is None else root
    procs = {pid: start for pid, start in descendants(root).items() if pid not in spare}
    _signal(procs, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while _alive(procs) and time.monotonic() < deadline:
        time.sleep(0.05)
    late = {pid: start for pid, start in descendants(root).items() if pid not in spare}
    procs.update(late)
    _signal(_alive(procs), signal.SIGKILL)
    deadline = time.monotonic() + 2.0
    while _alive(procs) and time.monotonic() < deadline:
        time.sleep(0.02)
    return len(procs)


def _subreaper(on: bool) -> bool:
    """Have orphaned descendants re-parented to this process instead of init (`on`), so that they stay in its
    tree, or not; return whether it was one before (Linux; elsewhere a no-op that returns False)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        was = ctypes.c_int(0)
        libc.prctl(_PR_GET_CHILD_SUBREAPER, ctypes.byref(was), 0, 0, 0)
        libc.prctl(_PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0)
        return bool(was.value)
    except (OSError, AttributeError):
        return False


@contextlib.contextmanager
def stop_tree_on_signals(grace: float = GRACE_SECONDS) -> Iterator[None]:
    """While inside, SIGTERM and SIGINT stop this process's whole tree and exit with `exit_code(signum)` after one
    line on stderr (the stderr of entry: a quiet run points fd 2 at /dev/null while a stage runs). See the module
    docstring. Main thread only (Python's rule for signal handlers)."""
    if threading.current_thread() is not threading.main_thread():  # no handlers there (a test's thread)
        yield
        return
    owner = os.getpid()
    stderr = os.dup(2)
    stopping: list[int] = []

    def stop(signum, frame):
        if os.getpid() != owner:  # a process forked from this one: the signal's default action
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        name = signal.Signals(signum).name
        # this process's other threads (a pool restarting the workers that die now) print nothing more
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        if stopping:  # a second signal while the first one's grace period runs: no more waiting
            stop_process_tree(owner, grace=0, spare=_resource_trackers())
            os.write(stderr, f"smolcorpus: stopped at once by a second {name}\n".encode())
            os._exit(exit_code(stopping[0]))
        stopping.append(signum)
        count = stop_process_tree(owner, grace=grace, spare=_resource_trackers())
        _release_semaphores()
        os.write(
            stderr,  # on a line of its own: a progress bar's line may have no end yet
            f"\nsmolcorpus: stopped by {name} (with its {count} child processes); rerun the same command "
            "to resume: completed tasks are skipped\n".encode(),
        )
        os._exit(exit_code(signum))

    previous = {}
    for signum in SIGNALS:
        if signal.getsignal(signum) != signal.SIG_IGN:
            previous[signum] = signal.signal(signum, stop)
    was_subreaper = _subreaper(True)
    try:
        yield
    finally:
        _subreaper(was_subreaper)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        os.close(stderr)
