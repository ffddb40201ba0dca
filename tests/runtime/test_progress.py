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
