import json

import pyarrow.parquet as pq
import pytest

from smolcorpus.demo.labels import CODE_RULE, WEB_RULE
from smolcorpus.demo.run import CODE_CLASSIFIER, CODE_THRESHOLD, WEB_CLASSIFIER, WEB_SUBSETS, run_demo
from smolcorpus.readers.installed import installed_documents, installed_source_trees
from smolcorpus.tokenize import read_manifest


def _rows(folder) -> list[dict]:
    return [row for path in sorted(folder.glob("*.parquet")) for row in pq.read_table(path).to_pylist()]


@pytest.mark.slow
def test_demo_runs_offline_end_to_end(demo_run):
    """The session's demo run (tests/conftest.py; the publish tests publish the same outputs), then a rerun."""
    output, summary, console = demo_run
    documents = installed_documents()
    manifest = read_manifest(str(output / "tokens"))
    assert manifest["num_documents"] == len(documents) > 50
    assert manifest["num_tokens"] > 100_000
    assert f"tokenized   {len(documents):,} documents" in summary
    assert "training sequences of 2048 tokens" in summary
    # the default console (progress bars, this process's warnings) and the summary stay well under 100 lines;
    # the task processes' few warnings, not captured here, fit in the margin
    assert "stage curate" in console
    assert console.count("\n") + len(summary.splitlines()) < 90
    # the code part: installed source trees through the stack_edu pipeline, scored by the demo's code classifier
    code = output / "code"
    funnel = json.loads((code / "summary.json").read_text())
    python = funnel["languages"]["Python"]
    assert python["kept"]["files"] > 50 and python["kept"]["tokens"] > 100_000
    assert python["read"] == python["kept"]["files"] + python["dropped_files"]
    # the score threshold both keeps and drops
    assert funnel["dropped_by_reason"]["edu_threshold/below_threshold_Python"] > 50
    curated = _rows(code / "curated" / "python")
    assert {row["repo_name"] for row in curated} <= {tree.repo_name for tree in installed_source_trees()}
    assert all(row["license_type"] == "permissive" for row in curated)
    assert all(row["score"] is not None and row["int_score"] >= CODE_THRESHOLD for row in curated)
    assert all(round(min(max(row["score"], 0), 5)) == row["int_score"] for row in curated)
    assert read_manifest(str(code / "tokens" / "python"))["num_documents"] == len(curated)
    # the web-math part: NumPy docstrings in four math markups, through the finemath pipeline, graded into subsets
    web = output / "web" / "corpus"
    (broadest, low), (narrowest, high) = sorted(WEB_SUBSETS.items(), key=lambda item: item[1])
    rows = _rows(web / "curated" / broadest)
    numpy_rows = [row for row in rows if "/numpy/" in row["url"]]
    assert len(numpy_rows) >= 20 and sum("$$" in row["text"] for row in numpy_rows) >= 15
    assert not any("/python/" in row["url"] for row in rows)  # help topics carry no math: prefiltered
    assert all(row["score"] is not None and row["int_score"] >= low for row in rows)
    top = _rows(web / "curated" / narrowest)
    assert all(row["int_score"] >= high for row in top)
    assert {row["id"] for row in top} < {row["id"] for row in rows}  # the higher grade keeps fewer pages
    assert "web math" in summary and "formulas as TeX" in summary
    # each run's report draws its classifier's histogram from the scorer's counters
    for report, name in ((code / "report.html", "edu"), (web / "report.html", "math")):
        page = report.read_text()
        assert '<h2 id="scores">Classifier scores</h2>' in page and f'alt="{name} scores"' in page
        assert 'class="thresholds"' in page  # the run's threshold, written and drawn
    # the summary says how the labels were made, how the classifiers compare, and that these are demo labels
    assert CODE_RULE in summary and WEB_RULE in summary
    assert "held-out ROC-AUC" in summary and "TF-IDF" in summary and "constant" in summary
    assert "demo labels" in summary and "plumbing, not quality" in summary
    assert "smolcorpus annotate" in summary and "HuggingFaceTB/finemath-classifier" in summary
    assert f"edu score by {CODE_CLASSIFIER}" in summary and f"math grade by {WEB_CLASSIFIER}" in summary
    # a second run resumes: nothing is recomputed (the classifiers are not retrained), the result is the same
    models = sorted((output / "classifiers" / "models").rglob("model.bin"))
    assert len(models) == 2
    built = [path.stat().st_mtime_ns for path in models]
    again = run_demo(output, tasks=2, workers=2, quiet=True)
    assert read_manifest(str(output / "tokens"))["shards"] == manifest["shards"]
    assert [path.stat().st_mtime_ns for path in models] == built
    assert "smolcorpus demo: done" in again
    assert _scored_lines(again) == _scored_lines(summary) and len(_scored_lines(summary)) == 4


def _scored_lines(summary: str) -> list[str]:
    """The summary lines that carry scores: the held-out evaluation and the two runs' grade histograms."""
    keys = ("held-out", "code fastText 0.", "edu score by", "math grade by")
    return [line for line in summary.splitlines() if any(key in line for key in keys)]


@pytest.mark.slow
def test_the_closing_hints_run_in_a_fresh_shell(demo_run):
    """The demo's `try: … extract …` hint is typed as it will run here: `smolcorpus` when this installation is on
    PATH, else `.venv/bin/smolcorpus` (a fresh shell after `bash scripts/demo.sh` has no `smolcorpus`), and then a
    `next` line says how to activate the virtualenv."""
    import os
    import subprocess

    from smolcorpus.invocation import activate_hint, smolcorpus_command

    _, summary, _ = demo_run
    hint = next(line for line in summary.splitlines() if "try: " in line).split("try: ", 1)[1]
    assert hint.startswith(f"{smolcorpus_command()} extract ")
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", hint], capture_output=True, text=True,
                            env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")})  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "$$" in result.stdout or "\\(" in result.stdout  # the page's formulas, as TeX
    activate = activate_hint()
    assert (f"run `{activate}` (once per shell)" in summary) if activate else ("`smolcorpus` is not on" not in summary)
