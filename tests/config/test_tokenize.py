"""`config/tokenize.py`: the tokenize pipeline's input and the token shards' settings."""

import pytest

from smolcorpus.config import InputConfig, TokenizeConfig


def test_carried_columns_and_packing_conflict():
    """A packed row mixes documents, so it carries no per-document column; either alone is fine."""
    assert TokenizeConfig(pack_length=2048).pack_length == 2048
    assert TokenizeConfig(carry_columns=["url"]).carry_columns == ["url"]
    with pytest.raises(ValueError, match="carry_columns and pack_length conflict"):
        TokenizeConfig(pack_length=2048, carry_columns=["url"])


def test_input_names_its_missing_paths_as_input(tmp_path):
    with pytest.raises(ValueError, match=f"input path does not exist: {tmp_path / 'absent'}"):
        InputConfig(paths=[str(tmp_path), str(tmp_path / "absent")])
    assert InputConfig(paths=["s3://bucket/docs"]).paths == ["s3://bucket/docs"]  # remote: left to fsspec
