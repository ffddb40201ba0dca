"""Progress bars (documents read, tasks finished) and --quiet, on a real tokenize run of the 181 articles (CLI in a
subprocess, as users run it)."""

import subprocess
import sys


def smolcorpus(*args):
    return subprocess.run([sys.executable, "-m", "smolcorpus.cli", *args], capture_output=True, text=True)


def test_progress_bars_and_quiet(real_corpus, tmp_path):
    loud = smolcorpus("tokenize", str(real_corpus / "articles"), "--output", str(tmp_path / "a"), "--tasks", "2")
    assert loud.returncode == 0, loud.stderr[-2000:]
    # documents read with their rate, and tasks finished; the manifest stage (no reader) counts tasks
    assert "stage tokenize: 181doc" in loud.stderr and "doc/s, tasks 2/2]" in loud.stderr, loud.stderr[-1500:]
    assert "stage manifest: 100%" in loud.stderr
    quiet = smolcorpus("--quiet", "tokenize", str(real_corpus / "articles"), "--output", str(tmp_path / "b"),
                       "--tasks", "2")  # fmt: skip
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert "stage tokenize: 2 task(s)" in quiet.stdout  # the summary still prints
    assert (tmp_path / "b" / "logs" / "tokenize" / "logs" / "task_00000.log").read_text()  # logs keep everything
