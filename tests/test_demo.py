import json

import pyarrow.parquet as pq
import pytest

from smolcorpus.demo import run_demo
from smolcorpus.readers.installed import installed_documents, installed_source_trees
from smolcorpus.tokenize import read_manifest


@pytest.mark.slow
def test_demo_runs_offline_end_to_end(demo_run):
    """The session's demo run (tests/conftest.py; the publish tests publish the same outputs), then a rerun."""
    output, summary = demo_run
    documents = installed_documents()
    manifest = read_manifest(str(output / "tokens"))
    assert manifest["num_documents"] == len(documents) > 50
    assert manifest["num_tokens"] > 100_000
    assert f"tokenized   {len(documents):,} documents" in summary
    assert "training sequences of 2048 tokens" in summary
    # the code part: installed source trees through the stack_edu pipeline
    code = output / "code"
    funnel = json.loads((code / "summary.json").read_text())
    python = funnel["languages"]["Python"]
    assert python["kept"]["files"] > 100 and python["kept"]["tokens"] > 100_000
    assert python["read"] == python["kept"]["files"] + python["dropped_files"]
    curated = pq.read_table(code / "curated" / "python").to_pylist()
    assert {row["repo_name"] for row in curated} == {tree.repo_name for tree in installed_source_trees()}
    assert all(row["license_type"] == "permissive" and row["score"] is None for row in curated)
    assert read_manifest(str(code / "tokens" / "python"))["num_documents"] == len(curated)
    assert "edu scoring: off" in summary
    # the web-math part: NumPy docstrings in four math markups, through the finemath pipeline
    web = output / "web" / "corpus"
    rows = [row for path in (web / "curated" / "all").glob("*.parquet") for row in pq.read_table(path).to_pylist()]
    numpy_rows = [row for row in rows if "/numpy/" in row["url"]]
    assert len(numpy_rows) >= 20 and sum("$$" in row["text"] for row in numpy_rows) >= 15
    assert not any("/python/" in row["url"] for row in rows)  # help topics carry no math: prefiltered
    assert "web math" in summary and "formulas as TeX" in summary
    # a second run resumes: nothing is recomputed, the result is the same
    again = run_demo(output, tasks=2, workers=2)
    assert read_manifest(str(output / "tokens"))["shards"] == manifest["shards"]
    assert "smolcorpus demo: done" in again
