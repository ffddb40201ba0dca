"""A stage's logging folder read back after a real local run of two tasks over real Common Crawl documents: counters
summed over the tasks, and a failed task named with the error line of its own log."""

import gzip
import json

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
