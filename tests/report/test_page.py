"""The run report on real pipeline outputs: its numbers equal datatrove's stats, and it renders in headless
Chromium (Debian's `chromium`; CI installs it) to a PNG screenshot."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from smolcorpus.cli import main
from smolcorpus.config import validate_config
from smolcorpus.report.page import ReportError, read_stage_stats, render_report, step_label, write_report
from smolcorpus.run import run_config

pytestmark = pytest.mark.slow  # runs a whole pipeline to report on


@pytest.fixture(scope="module")
def math_run(shared_data, tmp_path_factory):
    output = tmp_path_factory.mktemp("report_run") / "out"
    config = {
        "pipeline": "finemath",
        "name": "report-test",
        "output_dir": str(output),
        "finemath": {"warc": {"paths": [str(shared_data / "warc")]}},
        "executor": {"tasks": 2, "workers": 2},
    }
    summary = run_config(validate_config(config))
    return output, summary


def table_rows(html: str, stage: str) -> list[list[str]]:
    section = html.split(f'id="stage-{stage}"')[1].split("</table>")[0]
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", section) if "<td>" in row]


def test_run_writes_a_report_whose_numbers_equal_the_stats(math_run):
    output, summary = math_run
    assert summary.report == output / "report.html" and summary.report.is_file()
    html = summary.report.read_text()
    stats = json.loads((output / "logs" / "filter" / "stats.json").read_text())
    rows = table_rows(html, "filter")
    funnel_steps = [e for e in stats if "Progress" not in e["name"]]  # the progress bars' counter is left out
    assert len(funnel_steps) == len(stats) - 1
    assert [r[0] for r in rows] == [step_label(e["name"]) for e in funnel_steps]
    prefilter = next(r for r in rows if "Math prefilter" in r[0])
    entry = next(e for e in stats if "Math prefilter" in e["name"])
    assert prefilter[1:4] == [f"{entry['stats'][k]:,}" for k in ("total", "forwarded", "dropped")]
    assert f"no_math_signal {entry['stats']['dropped_no_math_signal']:,}" in prefilter[4]
    manifest = json.loads((output / "tokens" / "all" / "manifest.json").read_text())
    assert f"<td>all</td><td>{manifest['num_documents']:,}</td><td>{manifest['num_tokens']:,}</td>" in html
    assert html.count("data:image/png;base64,") >= 2  # charts are embedded: one file
    # throughput: the stage's documents in (its reader) per CPU-second of its steps, both from stats.json
    section = html.split("<h2>Throughput</h2>")[1]
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", section) if "<td>filter</td>" in r)
    cells = re.findall(r"<td>(.*?)</td>", row)
    seconds = sum(e["time_stats"]["total"] if isinstance(e["time_stats"], dict) else e["time_stats"] for e in stats
                  if "Progress" not in e["name"])  # fmt: skip
    reader = next(e for e in stats if "READER" in e["name"])["stats"]
    documents_in = reader.get("total", reader.get("documents"))
    documents_in = documents_in["total"] if isinstance(documents_in, dict) else documents_in
    assert cells[1:] == [f"{documents_in:,}", f"{seconds:,.2f}", f"{documents_in / seconds:,.2f}"]
    # the token shard writer reads its own input: its documents in are the tokenized documents
    writer = next(r for r in table_rows(html, "tokenize") if "Token shards" in r[0])
    assert writer[1] == f"{manifest['num_documents']:,}"


def test_unfinished_stages_are_reported_not_fatal(math_run, tmp_path, capsys):
    output, _ = math_run
    copy = tmp_path / "copy"
    shutil.copytree(output, copy)
    (copy / "logs" / "curate" / "stats.json").unlink()
    assert "curate" in [s.name for s in read_stage_stats(copy) if not s.finished]
    assert "this stage did not finish" in render_report(copy)
    assert main(["report", str(copy)]) == 0
    assert "no stats.json for curate" in capsys.readouterr().err
    with pytest.raises(ReportError, match="no logs"):
        write_report(tmp_path / "nothing")


def test_report_renders_in_headless_chromium(math_run, tmp_path):
    output, _ = math_run
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium; CI installs it)")
    screenshot = tmp_path / "report.png"
    # --enable-logging=stderr: the page's console messages (script errors included) reach stderr as CONSOLE lines
    result = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1100,2400",
                             "--enable-logging=stderr", "--v=0",
                             f"--screenshot={screenshot}", (output / "report.html").as_uri()],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 20_000
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, console  # the report has no script: any console message is an error
