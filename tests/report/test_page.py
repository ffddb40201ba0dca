"""The run report on real pipeline outputs: its numbers equal datatrove's stats, the summary and the files the run
wrote; its samples are the run's own documents, escaped; and it renders in headless Chromium (Debian's `chromium`;
CI installs it) with every section, no console message and a sane screenshot."""

from __future__ import annotations

import gzip
import html as html_lib
import io
import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from datatrove.data import Document

from smolcorpus.cli import main
from smolcorpus.filters.domain_stats import merge_domain_counts
from smolcorpus.filters.formula_stats import formula_bin
from smolcorpus.report.page import SECTIONS as PAGE_SECTIONS
from smolcorpus.report.page import ReportError, read_stage_stats, render_report, step_label, write_report
from smolcorpus.writers.ledger import WITH_FORMULAS, sample_group
from smolcorpus.writers.samples import sample_key, write_samples

pytestmark = pytest.mark.slow  # runs a whole pipeline to report on


@pytest.fixture(scope="module")
def math_run(finemath_warcs_run):
    """The finemath pipeline on the real WARCs (tests/conftest.py: one run per session): (output, report path)."""
    return finemath_warcs_run


def table_rows(html: str, stage: str) -> list[list[str]]:
    section = html.split(f'id="stage-{stage}"')[1].split("</table>")[0]
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", section) if "<td>" in row]


def section_rows(html: str, anchor: str) -> list[list[str]]:
    """The rows of the first table after `id="<anchor>"`."""
    section = html.split(f'id="{anchor}"')[1].split("</table>")[0]
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", section) if "<td>" in row]


def stats_of(output: Path, stage: str) -> list[dict]:
    entries = json.loads((output / "logs" / stage / "stats.json").read_text())
    return [{**e, "stats": {k: v["total"] if isinstance(v, dict) else v for k, v in e["stats"].items()}}
            for e in entries]  # fmt: skip


def jsonl(folder: Path) -> list[dict]:
    lines = []
    for path in sorted(folder.rglob("*.jsonl.gz")):
        with gzip.open(path, "rt") as f:
            lines += [json.loads(line) for line in f]
    return lines


def curated_ids(output: Path) -> list[str]:
    return [
        i for path in sorted((output / "curated").rglob("*.parquet")) for i in pq.read_table(path)["id"].to_pylist()
    ]


def test_run_writes_a_report_whose_numbers_equal_the_stats(math_run):
    output, report = math_run
    assert report == output / "report.html" and report.is_file()
    html = report.read_text()
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


def test_overview_shows_what_entered_and_left_each_stage(math_run, tmp_path):
    output, _ = math_run
    html = (output / "report.html").read_text()
    rows = {row[0]: row for row in section_rows(html, "overview")}
    assert set(rows) == {p.name for p in (output / "logs").iterdir()}
    summary = json.loads((output / "summary.json").read_text())
    reader, *_, writer = [e["stats"] for e in stats_of(output, "filter") if "Progress" not in e["name"]]
    # in: the pages read plus the records that never became pages (the summary's `read`); out: what was written
    assert rows["filter"][1:5] == [f"{summary['totals']['read']:,}", f"{writer['total']:,}", f"{reader['doc_len']:,}",
                                   f"{writer['doc_len']:,}"]  # fmt: skip
    manifest = json.loads((output / "tokens" / "all" / "manifest.json").read_text())
    kept = len(curated_ids(output))
    assert rows["curate"][2] == rows["tokenize"][2] == f"{kept:,}" and kept == manifest["num_documents"]
    assert rows["tokenize"][5:7] == ["n/a", f"{manifest['num_tokens']:,}"]  # curated pages carry no token count
    assert rows["minhash_buckets"][1:7] == ["n/a"] * 6  # the stage reads signatures, not documents
    # every stage links to its log folder, relative, also from a report written elsewhere
    for stage in rows:
        assert f'<a class="logs" href="logs/{stage}/">' in html and (output / "logs" / stage).is_dir()
    (tmp_path / "copies").mkdir()
    elsewhere = write_report(output, tmp_path / "copies" / "report.html").read_text()
    href = re.search(r'<a class="logs" href="([^"]+)/filter/"', elsewhere).group(1)
    assert (tmp_path / "copies" / href / "filter" / "stats.json").is_file()


def test_language_domain_and_formula_tables_match_the_run(math_run):
    output, _ = math_run
    html = (output / "report.html").read_text()
    summary = json.loads((output / "summary.json").read_text())
    languages = {row[0]: row for row in section_rows(html, "languages")}
    assert set(languages) == set(summary["languages"]) == {"en", "unknown"}
    for language, entry in summary["languages"].items():
        assert languages[language][1:4] == [f"{entry['read']:,}", f"{entry['kept']['files']:,}",
                                            f"{entry['kept']['bytes']:,}"]  # fmt: skip
        assert languages[language][6] == f"{sum(d['bytes'] for d in entry['dropped']):,}"
    pages, math_pages = merge_domain_counts(str(output / "work" / "domains"))
    domains = section_rows(html, "domains")
    assert len(domains) == min(len(pages), 25) > 0
    assert all(row[1] == f"{pages[row[0]]:,}" and row[2] == f"{math_pages.get(row[0], 0):,}" for row in domains)
    assert "with at least 10 math pages" in html  # finemath.domain_min_pages, from run_info.json's publication
    # formulas per kept page: the extractor's counts of the pages that reached the curated files
    kept = set(curated_ids(output))
    filtered = jsonl(output / "work" / "filtered")
    expected = Counter(formula_bin(p["metadata"]["math_formulas"]) for p in filtered if p["id"] in kept)
    assert {row[0]: int(row[1].replace(",", "")) for row in section_rows(html, "formulas")} == expected
    assert sum(expected.values()) == len(kept)


def test_samples_are_the_ledgers_and_curated_documents_with_the_smallest_keys(math_run):
    output, _ = math_run
    html = (output / "report.html").read_text()
    summary = json.loads((output / "summary.json").read_text())
    ledger = jsonl(output / "work" / "dropped")
    samples = {}
    for record in jsonl(output / "work" / "samples"):
        samples.setdefault(record["group"], []).append(record)
    # a reason's samples are split by whether the page held formulas; every drop reason has its samples
    with_formulas = summary["dropped_with_formulas_by_reason"]
    groups = {group: count - with_formulas.get(group, 0) for group, count in summary["dropped_by_reason"].items()}
    groups.update({group + WITH_FORMULAS: count for group, count in with_formulas.items()})
    groups = {group: count for group, count in groups.items() if count}
    assert set(groups) <= set(samples)
    for group, count in groups.items():
        ids = sorted({r["id"] for r in ledger if sample_group(r["step"], r["reason"], r["formulas"]) == group},
                     key=lambda i: sample_key(0, i))  # fmt: skip
        section = html.split(f'<h4>{group} <span class="count">({count:,} dropped, {min(count, 3)} shown)')[1]
        shown = re.findall(r"<tr><th>id</th><td>(.*?)</td>", section.split("</section>")[0])
        assert shown == [html_lib.escape(i) for i in ids[:3]]
    prefilter = sorted(samples["prefilter/no_math_signal"], key=lambda r: r["key"])[:3]
    for record in prefilter:  # raw HTML pages, shown as the text a reader sees
        assert record["html"] and record["text"] and not re.search(r"<(div|p|script|a)\b", record["text"])
        assert html_lib.escape(record["text"]) in html
    assert "readable text of the HTML" in html and "no text (an item the reader" in html  # read_warc drops
    kept = sorted(curated_ids(output), key=lambda i: sample_key(0, i))
    assert [r["id"] for r in sorted(samples["language=en"], key=lambda r: r["key"])[:3]] == kept[:3]
    assert '<h4>language=en <span class="count">(3 shown)</span></h4>' in html


@pytest.fixture(scope="module")
def hostile_report(math_run, tmp_path_factory) -> Path:
    """A copy of the run with a kept sample from a hostile page: script, markup and a javascript: URL."""
    output, _ = math_run
    copy = tmp_path_factory.mktemp("hostile") / "run"
    shutil.copytree(output, copy)
    script = '<script>console.error("injected")</script>'
    record = {
        "id": f"{script}<b>id</b>",
        "group": f'<img src=x onerror=console.error("group")>{script}',
        "key": "0" * 16,
        "html": False,
        "text": f"</pre>{script}<p>page text</p>",
        "text_chars": 60,
        "text_cut": False,
        "metadata": {"url": "javascript:console.error('url')", "math_marker": script},
    }
    write_samples(str(copy / "work" / "samples" / "kept"), "09999.jsonl.gz", [record])
    return write_report(copy)


def test_a_rule_that_drops_math_shows_in_its_own_section_and_samples(math_run, tmp_path):
    """A copy of the run whose quality step dropped a real math page: the report's "Math dropped" table counts it,
    and its samples group says "with formulas"."""
    from smolcorpus.extraction.math_extractor import extract_math_text
    from smolcorpus.pipelines.layout import CorpusLayout
    from smolcorpus.writers.funnel import FunnelSummaryWriter
    from tests.extraction.math_pages import math_dev_page

    output, _ = math_run
    copy = tmp_path / "run"
    shutil.copytree(output, copy)
    html = render_report(copy)
    assert 'id="math-dropped"' in html and "No dropped page held formulas." in html  # the WARCs' run: none
    # the navigation lists the sections in page order, built from the sections themselves
    nav = re.findall(r'<a href="#([^"]+)">', html.split("<nav>")[1].split("</nav>")[0])
    assert nav == re.findall(r'<h2 id="([^"]+)">', html) and "math-dropped" in nav
    assert nav == [section.anchor for section in PAGE_SECTIONS if section.anchor in nav]  # the table's order
    extraction = extract_math_text(math_dev_page("mathhelpforum_169103"))
    metadata = {"language": "en", "math_formulas": extraction.math.total or 3,
                "filter_reason": "gopher_below_alpha_threshold"}  # fmt: skip
    page = Document(text=extraction.text, id="urn:math-page", metadata=metadata)
    layout = CorpusLayout(str(copy))
    with layout.ledger("quality", "gopher_quality") as ledger:
        ledger.write(page, rank=7)
    summary_step = FunnelSummaryWriter(str(copy), layout.ledgers, f"{layout.curated}/all")
    list(summary_step.run())
    summary = json.loads((copy / "summary.json").read_text())
    assert summary["dropped_with_formulas_by_reason"] == {"quality/gopher_below_alpha_threshold": 1}
    assert "| en | quality | gopher_below_alpha_threshold | 1 | 1 |" in (copy / "summary.md").read_text()
    html = render_report(copy)
    rows = section_rows(html, "math-dropped")
    assert rows[0][:3] == ["quality/gopher_below_alpha_threshold", "1", "1"]
    group = "quality/gopher_below_alpha_threshold" + WITH_FORMULAS
    assert f'<h4>{group} <span class="count">(1 dropped, 1 shown)</span></h4>' in html
    assert 'href="#samples-dropped-quality-gopher-below-alpha-threshold-with-formulas"' in rows[0][3]


def test_hostile_samples_are_escaped(hostile_report):
    html = hostile_report.read_text()
    assert "<script" not in html and "<img src=x" not in html and "<b>id</b>" not in html
    assert "&lt;/pre&gt;&lt;script&gt;console.error(&quot;injected&quot;)&lt;/script&gt;" in html
    assert 'href="javascript' not in html and "javascript:console.error(&#x27;url&#x27;)" in html


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


def chromium(*arguments: str) -> subprocess.CompletedProcess:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium; CI installs it)")
    # --enable-logging=stderr: the page's console messages (script errors included) reach stderr as CONSOLE lines
    return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                           *arguments], capture_output=True, text=True, timeout=120)  # fmt: skip


def console_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


SECTIONS = ("overview", "languages", "domains", "formulas", "math-dropped", "samples", "samples-dropped",
            "samples-kept", "stages", "tokens")  # fmt: skip


def test_report_renders_in_headless_chromium(hostile_report, tmp_path):
    """One Chromium run on the real run's report (plus a hostile sample): a screenshot and the rendered DOM."""
    screenshot = tmp_path / "report.png"
    result = chromium("--window-size=1100,2400", f"--screenshot={screenshot}", "--dump-dom", hostile_report.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 20_000
    console = console_lines(result)
    assert not console, console  # the report has no script: any console message is an error
    from PIL import Image

    picture = Image.open(io.BytesIO(screenshot.read_bytes())).convert("RGB")
    assert picture.size == (1100, 2400)  # as asked
    colours = picture.resize((275, 600)).quantize(64).convert("RGB").getcolors(1 << 16)
    assert max(n for n, _ in colours) < 0.95 * 275 * 600 and len(colours) >= 8  # not blank: text, tables, charts
    assert picture.crop((0, 0, 1100, 600)).convert("L").getextrema()[0] < 60  # dark text at the top (the title)
    # the rendered DOM: every section, the charts, the hostile text as text and no script
    dom = result.stdout
    assert all(f'id="{anchor}"' in dom for anchor in SECTIONS)
    assert dom.count("<img") >= 4 and "<script" not in dom  # charts: funnel, formulas, drops, tokens
    assert "<pre>&lt;/pre&gt;&lt;script&gt;" in dom
    # the console check can fail: the same hostile text written unescaped logs its console.error
    control = tmp_path / "unescaped.html"
    control.write_text("<html><body><pre></pre><script>console.error('injected')</script></pre></body></html>")
    assert any("injected" in line for line in console_lines(chromium("--dump-dom", control.as_uri())))


def test_nested_subsets_are_counted_once_as_parts_of_the_broadest(demo_output, tmp_path):
    """The demo's web run grades pages into 2plus ⊇ 3plus. `smolcorpus report` on it: the tokenize stage takes in
    what curate kept (the 2plus pages; it said curate out 35 → tokenize in 48 when it added 3plus's 13 again), and
    3plus shows on a row of its own as a part of 2plus, with its own pages and tokens."""
    import sys

    run = demo_output / "web" / "corpus"
    report = tmp_path / "report.html"
    result = subprocess.run([sys.executable, "-m", "smolcorpus.cli", "report", str(run), "--output", str(report)],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    html = report.read_text()
    rows = {row[0]: row for row in section_rows(html, "overview")}
    summary = json.loads((run / "summary.json").read_text())
    assert summary["all_pages_subset"] == "2plus"
    manifests = {
        name: json.loads((run / "tokens" / name / "manifest.json").read_text()) for name in ("2plus", "3plus")
    }
    broad, narrow = (len(pq.read_table(run / "curated" / name).to_pylist()) for name in ("2plus", "3plus"))
    assert 0 < narrow < broad == summary["totals"]["kept_files"] == manifests["2plus"]["num_documents"]
    assert rows["curate"][2] == rows["tokenize"][1] == rows["tokenize"][2] == f"{broad:,}"  # one page, once
    assert rows["tokenize"][6] == rows["summary"][6] == f"{manifests['2plus']['num_tokens']:,}"
    part = rows["⊂ 3plus (of 2plus)"]
    assert part[1:3] == [f"{narrow:,}"] * 2 and part[6] == f"{manifests['3plus']['num_tokens']:,}"
    assert list(rows).index("⊂ 3plus (of 2plus)") == list(rows).index("tokenize") + 1
    assert "every page of 3plus is also in 2plus, which holds every kept page once" in html
