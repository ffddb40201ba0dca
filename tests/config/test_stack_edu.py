"""`config/stack_edu.py`: the code corpus's sources, scoring and languages agree with one another."""

import pytest

from smolcorpus.config import SourceTreesConfig, StackEduConfig


def test_a_source_is_needed(tmp_path):
    with pytest.raises(ValueError, match="needs at least one source"):
        StackEduConfig()
    assert StackEduConfig(source_trees={"roots": [str(tmp_path)]}).stack_v2 is None


def test_one_repo_name_and_license_per_root(tmp_path):
    with pytest.raises(ValueError, match="repo_names has 2 entries for 1 roots"):
        SourceTreesConfig(roots=[str(tmp_path)], repo_names=["a/b", "c/d"])
    assert SourceTreesConfig(roots=[str(tmp_path)], licenses=[None]).licenses == [None]


def test_scoring_settings_need_a_model_and_a_language_that_is_read(tmp_path):
    trees = {"roots": [str(tmp_path)]}
    with pytest.raises(ValueError, match="default_threshold set, but no model scores the files"):
        StackEduConfig(source_trees=trees, scoring={"default_threshold": 2})
    with pytest.raises(ValueError, match=r"scoring.models.python: not in `languages`.*spelled .*Python"):
        StackEduConfig(source_trees=trees, scoring={"models": {"python": "org/model"}})
    scored = StackEduConfig(source_trees=trees, scoring={"models": {"Python": "org/model"}, "default_threshold": 2})
    assert scored.scoring.enabled and scored.scoring.models == {"Python": "org/model"}  # a Hub id: not a path
