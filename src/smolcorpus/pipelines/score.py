"""The stand-alone scoring pipeline of `classifier score`: documents → classifier scores → (threshold) → Parquet.

It runs its one stage itself (`run_score`), not through `run.run_config`, on purpose: its output folder stays a
plain Parquet dataset, with no run_info.json or report.html beside the shards."""

from __future__ import annotations

from datatrove.pipeline.writers import ParquetWriter

from smolcorpus.classifiers.score import ClassifierScorer, ScoreThresholdFilter
from smolcorpus.config import ExecutorConfig
from smolcorpus.config.base import default_of
from smolcorpus.config.stack_edu import CodeScoringConfig
from smolcorpus.readers import DocumentFileReader
from smolcorpus.runtime.executors import run_stages
from smolcorpus.runtime.stage import Stage, StageResult


def score_stages(
    model_dir: str,
    inputs: list[str],
    output_dir: str,
    tasks: int,
    name: str | None = None,
    threshold: float | None = None,
    batch_size: int = default_of(CodeScoringConfig, "batch_size"),
    text_column: str = "text",
    device: str = "auto",
    dtype: str = "float32",
) -> list[Stage]:
    """One stage: read, tag `<name>_score`/`<name>_int_score`, optionally keep int scores ≥ threshold, write."""
    scorer = ClassifierScorer(model_dir, name=name, batch_size=batch_size, device=device, dtype=dtype)
    pipeline = [DocumentFileReader(inputs, text_column=text_column), scorer]
    if threshold is not None:
        pipeline.append(ScoreThresholdFilter(scorer.key_prefix, threshold))
    pipeline.append(ParquetWriter(output_dir, output_filename="${rank}.parquet", expand_metadata=True))
    return [Stage("score", pipeline, tasks)]


def run_score(model_dir: str, inputs: list[str], output_dir: str, tasks: int, workers: int,
              **options) -> StageResult:  # fmt: skip
    """Run `score_stages` (`options`: its keyword arguments) on the local executor, `workers` at a time (-1: as
    many as it allows), and return the stage's result."""
    executor = ExecutorConfig(kind="local", tasks=tasks, workers=workers)
    # logs in `_logs`: Parquet readers (pyarrow, pandas, datasets) skip `_`-prefixed entries, so
    # `pandas.read_parquet(output_dir)` reads the scored shards alone
    stages = score_stages(model_dir, inputs, output_dir, tasks, **options)
    return run_stages(stages, executor, logs_root=f"{output_dir}/_logs", run_name="score")[0]
