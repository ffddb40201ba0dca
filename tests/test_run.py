"""`run.py`: the run summary (counters, rendering) and the plan that runs nothing. Runs themselves are tested per
pipeline (tests/pipelines/) and by the output claim (tests/test_output_claim.py)."""

from smolcorpus.config import validate_config
from smolcorpus.run import RunSummary, format_counters
from smolcorpus.runtime.stage import StageResult


def config(tmp_path, **executor):
    (tmp_path / "docs").mkdir(exist_ok=True)
    return validate_config({"pipeline": "tokenize", "name": "t", "output_dir": str(tmp_path / "out"),
                            "input": {"paths": [str(tmp_path / "docs")]}, "executor": executor})  # fmt: skip


STAGES = [
    StageResult("tokenize", "out/logs/tokenize", 2, False, 3.25,
                {"reader": {"documents": 10, "dropped_empty_text": 2, "doc_len": 99},
                 "writer": {"documents": 8, "tokens": 12345.0, "doc_len_tokens": 7}}),
    StageResult("manifest", "out/logs/manifest", 1, True, 0.0, {"manifest": {"doc_len": 1}}),
]  # fmt: skip


def test_format_counters_skips_length_distributions():
    assert format_counters(STAGES[0].counters) == ["reader: documents=10, dropped_empty_text=2",
                                                   "writer: documents=8, tokens=12,345"]  # fmt: skip
    assert format_counters(STAGES[1].counters) == []


def test_counter_sums_over_steps(tmp_path):
    summary = RunSummary(config(tmp_path), STAGES)
    assert summary.counter("tokenize", "documents") == 18
    assert summary.counter("tokenize", "dropped_empty_text") == 2
    assert summary.counter("manifest", "documents") == 0 and summary.counter("nowhere", "documents") == 0


def test_render_names_the_run_stages_report_and_funnel(tmp_path):
    summary = RunSummary(config(tmp_path), STAGES, report=tmp_path / "out" / "report.html")
    lines = summary.render().splitlines()
    assert lines[0] == f"run 't' (tokenize) → {tmp_path / 'out'}"
    assert lines[1] == "  stage tokenize: 2 task(s), 3.2 s; logs in out/logs/tokenize"
    assert lines[2] == "    reader: documents=10, dropped_empty_text=2"
    assert "  stage manifest: 1 task(s), already complete, skipped; logs in out/logs/manifest" in lines
    assert lines[-1] == f"  report: {tmp_path / 'out' / 'report.html'}"
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "summary.md").write_text("| step | kept |")
    assert summary.render().endswith(f"funnel ({tmp_path / 'out' / 'summary.md'}):\n| step | kept |")


def test_submitted_runs_say_so_and_show_no_funnel(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "summary.md").write_text("| step | kept |")
    slurm = config(tmp_path, kind="slurm", slurm={"partition": "debug"})
    text = RunSummary(slurm, STAGES, submitted_only=True).render()
    assert "stage tokenize: 2 task(s), submitted;" in text and "stage manifest: 1 task(s), submitted;" in text
    assert "funnel" not in text
