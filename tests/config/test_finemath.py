"""`config/finemath.py`: the math corpus's settings refuse thresholds for steps that do not run."""

import pytest

from smolcorpus.config import ClassifierStepConfig, MathQualityConfig, PrecisionConfig


def test_gopher_thresholds_need_the_rules_on():
    with pytest.raises(ValueError, match="min_doc_words set, but enabled is false"):
        MathQualityConfig(min_doc_words=20)
    on = MathQualityConfig(enabled=True, min_doc_words=20)
    assert on.gopher_thresholds()["min_doc_words"] == 20 and "enabled" not in on.gopher_thresholds()


def test_classifier_settings_need_a_model():
    with pytest.raises(ValueError, match="threshold set, but model is null"):
        ClassifierStepConfig(threshold=0.3)
    with pytest.raises(ValueError, match="subsets set, but model is null"):
        PrecisionConfig(subsets={"2plus": 2})
    with pytest.raises(ValueError, match="model set, but subsets is empty"):
        PrecisionConfig(model="org/grader", subsets={})
    assert PrecisionConfig(model="org/grader").subsets == {"3plus": 3, "4plus": 4}
