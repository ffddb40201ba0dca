"""A stage's logging folder read back after a real local run of two tasks over real Common Crawl documents: counters
summed over the tasks, and a failed task named with the error line of its own log."""

import gzip
import json
import shutil

import pytest
from datatrove.pipeline.filters import LambdaFilter

from smolcorpus.config import ExecutorConfig
from smolcorpus.errors import InputFileError, StageFailedError
from smolcorpus.readers import DocumentFileReader
from smolcorpus.runtime.executors import run_stages
from smolcorpus.runtime.stage import Stage
from smolcorpus.runtime.stage_logs import last_error_line, stage_counters


def _fail_on(doc_id: str):
    def check(doc) -> bool:
        if doc.id == doc_id:
            raise InputFileError("cc/part.jsonl.gz", f"document {doc_id} is broken")
        return True

    return check


def test_counters_and_error_lines_of_a_real_stage(real_corpus, tmp_path):
    files = sorted((real_corpus / "cc").glob("*.jsonl.gz"))
    with gzip.open(files[1], "rt") as f:
        second_file_ids = [json.loads(line)["id"] for line in f]
    executor = ExecutorConfig(kind="local", workers=2)

    stage = Stage("read", [DocumentFileReader([str(real_corpus / "cc")]), LambdaFilter(lambda doc: True)], 2)
    result = run_stages([stage], executor, str(tmp_path / "ok"), "logs-test", quiet=True)[0]
    counters = stage_counters(result.logging_dir)
    reader = next(values for name, values in counters.items() if "documents" in values)
    assert reader["documents"] == result.counters[next(iter(result.counters))]["documents"] > len(second_file_ids)

    broken = LambdaFilter(_fail_on(second_file_ids[3]))
    failing = Stage("read", [DocumentFileReader([str(real_corpus / "cc")]), broken], 2)
    with pytest.raises(StageFailedError, match=r"(?s)1 of 2 tasks failed.*task 1: .*cannot read input file.*broken"):
        run_stages([failing], executor, str(tmp_path / "bad"), "logs-test", quiet=True)
    logging_dir = str(tmp_path / "bad" / "read")
    assert "document" in last_error_line(logging_dir, 1) and "broken" in last_error_line(logging_dir, 1)
    assert last_error_line(logging_dir, 7) == "no log written (the task did not start)"


def test_stats_json_sums_every_finished_task_of_every_run_and_is_never_left_empty(real_corpus, tmp_path):
    """datatrove's stats.json holds the tasks of the run that wrote it (a resumed stage's missed the earlier ones),
    written in place (a full disk left it empty, and a rerun whose tasks were all done kept that): here it is the
    sum over every finished task, written whole, the same however the tasks were split over runs."""

    def step_stats(root):
        return [(e["name"], e["stats"]) for e in json.loads((root / "read" / "stats.json").read_text())]

    executor = ExecutorConfig(kind="local", workers=2)
    stage = Stage("read", [DocumentFileReader([str(real_corpus / "cc")]), LambdaFilter(lambda doc: True)], 2)
    run_stages([stage], executor, str(tmp_path / "clean"), "stats-test", quiet=True)
    expected = step_stats(tmp_path / "clean")
    assert next(stats for _, stats in expected if "documents" in stats)["documents"] > 0

    resumed = tmp_path / "resumed"
    shutil.copytree(tmp_path / "clean", resumed)
    (resumed / "read" / "completions" / "00001").unlink()  # task 1 as a killed run left it
    (resumed / "read" / "stats" / "00001.json").write_text("")
    (resumed / "read" / "stats.json").write_text("")  # as a full disk left it
    run_stages([stage], executor, str(resumed), "stats-test", quiet=True)  # runs task 1 alone
    assert step_stats(resumed) == expected

    (resumed / "read" / "stats.json").write_text("")
    assert run_stages([stage], executor, str(resumed), "stats-test", quiet=True)[0].skipped  # nothing left to run
    assert step_stats(resumed) == expected
