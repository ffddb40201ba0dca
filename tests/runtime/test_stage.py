"""`Stage` (a datatrove pipeline run as N tasks) and `StageResult` (what running one did)."""

import dataclasses

from smolcorpus.runtime.stage import Stage, StageResult


def test_stage_runs_on_the_executors_cpus_unless_it_says_otherwise():
    steps = [object(), object()]
    stage = Stage("filter", steps, 4)
    assert (stage.name, stage.pipeline, stage.tasks, stage.cpus_per_task) == ("filter", steps, 4, None)
    assert Stage("manifest", [], 1, cpus_per_task=1).cpus_per_task == 1


def test_stage_result_fields_are_what_the_summary_and_report_read():
    assert [f.name for f in dataclasses.fields(StageResult)] == [
        "name", "logging_dir", "tasks", "skipped", "seconds", "counters"
    ]  # fmt: skip
    result = StageResult("tokenize", "/out/logs/tokenize", 2, False, 1.5, {"writer": {"documents": 10.0}})
    assert result.counters["writer"]["documents"] == 10.0 and not result.skipped
    assert result == StageResult("tokenize", "/out/logs/tokenize", 2, False, 1.5, {"writer": {"documents": 10.0}})
