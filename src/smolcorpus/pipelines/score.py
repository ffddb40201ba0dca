"""Composition of the stand-alone scoring pipeline: documents → classifier scores → (threshold) → Parquet."""

from __future__ import annotations

from datatrove.pipeline.writers import ParquetWriter

from smolcorpus.classifiers.score import ClassifierScorer, ScoreThresholdFilter
from smolcorpus.readers import DocumentFileReader
from smolcorpus.runtime.stage import Stage


def score_stages(
    model_dir: str,
    inputs: list[str],
    output_dir: str,
    tasks: int,
    name: str | None = None,
    threshold: float | None = None,
    batch_size: int = 64,
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
