"""`config/base.py`: unknown keys are errors, and one existence check serves every path-marked field."""

import re

import pytest

from smolcorpus.config import PathMarker, load_config, validate_config
from smolcorpus.errors import ConfigError
from tests.config.conftest import write
from tests.config.path_fields import config_with_every_path


def test_missing_input_path_fails_before_work(tmp_path, valid_text):
    path = write(tmp_path, valid_text.replace(str(tmp_path / "docs"), str(tmp_path / "nope")))
    with pytest.raises(ConfigError, match="input path does not exist: .*nope"):
        load_config(path)
    assert not (tmp_path / "out").exists()


def test_a_missing_local_path_is_refused_wherever_it_is_marked(tmp_path, monkeypatch):
    """One existence check serves every marked field: each missing local path of a finemath config is named."""
    monkeypatch.chdir(tmp_path)
    data, written = config_with_every_path("finemath", tmp_path)
    for key, marker, _value in written:
        if marker.must_exist:
            (tmp_path / key).rmdir()
            with pytest.raises(ConfigError, match=f"path does not exist: {re.escape(key)}"):
                validate_config(data)
            (tmp_path / key).mkdir()


def test_a_marked_path_resolves_by_its_kind(tmp_path, monkeypatch):
    """Local paths become absolute; remote ones and Hub ids stay as written (a model that exists here is a path)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models" / "python").mkdir(parents=True)
    local, model = PathMarker("local"), PathMarker("model")
    assert local.resolve("data") == str(tmp_path / "data") and local.resolve("s3://b/k") == "s3://b/k"
    assert model.resolve("HuggingFaceTB/stack-edu-classifier-python") == "HuggingFaceTB/stack-edu-classifier-python"
    assert model.resolve("models/python") == str(tmp_path / "models" / "python")
    assert not model.missing("org/name") and model.missing("./absent") and not local.missing("s3://b/k")
    assert not PathMarker("model", must_exist=False).missing("gpt2")  # a tokenizer's name: anything goes


def test_steps_take_their_defaults_from_the_config_fields():
    """A step that keeps a default reads the config field's (`default_of`): changing the config's default changes
    the step's, with no second copy of the number to forget."""
    import inspect

    from smolcorpus.classifiers.score import ClassifierScorer
    from smolcorpus.config.base import default_of
    from smolcorpus.config.finemath import FineMathConfig, WarcSourceConfig
    from smolcorpus.config.mix import MixConfig
    from smolcorpus.config.stack_edu import CodeFiltersConfig, CodeScoringConfig, StackV2SourceConfig
    from smolcorpus.config.tokenize import InputConfig, TokenizeConfig
    from smolcorpus.extraction.math_extractor import MathExtractor
    from smolcorpus.filters.code_rules import data_heavy_reason
    from smolcorpus.filters.math_prefilter import MathPrefilter
    from smolcorpus.readers.documents import DocumentFileReader
    from smolcorpus.readers.source_tree import SourceTreeReader
    from smolcorpus.readers.stack_v2 import StackV2Reader
    from smolcorpus.readers.warc import WarcHtmlReader
    from smolcorpus.tokenize.shards import TokenShardWriter

    def step_default(step: type, argument: str):
        return inspect.signature(step).parameters[argument].default

    assert default_of(FineMathConfig, "min_math_words") == 3
    assert default_of(FineMathConfig, "languages") == ["en"]  # a default factory is called
    pairs = [
        (MathPrefilter, "min_vocabulary", FineMathConfig, "min_math_words"),
        (MathExtractor, "timeout", FineMathConfig, "extraction_timeout"),
        (WarcHtmlReader, "max_bytes", WarcSourceConfig, "max_bytes"),
        (SourceTreeReader, "max_bytes", CodeFiltersConfig, "max_bytes"),
        (StackV2Reader, "max_bytes", CodeFiltersConfig, "max_bytes"),
        (StackV2Reader, "concurrency", StackV2SourceConfig, "concurrency"),
        (StackV2Reader, "max_attempts", StackV2SourceConfig, "max_attempts"),
        (StackV2Reader, "backoff", StackV2SourceConfig, "backoff_seconds"),
        (DocumentFileReader, "max_bytes", InputConfig, "max_document_bytes"),
        (TokenShardWriter, "batch_size", TokenizeConfig, "batch_size"),
        (TokenShardWriter, "max_tokens_per_shard", TokenizeConfig, "max_tokens_per_shard"),
        (TokenShardWriter, "tokens_per_row_group", TokenizeConfig, "tokens_per_row_group"),
        (data_heavy_reason, "max_data_file_bytes", CodeFiltersConfig, "max_data_file_bytes"),
        (data_heavy_reason, "table_fraction", CodeFiltersConfig, "max_table_fraction"),
        (data_heavy_reason, "digit_fraction", CodeFiltersConfig, "max_digit_fraction"),
        (ClassifierScorer, "batch_size", CodeScoringConfig, "batch_size"),
    ]
    for step, argument, model, field in pairs:
        assert step_default(step, argument) == default_of(model, field), (step.__name__, argument)
    for field in ("max_tokens_per_shard", "tokens_per_row_group"):  # mix's shards are written as tokenize's
        assert default_of(MixConfig, field) == default_of(TokenizeConfig, field)
