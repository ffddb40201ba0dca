"""Progress bars (documents read, rate, ETA when the total is known ahead, tasks finished) and --quiet, on real
runs through the CLI in a subprocess, as users run it."""

import json
import re
import subprocess
import sys

import yaml


def smolcorpus(*args):
    return subprocess.run([sys.executable, "-m", "smolcorpus.cli", *args], capture_output=True, text=True)


def final_bar(stderr: str, stage: str) -> str:
    """The last state of a stage's bar (tqdm rewrites the line with carriage returns)."""
    return [part for part in re.split(r"[\r\n]", stderr) if part.startswith(f"stage {stage}:")][-1]


def test_progress_bars_and_quiet(real_corpus, tmp_path):
    # Parquet input: the 181 rows are counted from the footers first, so the bar has a total and an ETA
    loud = smolcorpus("tokenize", str(real_corpus / "articles"), "--output", str(tmp_path / "a"), "--tasks", "2")
    assert loud.returncode == 0, loud.stderr[-2000:]
    bar = final_bar(loud.stderr, "tokenize")
    assert "100%" in bar and "181/181 [" in bar and "doc/s, tasks 2/2]" in bar, bar
    # a known total gives the ETA form elapsed<remaining; asserted on the last frame, which every run prints
    # (a frame from mid-run exists only if the run outlasts tqdm's refresh interval)
    assert re.search(r"181/181 \[\d\d:\d\d<\d\d:\d\d", bar), bar
    assert "stage manifest: 100%" in loud.stderr  # no reader: finished tasks out of all
    quiet = smolcorpus("--quiet", "tokenize", str(real_corpus / "articles"), "--output", str(tmp_path / "b"),
                       "--tasks", "2")  # fmt: skip
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert "stage tokenize: 2 task(s)" in quiet.stdout  # the summary still prints
    assert (tmp_path / "b" / "logs" / "tokenize" / "logs" / "task_00000.log").read_text()  # logs keep everything


def test_jsonl_input_has_a_document_count_without_total(real_corpus, tmp_path):
    run = smolcorpus("tokenize", str(real_corpus / "code"), "--output", str(tmp_path / "c"), "--tasks", "2")
    assert run.returncode == 0, run.stderr[-2000:]
    bar = final_bar(run.stderr, "tokenize")
    assert bar.startswith("stage tokenize: 322doc ") and "tasks 2/2]" in bar, bar


def test_later_stages_know_their_total_from_the_earlier_stage(shared_data, tmp_path):
    """Source trees are counted when listed; every later stage's total is what an earlier stage wrote."""
    roots = [shared_data / "code" / "python" / "TheAlgorithms__Python"]
    config = {"pipeline": "stack_edu", "name": "progress", "output_dir": str(tmp_path / "out"),
              "stack_edu": {"source_trees": {"roots": [str(r) for r in roots], "licenses": ["MIT"]}},
              "executor": {"tasks": 2, "workers": 2}}  # fmt: skip
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(config))
    run = smolcorpus("run", str(tmp_path / "run.yaml"))
    assert run.returncode == 0, run.stderr[-2000:]
    stats = json.loads((tmp_path / "out" / "logs" / "filter" / "stats.json").read_text())
    read = next(e for e in stats if "READER" in e["name"])["stats"]["documents"]
    written = next(e for e in stats if "WRITER" in e["name"])["stats"]["total"]
    assert final_bar(run.stderr, "filter").startswith("stage filter: 100%|")
    assert f"{read}/{read} [" in final_bar(run.stderr, "filter")
    for stage in ("exact_signatures", "minhash_signatures", "curate"):  # they read the filter stage's output
        bar = final_bar(run.stderr, stage)
        assert "100%" in bar and f"{written}/{written} [" in bar, bar


def xslt_trees_config(shared_data, output) -> dict:
    """A stack_edu run on two real repositories that share a stylesheet: every stage, MinHash's included."""
    roots = [shared_data / "code" / "xslt" / name for name in ("keirp__OpenWebMath", "opendatalab__magic-html")]
    return {"pipeline": "stack_edu", "output_dir": str(output),
            "stack_edu": {"source_trees": {"roots": [str(r) for r in roots]}, "languages": ["XSLT"],
                          "permissive_only": False, "filters": {"drop_vendored": False}},
            "executor": {"tasks": 2, "workers": 2}}  # fmt: skip


def run_on_terminal(args: list[str], env: dict | None = None) -> tuple[int, str]:
    """Run a command with stderr on a pseudo-terminal of 120 columns, as a user's shell does; (exit code, stderr)."""
    import fcntl
    import os
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal closed: the process and its children are gone
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return process.wait(), b"".join(chunks).decode("utf-8", errors="replace")


DATATROVE_BARS = ("Initializing pq", "Reading dup files")


def test_a_log_gets_a_line_per_stage_and_a_terminal_a_bar(shared_data, tmp_path):
    """Issue 29: where stderr is not a terminal (CI, nohup, Slurm), a stage writes its bar's text as whole lines,
    at most one every SMOLCORPUS_PROGRESS_SECONDS (here an hour: one line a stage), never a carriage return;
    on a terminal the bar is redrawn in place. datatrove's own bars (MinHash's "Reading dup files", exact dedup's
    "Initializing pq...") show in --verbose only. The outputs are the same either way."""
    import os

    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump(xslt_trees_config(shared_data, tmp_path / "log")))
    env = {**os.environ, "SMOLCORPUS_PROGRESS_SECONDS": "3600"}
    logged = subprocess.run([sys.executable, "-m", "smolcorpus.cli", "run", str(config)], capture_output=True,
                            text=True, env=env)  # fmt: skip
    assert logged.returncode == 0, logged.stderr[-2000:]
    stages = ["filter", "exact_signatures", "exact_find", "minhash_signatures", "minhash_buckets",
              "minhash_clusters", "curate", "tokenize", "summary"]  # fmt: skip
    assert "\r" not in logged.stderr
    assert [line.split(":")[0] for line in logged.stderr.splitlines()] == [f"stage {s}" for s in stages]
    assert "stage curate: 100%|" in logged.stderr and "tasks 2/2]" in logged.stderr
    assert not any(bar in logged.stderr for bar in DATATROVE_BARS)

    config.write_text(yaml.safe_dump(xslt_trees_config(shared_data, tmp_path / "terminal")))
    code, terminal = run_on_terminal([sys.executable, "-m", "smolcorpus.cli", "run", str(config)])
    assert code == 0, terminal[-2000:]
    assert terminal.count("\rstage minhash_clusters: ") >= 2  # drawn, then redrawn in place
    assert not any(bar in terminal for bar in DATATROVE_BARS)
    summary = (tmp_path / "log" / "summary.json").read_text()
    assert (tmp_path / "terminal" / "summary.json").read_text().replace("terminal", "log") == summary

    config.write_text(yaml.safe_dump(xslt_trees_config(shared_data, tmp_path / "verbose")))
    code, verbose = run_on_terminal([sys.executable, "-m", "smolcorpus.cli", "run", str(config), "--verbose"])
    assert code == 0 and all(bar in verbose for bar in DATATROVE_BARS), verbose[-2000:]


def test_a_line_progress_writes_at_most_one_line_per_interval():
    """LineProgress on a clock the test moves: refreshes within the interval write nothing, the first after it
    writes the bar's text, closing writes the final state once."""
    import io

    from smolcorpus.runtime.progress import LineProgress

    now = [0.0]
    out = io.StringIO()
    bar = LineProgress(total=10, desc="stage filter", unit="doc", file=out, interval=30, clock=lambda: now[0])
    for second in range(0, 65, 5):
        now[0] = float(second)
        bar.n = second // 10
        bar.set_postfix_str(f"tasks {second // 30}/2")
    bar.n = 10
    bar.close()
    bar.close()
    lines = out.getvalue().splitlines()
    assert [line.split("|")[0] for line in lines] == ["stage filter:  30%", "stage filter:  60%", "stage filter: 100%"]
    assert lines[0].endswith("tasks 1/2]") and lines[-1].startswith("stage filter: 100%|██████████| 10/10 [01:00<")
