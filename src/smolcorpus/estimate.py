"""`smolcorpus run CONFIG --estimate`: what a whole run will cost, measured on a sample of its input.

The input is listed as the run would list it (WARC files, or a Common Crawl `warc.paths.gz` of a whole snapshot;
Parquet/JSONL files; repositories), a few units are picked evenly across the list, and the configured pipeline runs
on them for real (same stages and settings, one task on one worker, in a temporary folder). Each stage's CPU time,
each step's pass rate and the sample's records, output bytes and tokens are then scaled by (units in the input) /
(units in the sample). The estimate is as good as the sample is typical: units of very different sizes (a WARC
segment is ≈ 1 GB, 30–40k records) need more of them.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from smolcorpus.config import RunConfig, set_override, validate_config
from smolcorpus.pipelines import PIPELINES


@dataclass
class StepRate:
    stage: str
    step: str
    seen: float  # documents the step looked at in the sample
    passed: float  # documents it let through


@dataclass
class RunEstimate:
    pipeline: str
    unit: str  # what the input is counted in ("WARC files", "files", "repositories")
    total_units: int
    sample_units: list[str]
    sample_records: float  # records (WARC) or documents read from the sample
    stage_seconds: dict[str, float]  # one task, one worker: CPU seconds
    steps: list[StepRate] = field(default_factory=list)
    output_bytes: int = 0  # curated outputs and token shards of the sample
    tokens: float = 0  # kept tokens of the sample (corpus pipelines)

    @property
    def scale(self) -> float:
        return self.total_units / max(len(self.sample_units), 1)

    @property
    def cpu_hours(self) -> float:
        return sum(self.stage_seconds.values()) * self.scale / 3600

    def render(self) -> str:
        sample_seconds = sum(self.stage_seconds.values())
        records_per_s = self.sample_records / sample_seconds if sample_seconds else 0.0
        lines = [
            f"estimate for the {self.pipeline} run: {self.total_units:,} {self.unit} in the input, measured on "
            f"{len(self.sample_units)} ({', '.join(Path(u).name for u in self.sample_units[:3])}"
            f"{', …' if len(self.sample_units) > 3 else ''}), one task on one core",
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
        lines += [
            "",
            f"sample: {self.sample_records:,.0f} records read in {sample_seconds:,.1f} s ({records_per_s:,.1f} "
            f"records/s on one core)",
            f"whole input (x{self.scale:,.1f}): ≈ {self.sample_records * self.scale:,.0f} records, "
            f"≈ {self.cpu_hours:,.1f} CPU-hours, ≈ {_size(self.output_bytes * self.scale)} of outputs"
            + (f", ≈ {self.tokens * self.scale:,.0f} tokens" if self.tokens else ""),
        ]
        return "\n".join(lines)


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000:
            return f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:,.1f} PB"


def sample_units(units: list[str], count: int) -> list[str]:
    """`count` units spread evenly over the list (the first, then every len/count-th)."""
    if count >= len(units):
        return list(units)
    step = len(units) / count
    return [units[int(i * step)] for i in range(count)]


def _sample_config(config: RunConfig, units_key: str, sample: list[str], output_dir: str) -> RunConfig:
    """`config` reading only `sample` (set at `units_key`), one task, into `output_dir`."""
    data = config.model_dump(mode="json")
    data["output_dir"] = output_dir
    data["executor"] = {"kind": "local", "tasks": 1, "workers": 1}
    set_override(data, units_key, sample)
    return validate_config(data)


def estimate_run(config: RunConfig, sample_count: int = 1, work_dir: str | None = None) -> RunEstimate:
    """Run `config`'s pipeline on `sample_count` units of its input (see the module docstring) and extrapolate."""
    import json

    from smolcorpus.errors import ConfigError
    from smolcorpus.run import run_config

    spec = PIPELINES[config.pipeline]
    inputs = spec.input_units(config.resolved_paths())
    unit, units = inputs.name, inputs.units
    if not units:
        raise ConfigError("--estimate: the input is empty")
    sample = sample_units(units, sample_count)
    with tempfile.TemporaryDirectory(prefix="smolcorpus-estimate-", dir=work_dir) as tmp:
        output = Path(tmp) / "run"
        summary = run_config(_sample_config(config, inputs.config_key, sample, str(output)), quiet=True)
        first = summary.stages[0].counters
        reader = next(iter(first.values()), {})
        records = reader.get("records", reader.get("documents", 0))
        steps = [
            StepRate(stage.name, _step_name(step), values["total"], values["forwarded"])
            for stage in summary.stages
            for step, values in stage.counters.items()
            if "total" in values and "forwarded" in values
        ]
        output_bytes = sum(
            p.stat().st_size for folder in ("curated", "tokens") for p in (output / folder).rglob("*") if p.is_file()
        )
        if spec.subset_prefix is None:  # token shards at the top of the output folder
            output_bytes = sum(p.stat().st_size for p in output.glob("*.parquet"))
        tokens = 0.0
        summary_file = output / "summary.json"
        if summary_file.is_file():
            tokens = float(json.loads(summary_file.read_text()).get("totals", {}).get("kept_tokens", 0))
        return RunEstimate(
            pipeline=config.pipeline, unit=unit, total_units=len(units), sample_units=sample, sample_records=records,
            stage_seconds={s.name: s.seconds for s in summary.stages}, steps=steps, output_bytes=output_bytes,
            tokens=tokens,
        )  # fmt: skip


def _step_name(step: str) -> str:
    """The report's step label without its type (`🔻 - FILTER: ➗ Math prefilter` → `Math prefilter`)."""
    from smolcorpus.report.page import step_label

    return step_label(step).split(": ", 1)[-1]
