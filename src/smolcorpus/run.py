"""Run a validated config: write provenance, build the stages, run them, and summarise what happened."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from smolcorpus.config import RunConfig, is_remote
from smolcorpus.errors import DiskFullError
from smolcorpus.output_claim import claimed_output_folder
from smolcorpus.pipelines import PIPELINES, build_stages
from smolcorpus.provenance import write_run_info
from smolcorpus.runtime.executors import run_stages
from smolcorpus.runtime.stage import Stage, StageResult
from smolcorpus.writers.funnel import SUMMARY_MARKDOWN


@dataclass
class RunSummary:
    config: RunConfig
    stages: list[StageResult]
    submitted_only: bool = False
    report: Path | None = None

    def counter(self, stage: str, name: str) -> float:
        """Sum of counter `name` over every step of `stage` (e.g. `dropped_empty_text`)."""
        result = next((s for s in self.stages if s.name == stage), None)
        return sum(step.get(name, 0) for step in result.counters.values()) if result else 0

    def render(self) -> str:
        lines = [f"run '{self.config.name}' ({self.config.pipeline}) → {self.config.output_dir}"]
        for stage in self.stages:
            state = "already complete, skipped" if stage.skipped else f"{stage.seconds:.1f} s"
            if self.submitted_only:
                state = "submitted"
            lines.append(f"  stage {stage.name}: {stage.tasks} task(s), {state}; logs in {stage.logging_dir}")
            lines.extend(f"    {line}" for line in format_counters(stage.counters))
        if self.report is not None:
            lines.append(f"  report: {self.report}")
        funnel = Path(self.config.output_dir) / SUMMARY_MARKDOWN
        if not self.submitted_only and funnel.is_file():  # corpus pipelines write their funnel there
            lines += ["", f"funnel ({funnel}):", funnel.read_text(encoding="utf-8")]
        return "\n".join(lines)


def format_counters(counters: dict[str, dict[str, float]]) -> list[str]:
    """One line per step: its counters (documents, tokens, drops by reason, ...), without length distributions."""
    lines = []
    for step, values in counters.items():
        shown = {k: v for k, v in values.items() if k not in ("doc_len", "doc_len_tokens")}
        if shown:
            lines.append(f"{step}: " + ", ".join(f"{k}={v:,.0f}" for k, v in shown.items()))
    return lines


def plan_config(config: RunConfig) -> tuple[RunConfig, list]:
    """Resolve paths and assets and build the stages, without running anything (`--dry-run` stops here).
    Missing assets fail here, before any work."""
    config = config.resolved_paths()
    return config, build_stages(config)


def format_plan(config: RunConfig, stages: list[Stage]) -> str:
    """What `--dry-run` prints of a planned run: its pipeline, executor and output folder, then each stage's task
    count and steps."""
    lines = [f"config OK: pipeline '{config.pipeline}', executor {config.executor.kind}, output {config.output_dir}"]
    for stage in stages:
        steps = ", ".join(type(step).__name__ for step in stage.pipeline)
        lines.append(f"  stage {stage.name}: {stage.tasks} task(s): {steps}")
    return "\n".join(lines)


def run_config(
    config: RunConfig,
    config_file: str | None = None,
    wait: bool = True,
    timeout_seconds: float | None = None,
    quiet: bool = False,
    verbose: bool = False,
) -> RunSummary:
    """Plan the run, write its provenance next to the outputs, then run (or, on Slurm, submit) every stage.
    The console: progress bars, warnings and errors by default; `verbose` adds datatrove's logging, `quiet`
    shows nothing but what the caller prints (`runtime.console`)."""
    config, stages = plan_config(config)
    try:
        return _run_claimed(config, stages, config_file, wait, timeout_seconds, quiet, verbose)
    except OSError as e:  # a full disk: one line naming the folder (DiskFullError), not a traceback
        if isinstance(e, DiskFullError) or not DiskFullError.caused(e):
            raise
        raise DiskFullError.of(e, config.output_dir) from e


def _run_claimed(config, stages, config_file, wait, timeout_seconds, quiet, verbose) -> RunSummary:
    # refused before any work: someone else's folder, another run's, inputs and outputs nested, a run in progress
    with claimed_output_folder(config):
        write_run_info(config, config_file, PIPELINES[config.pipeline].publication(config))
        results = run_stages(
            stages,
            config.executor,
            logs_root=f"{config.output_dir}/logs",
            run_name=config.name,
            wait=wait,
            timeout_seconds=timeout_seconds,
            quiet=quiet,
            verbose=verbose,
        )
        summary = RunSummary(config, results, submitted_only=config.executor.kind == "slurm" and not wait)
        if not summary.submitted_only and not is_remote(config.output_dir):
            from smolcorpus.report import write_report

            summary.report = write_report(config.output_dir)
    return summary
