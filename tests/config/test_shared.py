"""`config/shared.py`: the sections two pipelines read, with the defaults each pipeline gives them."""

import pytest

from smolcorpus.config import CodeScoringConfig, FineMathConfig, StackEduConfig


def test_scoring_device_and_dtype():
    """Scorers' device/dtype are validated like every other key."""
    assert CodeScoringConfig().device == "auto" and CodeScoringConfig(device="cuda:1", dtype="bfloat16").dtype
    with pytest.raises(ValueError, match="should match pattern"):
        CodeScoringConfig(device="gpu")


def test_each_pipeline_gives_its_own_dedup_and_decontamination_defaults():
    """One model, two sets of defaults: code dedups exactly and per language with 10-word n-grams; web math pages
    only by MinHash, across languages, with FineMath's 13-word n-grams."""
    code = StackEduConfig.model_fields
    math = FineMathConfig.model_fields
    code_dedup, math_dedup = (f["dedup"].get_default(call_default_factory=True) for f in (code, math))
    assert (code_dedup.exact, code_dedup.per_language, math_dedup.exact, math_dedup.per_language) == (
        True, True, False, False)  # fmt: skip
    assert [f["decontamination"].get_default(call_default_factory=True).n_gram for f in (code, math)] == [10, 13]
