"""The table of pipelines agrees with the config: every registered pipeline is a `pipeline:` value the config
accepts and reads the section the config reserves for it; the config accepts no other. The table is read from the
config's sections, so these tests enumerate it rather than a list of names."""

from importlib import import_module

import pytest

from smolcorpus.config import pipeline_sections, validate_config
from smolcorpus.errors import ConfigError
from smolcorpus.pipelines import PIPELINES


def test_every_pipeline_is_registered_once_with_its_config_section():
    assert list(PIPELINES) == list(pipeline_sections()) and PIPELINES
    for name, spec in PIPELINES.items():
        assert spec.name == name
        assert spec.section == pipeline_sections()[name]
        assert spec.card_description and spec.license
        assert import_module(f"smolcorpus.pipelines.{name}").SPEC is spec  # the module named as the pipeline


def test_an_unknown_pipeline_is_refused_with_the_known_ones():
    with pytest.raises(ConfigError, match=f"unknown pipeline 'math'; one of: {', '.join(PIPELINES)}") as error:
        validate_config({"pipeline": "math", "output_dir": "out"})
    assert "one of: tokenize, stack_edu, finemath" in str(error.value)  # the message as users see it today


def test_publish_subsets_follow_the_spec():
    """Corpus pipelines publish `<prefix><curated folder>` subsets; tokenize publishes its shards as one subset."""
    assert PIPELINES["finemath"].subset_prefix == "finemath-"
    assert PIPELINES["stack_edu"].subset_prefix == "stack-edu-"
    assert PIPELINES["tokenize"].subset_prefix is None
    config = {"pipeline": "stack_edu", "stack_edu": {"scoring": {"models": {"Python": "m/py"}, "default_model": None}}}
    assert [m for m in PIPELINES["stack_edu"].classifier_models(config) if m] == ["m/py"]


def test_the_card_names_the_languages_the_run_kept(tmp_path):
    """A finemath run with `languages: [de, fr]` is not an English dataset (it used to say `en` whatever the run)."""
    for languages in (["en"], ["de", "fr"]):
        finemath = {"warc": {"paths": [str(tmp_path)]}, "languages": languages}
        config = validate_config({"pipeline": "finemath", "output_dir": str(tmp_path / "out"), "finemath": finemath})
        assert PIPELINES["finemath"].publication(config)["languages"] == languages
        assert PIPELINES["finemath"].publication(config)["report_facts"] == {"domain_min_pages": 10}
    config = validate_config({"pipeline": "tokenize", "output_dir": str(tmp_path / "t"),
                              "input": {"paths": [str(tmp_path)]}})  # fmt: skip
    assert PIPELINES["tokenize"].publication(config)["languages"] is None


def test_a_run_records_what_publish_needs(tmp_path):
    """`publish` reads the output folder alone: the spec's publication facts are what run_info.json carries."""
    import json

    from smolcorpus.provenance import write_run_info

    config = validate_config({"pipeline": "finemath", "output_dir": str(tmp_path / "out"),
                              "finemath": {"warc": {"paths": [str(tmp_path)]}}})  # fmt: skip
    path = write_run_info(config, None, PIPELINES["finemath"].publication(config))
    publication = json.loads(path.read_text())["publication"]
    assert publication == {"subset_prefix": "finemath-", "card_description": PIPELINES["finemath"].card_description,
                           "license": "odc-by", "languages": ["en"], "classifier_models": [],
                           "score_thresholds": {}, "report_facts": {"domain_min_pages": 10}}  # fmt: skip
