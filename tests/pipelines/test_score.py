"""The one-stage scoring pipeline of `classifier score`: read, tag, (threshold), write Parquet. Built, not run
(the runs are in tests/classifiers/test_score.py)."""

import json

import pytest
from datatrove.pipeline.writers import ParquetWriter

from smolcorpus.classifiers.base import ModelFolderError, base_config
from smolcorpus.classifiers.score import ClassifierScorer, ScoreThresholdFilter
from smolcorpus.pipelines.score import score_stages
from smolcorpus.readers import DocumentFileReader


@pytest.fixture
def model_dir(tmp_path):
    """A classifier folder's config (the stage reads only that when it is built; the weights load in the tasks)."""
    folder = tmp_path / "edu_model"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(base_config("linear", "edu", "graded", 3, "0" * 64)))
    return folder


def test_one_stage_read_score_write(model_dir, tmp_path):
    (stage,) = score_stages(str(model_dir), ["docs/"], str(tmp_path / "scored"), tasks=2, text_column="content",
                            batch_size=8, device="cpu", dtype="bfloat16")  # fmt: skip
    assert (stage.name, stage.tasks) == ("score", 2)
    reader, scorer, writer = stage.pipeline
    assert isinstance(reader, DocumentFileReader) and reader.text_column == "content"
    assert isinstance(scorer, ClassifierScorer) and scorer.key_prefix == "edu"  # the classifier's own name
    assert (scorer.batch_size, scorer.device, scorer.dtype) == (8, "cpu", "bfloat16")
    assert isinstance(writer, ParquetWriter) and writer.output_folder.path == str(tmp_path / "scored")
    assert writer.expand_metadata  # scores become columns


def test_threshold_filters_on_the_renamed_int_score(model_dir, tmp_path):
    (stage,) = score_stages(str(model_dir), ["docs/"], str(tmp_path / "scored"), 1, name="quality", threshold=2)
    threshold = stage.pipeline[2]
    assert isinstance(threshold, ScoreThresholdFilter)
    assert (threshold.key, threshold.threshold) == ("quality_int_score", 2)
    assert isinstance(stage.pipeline[3], ParquetWriter)


def test_a_folder_without_a_classifier_fails_when_built(tmp_path):
    with pytest.raises(ModelFolderError, match="no config.json"):
        score_stages(str(tmp_path), ["docs/"], str(tmp_path / "scored"), 1)
