"""`config/mix.py`: a mixture's sources and shares."""

import pytest

from smolcorpus.errors import ConfigError


@pytest.mark.parametrize("share", [".inf", ".nan", "-1", "0"])
def test_a_mixture_share_must_be_a_finite_positive_number(tmp_path, share):
    from smolcorpus.config import load_mix_config

    (tmp_path / "tokens").mkdir()
    path = tmp_path / "mix.yaml"
    path.write_text(f"output_dir: {tmp_path}/mix\ntotal_tokens: 1000\nsources:\n"
                    f"  - {{name: web, path: {tmp_path}/tokens, share: {share}}}\n")  # fmt: skip
    with pytest.raises(ConfigError, match=r"sources.0.share \(line 4\)"):
        load_mix_config(path)
