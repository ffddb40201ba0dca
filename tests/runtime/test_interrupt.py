import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from smolcorpus.runtime.interrupt import descendants, exit_code

# A command inside `stop_tree_on_signals` with a tree of the kinds a run has: a forked child (like datatrove's manager,
# it inherits the handler), a child in a process group of its own with a child of its own, a child that ignores
# SIGTERM (only SIGKILL ends it), and an orphan (its parent exited; the command is its subreaper). It prints every
# pid, then waits for a signal.
TREE = """
import os, signal, sys, time
from smolcorpus.runtime.interrupt import stop_tree_on_signals

def child(setup=None):
    pid = os.fork()
    if pid == 0:
        if setup:
            setup()
        time.sleep(600)
        os._exit(0)
    return pid

with stop_tree_on_signals(grace=1.0):
    pids = [child()]
    r, w = os.pipe()
    leader = os.fork()
    if leader == 0:  # a process group of its own, with a child in it
        os.setpgid(0, 0)
        os.write(w, f"{child()}\\n".encode())
        time.sleep(600)
        os._exit(0)
    pids += [leader, int(os.read(r, 100))]
    pids.append(child(lambda: signal.signal(signal.SIGTERM, signal.SIG_IGN)))
    middle = os.fork()
    if middle == 0:  # leaves an orphan behind
        os.write(w, f"{child()}\\n".encode())
        os._exit(0)
    os.waitpid(middle, 0)
    pids.append(int(os.read(r, 100)))
    print(" ".join(map(str, pids)), flush=True)
    time.sleep(600)
"""


def start_tree(tmp_path, **popen):
    script = tmp_path / "tree.py"
    script.write_text(TREE)
    process = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True, **popen)  # fmt: skip
    pids = [int(pid) for pid in process.stdout.readline().split()]
    assert len(pids) == 5, process.stderr.read()
    return process, pids


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_the_whole_tree_with_one_line_and_its_exit_code(tmp_path, signum):
    process, pids = start_tree(tmp_path)
    assert set(pids) <= set(descendants(process.pid))  # the orphan too: re-parented to the command
    procs = [psutil.Process(pid) for pid in pids]
    started = time.monotonic()
    os.kill(process.pid, signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == exit_code(signum) == {signal.SIGTERM: 143, signal.SIGINT: 130}[signum]
    assert stderr.strip().splitlines() == [
        f"smolcorpus: stopped by {signal.Signals(signum).name} (with its 5 child processes); rerun the same "
        "command to resume: completed tasks are skipped"
    ]
    _, alive = psutil.wait_procs(procs, timeout=10)
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []
    assert time.monotonic() - started < 10  # the SIGTERM-proof child got SIGKILL after the 1 s grace


def test_an_ignored_signal_stays_ignored(tmp_path):
    """`nohup` and a background job's SIGINT: what the command was started to ignore, it ignores."""
    process, pids = start_tree(tmp_path, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    os.kill(process.pid, signal.SIGINT)
    time.sleep(0.5)
    assert process.poll() is None
    os.kill(process.pid, signal.SIGTERM)
    process.communicate(timeout=30)
    assert process.returncode == 143
    _, alive = psutil.wait_procs([psutil.Process(pid) for pid in pids if psutil.pid_exists(pid)], timeout=10)
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []
