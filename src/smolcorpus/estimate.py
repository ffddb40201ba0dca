"""`smolcorpus run CONFIG --estimate`: what a whole run will cost, measured on a sample of its input.

The input is listed as the run would list it (WARC files, or a Common Crawl `warc.paths.gz` of a whole snapshot;
Parquet/JSONL files; repositories), with each unit's size in bytes where listing gives it cheaply (local files; a
source tree's source files). The sample is picked by size: the units, ordered by size, are cut into `--sample`
groups of as many units each and the middle unit of each group is measured, so small and large units are both in
it. The configured pipeline runs on each sampled unit on its own, for real (same stages and settings, one task on
one worker, in a temporary folder). Each quantity (CPU seconds, output bytes, tokens) is extrapolated by size, as
a ratio estimate: the sample's total × (bytes in the input) / (bytes in the sample); without sizes (remote files),
by count. Records are extrapolated by the items listing counted where it counts them (a source tree's files), else
by size too. Each error bar is one standard error of its estimate, from how much the sampled units' rates (per byte,
per listed item) differ, with the finite-population correction (measuring every unit gives ± 0; one unit gives no
error bar). Units of one kind but different sizes (source trees of 20 or 200 files; a WARC segment is ≈ 1 GB,
30–40k records) are handled by the scaling; what the sizes do not predict (one repository of tests, another of
data) is what the error bar measures.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from smolcorpus.config import RunConfig, set_override, validate_config
from smolcorpus.pipelines import PIPELINES

# what a unit's run measures, extrapolated each on its own: (attribute, how the total is written)
QUANTITIES = ("records", "seconds", "output_bytes", "tokens")


@dataclass
class StepRate:
    stage: str
    step: str
    seen: float  # documents the step looked at in the sample
    passed: float  # documents it let through


@dataclass
class UnitRun:
    """One sampled unit's run."""

    unit: str
    size: float  # bytes (1 when sizes are unknown: scaled by count)
    count: float | None  # items listing counted in it (None: not counted)
    records: float  # records (WARC) or documents read
    seconds: float  # all stages, one task, one worker
    output_bytes: int  # Parquet data written: curated rows and token shards
    tokens: float  # kept tokens


@dataclass
class RunEstimate:
    pipeline: str
    unit: str  # what the input is counted in ("WARC files", "files", "repositories")
    total_units: int
    total_size: float  # bytes of the whole input (its unit count when sizes are unknown)
    sized: bool  # whether units have sizes (else scaled by count)
    runs: list[UnitRun]
    stage_seconds: dict[str, float]  # summed over the sample's runs: CPU seconds
    steps: list[StepRate] = field(default_factory=list)
    size_of: str = "files"  # what the sizes count
    total_count: float | None = None  # items listing counted in the whole input (None: not counted)

    @property
    def sample_units(self) -> list[str]:
        return [run.unit for run in self.runs]

    def sampled(self, quantity: str) -> float:
        """`quantity` (a `UnitRun` field) summed over the sampled units."""
        return sum(getattr(run, quantity) for run in self.runs)

    # the sample's records, Parquet bytes, tokens and size
    sample_records = property(lambda self: self.sampled("records"))
    output_bytes = property(lambda self: self.sampled("output_bytes"))
    tokens = property(lambda self: self.sampled("tokens"))
    sample_size = property(lambda self: self.sampled("size"))

    @property
    def scale(self) -> float:
        """Whole input / sample, by size (by count without sizes)."""
        return self.total_size / self.sample_size if self.sample_size else self.total_units / len(self.runs)

    @property
    def cpu_hours(self) -> float:
        return sum(self.stage_seconds.values()) * self.scale / 3600

    def _by_count(self, quantity: str) -> bool:
        return quantity == "records" and self.total_count is not None

    def _auxiliary(self, quantity: str) -> tuple[list[float], float]:
        """(each sampled unit's x, the input's X) that `quantity` is scaled by: listed items for records where
        counted, else sizes."""
        if self._by_count(quantity):
            return [run.count for run in self.runs], self.total_count
        return [run.size for run in self.runs], self.total_size

    def total(self, quantity: str) -> float:
        """The whole input's `quantity` (one of QUANTITIES): the sample's, scaled by size (records: by count)."""
        sample, whole = self._auxiliary(quantity)
        measured = self.sampled(quantity)
        # units without sizes (or all empty): by count, the sample's mean per unit times the units
        return measured * whole / sum(sample) if sum(sample) else measured * self.total_units / len(self.runs)

    def relative_error(self, quantity: str) -> float | None:
        """One standard error of `total(quantity)`, relative to it; None from a single unit (or a zero total).

        Ratio estimator of a total (Cochran, Sampling Techniques, 6.3): with R = Σy/Σx over the n sampled units,
        Var ≈ N² (1 − n/N) / n · Σ(y − R x)² / (n − 1), N the units in the input."""
        n, total = len(self.runs), self.total(quantity)
        sample, _ = self._auxiliary(quantity)
        if n < 2 or not total or not sum(sample):
            return None
        values = [getattr(run, quantity) for run in self.runs]
        ratio = self.sampled(quantity) / sum(sample)
        residuals = sum((y - ratio * x) ** 2 for y, x in zip(values, sample, strict=True)) / (n - 1)
        variance = self.total_units**2 * max(0.0, 1 - n / self.total_units) / n * residuals
        return math.sqrt(variance) / total

    def _with_error(self, text: str, quantity: str) -> str:
        error = self.relative_error(quantity)
        return text if error is None else f"{text} ± {error:.0%}"

    def render(self) -> str:
        sample_seconds = sum(self.stage_seconds.values())
        records_per_s = self.sample_records / sample_seconds if sample_seconds else 0.0
        names = ", ".join(
            Path(run.unit).name + (f" {_size(run.size)}" if self.sized else "") for run in self.runs[:3]
        ) + (", …" if len(self.runs) > 3 else "")  # fmt: skip
        if self.sized:
            whole = f" ({_size(self.total_size)} of {self.size_of})"
            share = self.sample_size / self.total_size if self.total_size else 0.0
            picked = f"measured on {len(self.runs)} picked by size ({names}: {share:.0%} of the bytes)"
        else:
            whole, picked = "", f"measured on {len(self.runs)} ({names}; sizes not listed: scaled by count)"
        lines = [
            f"estimate for the {self.pipeline} run: {self.total_units:,} {self.unit} in the input{whole}, {picked}, "
            "each run alone on one task on one core",
            "",
            f"{'stage':<24}{'seconds':>10}{'share':>8}{'CPU-hours (all input)':>24}",
        ]
        for stage, seconds in self.stage_seconds.items():
            share = seconds / sample_seconds if sample_seconds else 0.0
            lines.append(f"{stage:<24}{seconds:>10.1f}{share:>8.0%}{seconds * self.scale / 3600:>24,.1f}")
        lines += ["", f"{'step':<46}{'seen':>10}{'passed':>10}{'pass rate':>11}"]
        for rate in self.steps:
            share = rate.passed / rate.seen if rate.seen else 0.0
            label = f"{rate.stage}: {rate.step}"
            lines.append(f"{label:<46.46}{rate.seen:>10,.0f}{rate.passed:>10,.0f}{share:>11.1%}")
        parts = [
            self._with_error(f"≈ {self.total('records'):,.0f} records", "records"),
            self._with_error(f"≈ {_cpu(self.total('seconds'))}", "seconds"),
            self._with_error(f"≈ {_size(self.total('output_bytes'))} of Parquet outputs", "output_bytes"),
        ]
        if self.tokens:
            parts.append(self._with_error(f"≈ {self.total('tokens'):,.0f} tokens", "tokens"))
        by = "by size" if self.sized else "by count"
        if self._by_count("records"):
            by += f"; records by the {self.total_count:,.0f} {self.size_of} listed"
        lines += [
            "",
            f"sample: {self.sample_records:,.0f} records read in {sample_seconds:,.1f} s ({records_per_s:,.1f} "
            f"records/s on one core)",
            f"whole input (x{self.scale:,.1f} {by}): {', '.join(parts)}",
        ]
        if len(self.runs) < 2:
            lines.append("no error bar from one unit: --sample 2 or more gives one")
        else:
            per = "byte" if self.sized else "unit"
            lines.append(f"±: one standard error, from how much the {len(self.runs)} sampled {self.unit}' rates per "
                         f"{per} differ (measuring all {self.total_units:,} gives ± 0)")  # fmt: skip
        return "\n".join(lines)


def _cpu(seconds: float) -> str:
    return f"{seconds / 3600:,.1f} CPU-hours" if seconds >= 360 else f"{seconds:,.0f} CPU-seconds"


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000:
            return f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:,.1f} PB"


def sample_indices(total: int, count: int, sizes: list[int] | None = None) -> list[int]:
    """Indices of the `count` units to measure, in listing order: every unit when `count` ≥ `total`; with `sizes`,
    the units ordered by size (listing order among equals) cut into `count` groups of as many units each, the
    middle unit of each group; without, evenly over the listing (the first, then every total/count-th)."""
    if count >= total:
        return list(range(total))
    if sizes is None:
        step = total / count
        return [int(i * step) for i in range(count)]
    by_size = sorted(range(total), key=lambda i: (sizes[i], i))
    return sorted(by_size[int((k + 0.5) * total / count)] for k in range(count))


def _sample_config(config: RunConfig, keys: dict[str, list], output_dir: str) -> RunConfig:
    """`config` with each dotted key of `keys` set to its list (the sampled units and their companions), one task,
    into `output_dir`."""
    data = config.model_dump(mode="json")
    data["output_dir"] = output_dir
    data["executor"] = {"kind": "local", "tasks": 1, "workers": 1}
    for key, value in keys.items():
        set_override(data, key, value)
    return validate_config(data, source="run --estimate (the config, on one sampled unit)")


def _get(data: dict, dotted_key: str):
    for key in dotted_key.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data


def estimate_run(config: RunConfig, sample_count: int = 1, work_dir: str | None = None) -> RunEstimate:
    """Run `config`'s pipeline on `sample_count` units of its input, one unit at a time (see the module docstring),
    and extrapolate."""
    from smolcorpus.errors import ConfigError

    spec = PIPELINES[config.pipeline]
    config = config.resolved_paths()
    inputs = spec.input_units(config)
    units = inputs.units
    if not units:
        raise ConfigError("--estimate: the input is empty")
    sizes, counts = inputs.sizes, inputs.counts
    picked = sample_indices(len(units), sample_count, sizes)
    data = config.model_dump(mode="json")
    companions = {key: _get(data, key) for key in inputs.companion_keys}
    runs, stage_seconds, steps = [], {}, {}
    with tempfile.TemporaryDirectory(prefix="smolcorpus-estimate-", dir=work_dir) as tmp:
        for i in picked:
            keys = {inputs.config_key: [units[i]]}
            keys.update({key: [value[i]] for key, value in companions.items() if value is not None})
            output = Path(tmp) / f"unit-{i}"
            run = _measure(_sample_config(config, keys, str(output)), output, spec.subset_prefix is None)
            runs.append(UnitRun(units[i], float(sizes[i]) if sizes else 1.0, counts[i] if counts else None, *run[:4]))
            for stage, seconds in run[4].items():
                stage_seconds[stage] = stage_seconds.get(stage, 0.0) + seconds
            for (stage, step), (seen, passed) in run[5].items():
                before = steps.get((stage, step), (0.0, 0.0))
                steps[(stage, step)] = (before[0] + seen, before[1] + passed)
    return RunEstimate(
        pipeline=config.pipeline, unit=inputs.name, total_units=len(units),
        total_size=float(sum(sizes)) if sizes else float(len(units)), sized=sizes is not None, runs=runs,
        stage_seconds=stage_seconds, steps=[StepRate(*key, *value) for key, value in steps.items()],
        size_of=inputs.size_of, total_count=float(sum(counts)) if counts else None,
    )  # fmt: skip


def _measure(config: RunConfig, output: Path, tokens_at_top: bool):
    """(records, seconds, output bytes, tokens, seconds per stage, (seen, passed) per (stage, step)) of one run."""
    import json

    from smolcorpus.run import run_config

    summary = run_config(config, quiet=True)
    reader = next(iter(summary.stages[0].counters.values()), {})
    records = reader.get("records", reader.get("documents", 0))
    # a filter counts `total`, and `forwarded` or `dropped` only once it has (a unit with no math page: no forwarded)
    steps = {(stage.name, _step_name(step)): (values["total"], values.get("forwarded", 0))
             for stage in summary.stages for step, values in stage.counters.items()
             if "total" in values and ("forwarded" in values or "dropped" in values)}  # fmt: skip
    # the data: Parquet shards (curated rows, tokens), not the files each token folder has once whatever its size
    # (tokenizer.json is 1.8 MB: counted per sampled unit and scaled up, it made outputs 2-4× too large)
    shards = (output.glob("*.parquet") if tokens_at_top
              else (p for folder in ("curated", "tokens") for p in (output / folder).rglob("*.parquet")))  # fmt: skip
    output_bytes = sum(p.stat().st_size for p in shards if p.is_file())
    tokens = 0.0
    summary_file, manifest = output / "summary.json", output / "manifest.json"
    if summary_file.is_file():
        tokens = float(json.loads(summary_file.read_text()).get("totals", {}).get("kept_tokens") or 0)
    elif manifest.is_file():
        tokens = float(json.loads(manifest.read_text()).get("num_tokens") or 0)
    stage_seconds = {stage.name: stage.seconds for stage in summary.stages}
    return records, sum(stage_seconds.values()), output_bytes, tokens, stage_seconds, steps


def _step_name(step: str) -> str:
    """The report's step label without its type (`🔻 - FILTER: ➗ Math prefilter` → `Math prefilter`)."""
    from smolcorpus.report.page import step_label

    return step_label(step).split(": ", 1)[-1]
