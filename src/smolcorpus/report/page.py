"""`smolcorpus report RUN_DIR`: a self-contained HTML report of a run, from datatrove's merged stats and the files
the run wrote next to them.

Sections (`SECTIONS`, in page order; each only when the run has what it shows, and the navigation lists those):
- overview: documents, characters and tokens entering and leaving each stage (`stage_flow`), a link to each
  stage's logs; nested subsets (summary.json's `subsets`) counted once, as the broadest, the narrower ones as its
  parts on rows of their own;
- languages (summary.json: read, kept, dropped, bytes, tokens) and domains (the domain counts of web runs);
- classifier scores: histograms of the scorers' `<name>_int_score=N` counters with the run's thresholds drawn in
  (run_info.json's `publication.score_thresholds`); formulas per kept page (`formulas_per_page=` counters);
- samples: a few documents per drop reason and per kept group (writers/samples.py), text cut and escaped;
- the funnel of every step of every stage (documents in, out, dropped by reason), tokens per token folder
  (manifests), and throughput per stage (documents per CPU-second of the stage's steps).
Charts are matplotlib PNGs embedded as data URIs (report/charts.py) and the page has no script, so the one file
opens from disk and can be mailed or attached to a dataset card; links to the logs are relative. A stage without
`stats.json` did not finish; the report says so instead of failing.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from smolcorpus.errors import SmolcorpusError
from smolcorpus.filters.domain_stats import DOMAIN_COUNTS_FOLDER, DOMAIN_LIST_NAME, merge_domain_counts
from smolcorpus.filters.formula_stats import COUNTER_PREFIX as FORMULA_COUNTER
from smolcorpus.report.charts import bar_chart, column_chart, flow_chart, score_chart
from smolcorpus.runtime.progress import DocumentCounter
from smolcorpus.score_keys import parse_grade_counter
from smolcorpus.writers.funnel import SUMMARY_JSON
from smolcorpus.writers.ledger import WITH_FORMULAS
from smolcorpus.writers.samples import DROPPED_SAMPLES, KEPT_SAMPLES, RUN_SAMPLES_FOLDER, read_samples

REPORT_NAME = "report.html"
_PROGRESS_STEP = f"{DocumentCounter.type}: {DocumentCounter.name}"
TOP_DOMAINS = 25  # rows of the domain table
UNKNOWN = "n/a"  # a number the run's stats do not hold


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


@dataclass
class StageFlow:
    """What entered and left one stage: documents, characters (datatrove's `doc_len`: text length in characters)
    and tokens; None where the stage's counters do not say."""

    stage: str
    documents_in: float | None = None
    documents_out: float | None = None
    characters_in: float | None = None
    characters_out: float | None = None
    tokens_in: float | None = None
    tokens_out: float | None = None


def _tokens(step: StepStats) -> float | None:
    return step.counters.get("tokens", step.counters.get("doc_len_tokens"))


def _for_subset(step: StepStats, subset: str) -> StepStats:
    """A step that counts per subset (`<subset>/documents`, `<subset>/tokens`: the token and manifest writers per
    group), as it counts for `subset` alone; any other step as it is."""
    if f"{subset}/documents" not in step.counters:
        return step
    counters = {**step.counters, "documents": step.counters[f"{subset}/documents"]}
    if f"{subset}/tokens" in step.counters:
        counters["tokens"] = step.counters[f"{subset}/tokens"]
    return StepStats(step.name, counters, step.seconds)


def nested_subsets(summary: dict) -> list[str]:
    """The subsets of a corpus split into nested subsets (FineMath's 3plus ⊇ 4plus: summary.json's `subsets`),
    broadest first: the one that holds every kept page once (`all_pages_subset`; runs from before it was written:
    the one with the most documents), then the narrower ones by size. Empty for other runs."""
    subsets = summary.get("subsets") or {}
    if not subsets:
        return []
    broadest = summary.get("all_pages_subset")
    if broadest not in subsets:
        broadest = max(subsets, key=lambda name: subsets[name]["documents"])
    narrower = sorted((name for name in subsets if name != broadest), key=lambda name: -subsets[name]["documents"])
    return [broadest, *narrower]


def stage_flow(stage: StageStats, subset: str | None = None) -> StageFlow:
    """In: the first step that counts documents: a reader's `documents` plus the items it dropped (they never became
    documents, the ledger has them), else a step's `total` or `documents`. Out: the last step that forwards
    documents (`forwarded`: a filter or a pass-through such as the kept-samples step), else the last that counts
    documents (`documents`/`total`: a writer; a writer into nested subsets counts a page once per subset, which is
    why `forwarded` comes first). Characters (`doc_len`) and tokens are those the same two steps count (tokens in:
    `doc_len_tokens`; out: also a token writer's `tokens`), except that a later step with the same `total` (the
    writer after a formatter) gives the characters as written. `subset`: a step that counts per subset (nested
    subsets' token and manifest writers) counts that subset's documents and tokens only, not their sum (a page in
    two nested subsets is one page)."""
    if subset is not None:
        stage = StageStats(stage.name, [_for_subset(step, subset) for step in stage.steps], stage.finished)
    flow = StageFlow(stage.name)
    first = next((s for s in stage.steps if "documents" in s.counters or "total" in s.counters), None)
    if first is None:
        return flow
    if "READER" in first.name and "documents" in first.counters:
        never_documents = sum(v for k, v in first.counters.items() if k.startswith("dropped_"))
        flow.documents_in = first.counters["documents"] + never_documents
    else:
        flow.documents_in = first.counters.get("total", first.counters.get("documents"))
    # tokens in: only datatrove's count of the documents' own token counts (a token writer's `tokens` is its output)
    flow.characters_in, flow.tokens_in = first.counters.get("doc_len"), first.counters.get("doc_len_tokens")
    forwarding = [i for i, s in enumerate(stage.steps) if "forwarded" in s.counters]
    if forwarding:
        last = stage.steps[forwarding[-1]]
        flow.documents_out = last.counters["forwarded"]
        # a writer after it that wrote those same documents counts the characters as written (after a formatter)
        after = stage.steps[forwarding[-1] + 1 :]
        last = next((s for s in reversed(after) if s.counters.get("total") == flow.documents_out), last)
    else:
        last = next(s for s in reversed(stage.steps) if "documents" in s.counters or "total" in s.counters)
        flow.documents_out = last.counters.get("documents", last.counters.get("total"))
    flow.characters_out, flow.tokens_out = last.counters.get("doc_len"), _tokens(last)
    return flow


def score_histograms(stages: list[StageStats]) -> dict[str, dict[int, float]]:
    """classifier name → {grade: documents}, from the scorer counters."""
    histograms: dict[str, dict[int, float]] = {}
    for stage in stages:
        for step in stage.steps:
            for key, value in step.counters.items():
                if parsed := parse_grade_counter(key):
                    name, grade = parsed
                    grades = histograms.setdefault(name, {})
                    grades[grade] = grades.get(grade, 0) + value
    return histograms


def formula_histogram(stages: list[StageStats]) -> dict[str, float]:
    """formula bin (`0`, `1`, `2-3`, …, `unknown` last) → kept pages, from the `formulas_per_page=` counters."""
    bins: dict[str, float] = {}
    for stage in stages:
        for step in stage.steps:
            for key, value in step.counters.items():
                if key.startswith(FORMULA_COUNTER):
                    label = key.removeprefix(FORMULA_COUNTER)
                    bins[label] = bins.get(label, 0) + value

    def order(label: str) -> float:
        digits = re.match(r"\d+", label)
        return int(digits.group()) if digits else float("inf")

    return dict(sorted(bins.items(), key=lambda item: order(item[0])))


def token_counts(run_dir: str | Path) -> dict[str, tuple[int, int]]:
    """token folder (subset/language, or `all` for a tokenize run) → (documents, tokens)."""
    run_dir = Path(run_dir)
    counts = {}
    for manifest in sorted(run_dir.glob("tokens/*/manifest.json")) + sorted(run_dir.glob("manifest.json")):
        data = json.loads(manifest.read_text())
        name = manifest.parent.name if manifest.parent != run_dir else "all"
        counts[name] = (data["num_documents"], data["num_tokens"])
    return counts


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _table(headers: list[str], rows: list[list], cls: str = "", raw_columns: tuple[int, ...] = ()) -> str:
    """An HTML table; every cell is escaped except those of `raw_columns` (HTML this module built)."""
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c if i in raw_columns else _esc(c)}</td>" for i, c in enumerate(row))
                   + "</tr>" for row in rows)  # fmt: skip
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _img(alt: str, uri: str) -> str:
    return f'<img alt="{_esc(alt)}" src="{uri}">'


def step_label(name: str) -> str:
    """datatrove's step name without its emoji (`🔻 - FILTER: ➗ Math prefilter` → `FILTER: Math prefilter`)."""
    return " ".join(re.sub(r"[^\w\s:().,/+-]", "", name).replace(" - ", " ").split()).strip(" -")


def _fmt(value: float | None) -> str:
    if value is None:
        return UNKNOWN
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


@dataclass
class RunFiles:
    """What the report's sections read of a run: its stage stats, funnel summary (summary.json, {} if none), the
    facts and score thresholds its pipeline published into run_info.json, and where its logs are."""

    run_dir: Path
    stages: list[StageStats]
    summary: dict
    facts: dict
    thresholds: dict[str, list[dict]]
    logs_href: str


def _log_link(logs_href: str, stage: str) -> str:
    path = f"{logs_href}/{stage}/"
    return f'<a class="logs" href="{_esc(quote(path))}">{_esc(path)}</a>'


def _flow_cells(flow: StageFlow) -> list[str]:
    return [_fmt(value) for value in (flow.documents_in, flow.documents_out, flow.characters_in, flow.characters_out,
                                      flow.tokens_in, flow.tokens_out)]  # fmt: skip


def _overview(stages: list[StageStats], logs_href: str, summary: dict | None = None) -> list[str]:
    subsets = nested_subsets(summary or {})
    broadest = subsets[0] if subsets else None
    flows = [stage_flow(s, broadest) for s in stages if s.finished]
    parts = ["<p>What entered and left each stage, from its counters: documents (a reader's include the items it "
             "could not turn into documents), characters (datatrove's <code>doc_len</code>, the text's length in "
             "characters: no stage counts bytes; the language table has the bytes read, kept and dropped) and "
             f"tokens. {UNKNOWN}: the stage's steps do not count it.</p>"]  # fmt: skip
    if len(subsets) > 1:
        parts.append(f"<p>The subsets nest: every page of {', '.join(_esc(n) for n in subsets[1:])} is also in "
                     f"{_esc(broadest)}, which holds every kept page once. A stage that writes them counts "
                     f"{_esc(broadest)}; the rows under its first such stage show the narrower subsets, part of "
                     "it (not added to it).</p>")  # fmt: skip
    rows, parts_shown = [], False
    for stage, flow in zip([s for s in stages if s.finished], flows, strict=True):
        rows.append([flow.stage, *_flow_cells(flow), _log_link(logs_href, flow.stage)])
        if broadest and not parts_shown and any(f"{broadest}/documents" in step.counters for step in stage.steps):
            rows += [[f"⊂ {name} (of {broadest})", *_flow_cells(stage_flow(stage, name)), ""] for name in subsets[1:]]
            parts_shown = True
    rows += [[s.name, *["not finished"] * 6, _log_link(logs_href, s.name)] for s in stages if not s.finished]
    parts.append(_table(["stage", "documents in", "documents out", "characters in", "characters out", "tokens in",
                         "tokens out", "logs"], rows, "overview", raw_columns=(7,)))  # fmt: skip
    charted = [f for f in flows if f.documents_in is not None]
    if charted:
        columns = {"documents": [(f.documents_in, f.documents_out) for f in charted],
                   "characters": [(f.characters_in, f.characters_out) for f in charted],
                   "tokens": [(f.tokens_in, f.tokens_out) for f in charted]}  # fmt: skip
        parts.append(_img("documents, characters and tokens per stage", flow_chart([f.stage for f in charted],
                                                                                   columns)))  # fmt: skip
    return parts


def _languages(summary: dict) -> list[str]:
    languages = summary.get("languages") or {}
    if not languages:
        return []
    rows = []
    for language, entry in languages.items():
        drops = sorted(entry["dropped"], key=lambda d: -d["files"])
        rows.append([language, _fmt(entry["read"]), _fmt(entry["kept"]["files"]), _fmt(entry["kept"]["bytes"]),
                     _fmt(entry["kept"]["tokens"]), _fmt(entry["dropped_files"]),
                     _fmt(sum(d["bytes"] for d in drops)),
                     ", ".join(f"{d['step']}/{d['reason']} {d['files']:,}" for d in drops[:3]) or "—"])  # fmt: skip
    return ["<p>From summary.json: every item read is kept or dropped with a reason. Kept bytes are the curated "
            "files' sizes (code) or their text's UTF-8 bytes (web pages); dropped bytes are what each step dropped "
            f"(raw HTML for pages dropped before extraction). {UNKNOWN}: no token count for that language.</p>",
            _table(["language", "read", "kept", "kept bytes", "kept tokens", "dropped", "dropped bytes",
                    "main drop reasons"], rows, "languages")]  # fmt: skip


def _domains(run_dir: Path, facts: dict) -> list[str]:
    counts_folder = run_dir / DOMAIN_COUNTS_FOLDER
    if not counts_folder.is_dir():
        return []
    pages, math_pages = merge_domain_counts(str(counts_folder))
    if not pages:
        return []
    listed_file = run_dir / DOMAIN_LIST_NAME
    listed = ({line.split("\t")[0] for line in listed_file.read_text(encoding="utf-8").splitlines()[1:]}
              if listed_file.is_file() else set())  # fmt: skip
    top = sorted(pages.items(), key=lambda item: (-item[1], item[0]))[:TOP_DOMAINS]
    rows = [[domain, _fmt(n), _fmt(math_pages.get(domain, 0)), "yes" if domain in listed else "no"]
            for domain, n in top]  # fmt: skip
    minimum = facts.get("domain_min_pages", "?")  # the pipeline's, via run_info.json's publication
    return [f"<p>{len(pages):,} domains; the {len(top)} with the most pages. Pages: those that reached the domain "
            "counter (after the quality filters, before the recall threshold); math pages: recall score at the "
            f"threshold, or at least one formula without a recall model. {DOMAIN_LIST_NAME} lists the domains "
            f"with at least {_esc(minimum)} math pages ({len(listed):,}).</p>",
            _table(["domain", "pages", "math pages", f"in {DOMAIN_LIST_NAME}"], rows, "domains")]  # fmt: skip


def _threshold_text(thresholds: list[dict]) -> str:
    texts = []
    for t in thresholds:
        if t.get("min_int_score") is not None:
            texts.append(f"{t['label']}: int score ≥ {t['min_int_score']:g}")
        else:  # a float-score threshold: not a place between int bars
            texts.append(f"{t['label']}: score ≥ {t['min_score']:g} (on the float score, not drawn)")
    return "; ".join(texts)


def _scores(stages: list[StageStats], thresholds: dict[str, list[dict]]) -> list[str]:
    histograms = score_histograms(stages)
    if not histograms:
        return []
    parts = []
    for name, grades in sorted(histograms.items()):
        ordered = sorted(grades.items())
        mine = thresholds.get(name, [])
        parts.append(f"<h3>{_esc(name)}</h3>")
        if mine:
            parts.append(f'<p class="thresholds">thresholds: {_esc(_threshold_text(mine))}</p>')
        parts.append(_table(["grade", "documents"], [[g, _fmt(v)] for g, v in ordered], "scores"))
        parts.append(_img(f"{name} scores", score_chart(name, grades, mine)))
    return parts


def _formulas(stages: list[StageStats]) -> list[str]:
    bins = formula_histogram(stages)
    if not bins:
        return []
    return ["<p>Formulas the math extractor found on each kept page (its <code>math_formulas</code>: formulas "
            "rewritten from markup and TeX written in the text, dollar amounts not, as <code>smolcorpus extract"
            "</code> counts them), counted just before the curated writer.</p>",
            _table(["formulas", "pages"], [[label, _fmt(n)] for label, n in bins.items()], "formulas"),
            _img("formulas per page", column_chart(list(bins), list(bins.values()), "kept pages by formula count",
                                                   "formulas on the page", "pages"))]  # fmt: skip


def _formula_drops(summary: dict, stages: list[StageStats]) -> list[str]:
    """Per step and reason, the dropped pages whose extraction found formulas (runs that count formulas)."""
    with_formulas = summary.get("dropped_with_formulas_by_reason")
    if with_formulas is None or not (with_formulas or formula_histogram(stages)):
        return []
    dropped = summary.get("dropped_by_reason") or {}
    rows = [[group, _fmt(dropped.get(group, 0)), _fmt(n),
             f'<a href="#samples-dropped-{_slug(group + WITH_FORMULAS)}">samples</a>']
            for group, n in sorted(with_formulas.items(), key=lambda item: -item[1])]  # fmt: skip
    text = ("<p>Pages that a step after extraction dropped although they held formulas (their "
            "<code>math_formulas</code>), per step and reason: where a rule eats math, it shows here first. Steps "
            "before extraction see HTML and are not counted.</p>")  # fmt: skip
    if not rows:
        return [text, "<p>No dropped page held formulas.</p>"]
    return [text, _table(["step/reason", "dropped", "with formulas", ""], rows, "math-dropped", raw_columns=(3,))]


def _sample(record: dict) -> str:
    """One sampled document: its fields (id, step, reason, the metadata that decided) and its text, escaped."""
    fields = [("id", record.get("id"))]
    fields += [(k, record[k]) for k in ("step", "reason") if k in record]
    fields += sorted((record.get("metadata") or {}).items())
    rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc('—' if v is None else v)}</td></tr>" for k, v in fields)
    chars = record.get("text_chars", 0)
    if not record.get("text"):
        note = "no text (an item the reader could not turn into a document, or an empty extraction)"
    else:
        what = "readable text of the HTML" if record.get("html") else "text"
        note = f"{what}, first {len(record['text']):,} characters" if record.get("text_cut") else what
        note += f" (the document has {chars:,} characters)"
    text = f"<pre>{_esc(record['text'])}</pre>" if record.get("text") else ""
    return (f'<article class="sample"><table class="fields">{rows}</table>'
            f'<p class="note">{_esc(note)}</p>{text}</article>')  # fmt: skip


def _samples(run_dir: Path, summary: dict) -> list[str]:
    root = run_dir / RUN_SAMPLES_FOLDER
    dropped, kept = read_samples(str(root / DROPPED_SAMPLES)), read_samples(str(root / KEPT_SAMPLES))
    if not dropped and not kept:
        return []
    # a reason's samples are split by whether the page held formulas (writers/ledger.py), and so are its counts
    with_formulas = summary.get("dropped_with_formulas_by_reason") or {}
    counts = {group: n - with_formulas.get(group, 0) for group, n in (summary.get("dropped_by_reason") or {}).items()}
    counts.update({group + WITH_FORMULAS: n for group, n in with_formulas.items()})
    parts = ["<p>A few documents per group, chosen by a keyed hash of their id (the same whatever the number of "
             "tasks); texts are cut. Dropped: as each step's drop ledger received them; kept: as they reached the "
             "curated writer.</p>"]  # fmt: skip
    for title, anchor, groups, order in (
        ("Dropped, by step and reason", "samples-dropped", dropped, lambda g: (-counts.get(g, 0), g)),
        ("Kept, by group", "samples-kept", kept, lambda g: g),
    ):
        if not groups:
            continue
        parts.append(f'<h3 id="{anchor}">{_esc(title)}</h3>')
        for group in sorted(groups, key=order):
            records = groups[group]
            total = f"{counts[group]:,} dropped, " if group in counts else ""
            parts.append(f'<section class="samples" id="{anchor}-{_slug(group)}"><h4>{_esc(group)} '
                         f'<span class="count">({total}{len(records)} shown)</span></h4>'
                         + "".join(_sample(r) for r in records) + "</section>")  # fmt: skip
    return parts


def _stage_funnels(stages: list[StageStats], logs_href: str) -> list[str]:
    parts = []
    for stage in stages:
        if not stage.finished:
            parts.append(f'<h3>{_esc(stage.name)}</h3><p class="warning">no stats.json: this stage did '
                         f"not finish (logs: {_log_link(logs_href, stage.name)})</p>")  # fmt: skip
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
        parts.append(f'<h3 id="stage-{_esc(stage.name)}">{_esc(stage.name)} '
                     f'<small>(logs: {_log_link(logs_href, stage.name)})</small></h3>')  # fmt: skip
        parts.append(_table(["step", "in", "out", "dropped", "drops by reason"], rows, "funnel"))
        reasons = {}
        for step in stage.steps:
            for key, value in step.counters.items():
                if key.startswith("dropped_") and value:
                    reasons[key.removeprefix("dropped_")] = reasons.get(key.removeprefix("dropped_"), 0) + value
        if reasons:
            ordered = sorted(reasons.items(), key=lambda item: -item[1])
            chart = bar_chart([r for r, _ in ordered], [v for _, v in ordered], f"{stage.name}: drops by reason",
                              "documents")  # fmt: skip
            parts.append(_img(f"drops of {stage.name}", chart))
    return parts


def _token_folders(run_dir: Path) -> list[str]:
    tokens = token_counts(run_dir)
    if not tokens:
        return []
    return [_table(["folder", "documents", "tokens"], [[k, _fmt(d), _fmt(t)] for k, (d, t) in tokens.items()],
                   "tokens"),
            _img("tokens", bar_chart(list(tokens), [t for _, t in tokens.values()], "tokens", "tokens"))]  # fmt: skip


def _throughput(stages: list[StageStats]) -> list[str]:
    rows = [[s.name, _fmt(s.documents_in), f"{s.seconds:,.2f}",
             _fmt(s.documents_in / s.seconds) if s.seconds and s.documents_in else "—"]
            for s in stages if s.finished]  # fmt: skip
    return [_table(["stage", "documents in", "CPU seconds in steps", "documents / CPU second"], rows, "throughput")]


@dataclass(frozen=True)
class Section:
    """One part of the report: its `<h2>` title, its anchor (the heading's id and its link in the navigation;
    None: a heading the navigation leaves out) and what builds its body from the run (nothing: the run has
    nothing to show there, and the section is left out)."""

    anchor: str | None
    title: str
    body: Callable[[RunFiles], list[str]]

    def heading(self) -> str:
        anchor = f' id="{self.anchor}"' if self.anchor else ""
        return f"<h2{anchor}>{_esc(self.title)}</h2>"


# the report's sections in page order; the navigation is built from the ones a run shows
SECTIONS = (
    Section("overview", "Overview", lambda run: _overview(run.stages, run.logs_href, run.summary)),
    Section("languages", "Languages", lambda run: _languages(run.summary)),
    Section("domains", "Domains", lambda run: _domains(run.run_dir, run.facts)),
    Section("scores", "Classifier scores", lambda run: _scores(run.stages, run.thresholds)),
    Section("formulas", "Formulas per kept page", lambda run: _formulas(run.stages)),
    Section("math-dropped", "Math dropped", lambda run: _formula_drops(run.summary, run.stages)),
    Section("samples", "Samples", lambda run: _samples(run.run_dir, run.summary)),
    Section("stages", "Funnel per stage", lambda run: _stage_funnels(run.stages, run.logs_href)),
    Section("tokens", "Tokens", lambda run: _token_folders(run.run_dir)),
    Section(None, "Throughput", lambda run: _throughput(run.stages)),
)


_STYLE = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;"
          "margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
          "img{max-width:100%}.warning{color:#a00}nav a{margin-right:1em}"
          ".sample{border:1px solid #ccc;border-left:4px solid #4c72b0;margin:0.8em 0;padding:0.4em 0.8em}"
          ".fields{margin:0.3em 0;font-size:90%}.fields th{background:#f2f2f2;width:10em}"
          ".fields td{word-break:break-all}.note{color:#555;font-size:85%;margin:0.2em 0}"
          "pre{white-space:pre-wrap;word-break:break-word;max-height:18em;overflow:auto;background:#f7f7f7;"
          "padding:0.5em;font-size:85%}.count{font-weight:normal;color:#555}")  # fmt: skip


def render_report(run_dir: str | Path, logs_href: str = "logs") -> str:
    """The report's HTML (pure apart from reading the run folder); `logs_href`: the logs folder relative to where
    the report will be written."""
    run_dir = Path(run_dir)
    stages = read_stage_stats(run_dir)
    info_file = run_dir / "run_info.json"
    info = json.loads(info_file.read_text()) if info_file.is_file() else {}
    config = info.get("config", {})
    summary_file = run_dir / SUMMARY_JSON
    summary = json.loads(summary_file.read_text()) if summary_file.is_file() else {}
    publication = info.get("publication") or {}
    run = RunFiles(run_dir, stages, summary, publication.get("report_facts") or {},
                   publication.get("score_thresholds") or {}, logs_href)  # fmt: skip
    title = f"smolcorpus run: {config.get('name', run_dir.name)}"
    shown = [(section, body) for section in SECTIONS if (body := section.body(run))]
    parts = [part for section, body in shown for part in (section.heading(), *body)]
    nav = "<nav>" + "".join(f'<a href="#{section.anchor}">{_esc(section.title)}</a>'
                            for section, _ in shown if section.anchor) + "</nav>"  # fmt: skip
    head = [f"<h1>{_esc(title)}</h1>",
            f"<p>pipeline <code>{_esc(config.get('pipeline', '?'))}</code>, started "
            f"{_esc(info.get('started_at', '?'))}, smolcorpus {_esc(info.get('smolcorpus_version', '?'))}</p>",
            nav]  # fmt: skip
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{_esc(title)}</title>"
            f"<style>{_STYLE}</style></head><body>{''.join(head + parts)}</body></html>")  # fmt: skip


def unfinished_stages(run_dir: str | Path) -> list[str]:
    """Names of the stages under `run_dir/logs` that have no merged stats.json (they did not finish)."""
    return [stage.name for stage in read_stage_stats(run_dir) if not stage.finished]


def write_report(run_dir: str | Path, output: str | Path | None = None) -> Path:
    """Render and write the report (default `RUN_DIR/report.html`); written under a temporary name first. Links to
    the logs are relative to where it is written."""
    target = Path(output) if output else Path(run_dir) / REPORT_NAME
    logs_href = Path(os.path.relpath(Path(run_dir).resolve() / "logs", target.resolve().parent)).as_posix()
    text = render_report(run_dir, logs_href)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.rename(target)
    return target
