"""`smolcorpus report RUN_DIR`: a self-contained HTML report of a run, from datatrove's merged stats.

Sections: the funnel (every step of every stage: documents in, out, dropped by reason), classifier score
histograms (from the scorers' `<name>_int_score=N` counters), tokens per subset or language (token manifests),
and throughput per stage (documents per CPU-second of the stage's steps). Charts are matplotlib PNGs embedded
as data URIs, so the one file can be mailed or attached to a dataset card. A stage without `stats.json` did not
finish; the report says so instead of failing.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from smolcorpus.errors import SmolcorpusError
from smolcorpus.runtime.progress import DocumentCounter

REPORT_NAME = "report.html"
_PROGRESS_STEP = f"{DocumentCounter.type}: {DocumentCounter.name}"
_SCORE_COUNTER = re.compile(r"^(?P<name>.+)_int_score=(?P<grade>-?\d+)$")


class ReportError(SmolcorpusError):
    """A folder that is not a run's output."""


@dataclass
class StepStats:
    name: str
    counters: dict[str, float]
    seconds: float


@dataclass
class StageStats:
    name: str
    steps: list[StepStats] = field(default_factory=list)
    finished: bool = True

    @property
    def seconds(self) -> float:
        return sum(step.seconds for step in self.steps)

    @property
    def documents_in(self) -> float:
        for step in self.steps:
            for key in ("total", "documents"):
                if key in step.counters:
                    return step.counters[key]
        return 0


def _number(value) -> float:
    """datatrove writes a counter as a number or as {"total": ..., "mean": ...}."""
    return value["total"] if isinstance(value, dict) else float(value)


def read_stage_stats(run_dir: str | Path) -> list[StageStats]:
    """Every stage under `run_dir/logs`, in the order they finished; unfinished stages last."""
    logs = Path(run_dir) / "logs"
    if not logs.is_dir():
        raise ReportError(f"{run_dir}: no logs/ folder; not the output folder of `smolcorpus run`")
    stages = []
    for folder in sorted(p for p in logs.iterdir() if p.is_dir()):
        stats_file = folder / "stats.json"
        if not stats_file.is_file():
            stages.append((float("inf"), StageStats(folder.name, finished=False)))
            continue
        try:
            entries = json.loads(stats_file.read_text())
        except ValueError as e:
            raise ReportError(f"{stats_file}: not valid JSON ({e})") from e
        steps = [
            StepStats(
                entry["name"],
                {k: _number(v) for k, v in entry.get("stats", {}).items()},
                _number(entry.get("time_stats") or 0),
            )  # fmt: skip
            for entry in entries
            if entry["name"] != _PROGRESS_STEP  # the progress bars' counter: bookkeeping, not a funnel step
        ]
        stages.append((stats_file.stat().st_mtime, StageStats(folder.name, steps)))
    return [stage for _, stage in sorted(stages, key=lambda item: item[0])]


def score_histograms(stages: list[StageStats]) -> dict[str, dict[int, float]]:
    """classifier name → {grade: documents}, from the scorer counters."""
    histograms: dict[str, dict[int, float]] = {}
    for stage in stages:
        for step in stage.steps:
            for key, value in step.counters.items():
                match = _SCORE_COUNTER.match(key)
                if match:
                    grades = histograms.setdefault(match["name"], {})
                    grades[int(match["grade"])] = grades.get(int(match["grade"]), 0) + value
    return histograms


def token_counts(run_dir: str | Path) -> dict[str, tuple[int, int]]:
    """token folder (subset/language, or `all` for a tokenize run) → (documents, tokens)."""
    run_dir = Path(run_dir)
    counts = {}
    for manifest in sorted(run_dir.glob("tokens/*/manifest.json")) + sorted(run_dir.glob("manifest.json")):
        data = json.loads(manifest.read_text())
        name = manifest.parent.name if manifest.parent != run_dir else "all"
        counts[name] = (data["num_documents"], data["num_tokens"])
    return counts


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _bar_chart(labels: list[str], values: list[float], title: str, xlabel: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(8, max(1.5, 0.35 * len(labels) + 1)))
    axis.barh(labels[::-1], values[::-1], color="#4c72b0")
    axis.set_title(title)
    axis.set_xlabel(xlabel)
    return _png(figure)


def _table(headers: list[str], rows: list[list], cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def step_label(name: str) -> str:
    """datatrove's step name without its emoji (`🔻 - FILTER: ➗ Math prefilter` → `FILTER: Math prefilter`)."""
    return " ".join(re.sub(r"[^\w\s:().,/+-]", "", name).replace(" - ", " ").split()).strip(" -")


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def render_report(run_dir: str | Path) -> str:
    """The report's HTML (pure apart from reading the run folder)."""
    run_dir = Path(run_dir)
    stages = read_stage_stats(run_dir)
    info_file = run_dir / "run_info.json"
    info = json.loads(info_file.read_text()) if info_file.is_file() else {}
    title = f"smolcorpus run: {info.get('config', {}).get('name', run_dir.name)}"
    parts = [f"<h1>{html.escape(title)}</h1>",
             f"<p>pipeline <code>{html.escape(str(info.get('config', {}).get('pipeline', '?')))}</code>, "
             f"started {html.escape(str(info.get('started_at', '?')))}, smolcorpus "
             f"{html.escape(str(info.get('smolcorpus_version', '?')))}</p>"]  # fmt: skip

    parts.append("<h2>Funnel</h2>")
    for stage in stages:
        if not stage.finished:
            parts.append(f'<h3>{html.escape(stage.name)}</h3><p class="warning">no stats.json: this stage did '
                         "not finish</p>")  # fmt: skip
            continue
        rows = []
        for step in stage.steps:
            drops = {k.removeprefix("dropped_"): v for k, v in step.counters.items()
                     if k.startswith("dropped_") and v}  # fmt: skip
            documents_in = step.counters.get("total", step.counters.get("documents", 0))
            documents_out = step.counters.get("forwarded", step.counters.get("documents", 0))
            rows.append([step_label(step.name), _fmt(documents_in), _fmt(documents_out),
                         _fmt(step.counters.get("dropped", 0)),
                         ", ".join(f"{reason} {_fmt(n)}" for reason, n in sorted(drops.items())) or "—"])  # fmt: skip
        parts.append(f'<h3 id="stage-{html.escape(stage.name)}">{html.escape(stage.name)}</h3>')
        parts.append(_table(["step", "in", "out", "dropped", "drops by reason"], rows, "funnel"))
        reasons = {}
        for step in stage.steps:
            for key, value in step.counters.items():
                if key.startswith("dropped_") and value:
                    reasons[key.removeprefix("dropped_")] = reasons.get(key.removeprefix("dropped_"), 0) + value
        if reasons:
            ordered = sorted(reasons.items(), key=lambda item: -item[1])
            chart = _bar_chart([r for r, _ in ordered], [v for _, v in ordered], f"{stage.name}: drops by reason",
                               "documents")  # fmt: skip
            parts.append(f'<img alt="drops of {html.escape(stage.name)}" src="{chart}">')

    histograms = score_histograms(stages)
    if histograms:
        parts.append("<h2>Classifier scores</h2>")
        for name, grades in sorted(histograms.items()):
            ordered = sorted(grades.items())
            chart = _bar_chart(
                [str(g) for g, _ in ordered], [v for _, v in ordered], f"{name}: int score", "documents"
            )
            parts.append(_table(["grade", "documents"], [[g, _fmt(v)] for g, v in ordered], "scores"))
            parts.append(f'<img alt="{html.escape(name)} scores" src="{chart}">')

    tokens = token_counts(run_dir)
    if tokens:
        parts.append("<h2>Tokens</h2>")
        parts.append(_table(["folder", "documents", "tokens"], [[k, _fmt(d), _fmt(t)] for k, (d, t) in tokens.items()],
                            "tokens"))  # fmt: skip
        parts.append(
            f'<img alt="tokens" src="{_bar_chart(list(tokens), [t for _, t in tokens.values()], "tokens", "tokens")}">'
        )

    finished = [s for s in stages if s.finished]
    parts.append("<h2>Throughput</h2>")
    rows = [[s.name, _fmt(s.documents_in), f"{s.seconds:,.2f}",
             _fmt(s.documents_in / s.seconds) if s.seconds and s.documents_in else "—"] for s in finished]  # fmt: skip
    parts.append(
        _table(["stage", "documents in", "CPU seconds in steps", "documents / CPU second"], rows, "throughput")
    )
    style = ("body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}table{border-collapse:collapse;"
             "margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}img{max-width:100%}"
             ".warning{color:#a00}")  # fmt: skip
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>")  # fmt: skip


def unfinished_stages(run_dir: str | Path) -> list[str]:
    """Names of the stages under `run_dir/logs` that have no merged stats.json (they did not finish)."""
    return [stage.name for stage in read_stage_stats(run_dir) if not stage.finished]


def write_report(run_dir: str | Path, output: str | Path | None = None) -> Path:
    """Render and write the report (default `RUN_DIR/report.html`); written under a temporary name first."""
    target = Path(output) if output else Path(run_dir) / REPORT_NAME
    text = render_report(run_dir)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.rename(target)
    return target
