"""Mixtures of small real tokenized datasets (Common Crawl pages, news articles, source code of ../shared/data)."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from smolcorpus.config import MixConfig, validate_config
from smolcorpus.run import run_config
from smolcorpus.tokenize import read_manifest
from smolcorpus.tokenize.loader import TokenShardDataset
from smolcorpus.tokenize.mixture import MixtureError, build_mixture, select_documents


@pytest.fixture(scope="module")
def token_folders(real_corpus, tmp_path_factory):
    root = tmp_path_factory.mktemp("mix_sources")
    folders = {}
    for name in ("cc", "articles", "code"):
        config = {"pipeline": "tokenize", "name": name, "output_dir": str(root / name),
                  "input": {"paths": [str(real_corpus / name)]}, "executor": {"tasks": 2, "workers": 2}}  # fmt: skip
        run_config(validate_config(config))
        folders[name] = root / name
    return folders


def mix(token_folders, tmp_path, shares, total, seed=0, **options) -> tuple[dict, MixConfig]:
    sources = [{"name": n, "path": str(token_folders[n]), "share": s} for n, s in shares.items()]
    config = MixConfig(name="t", output_dir=str(tmp_path / f"mix{seed}"), total_tokens=total, seed=seed,
                       sources=sources, **options)  # fmt: skip
    return build_mixture(config, log=lambda *a: None), config


def ids(folder) -> list[str]:
    manifest = read_manifest(str(folder))
    return [i for s in manifest["shards"] for i in pq.read_table(folder / s["file"], columns=["id"])["id"].to_pylist()]


def test_realized_shares_are_within_half_a_point(token_folders, tmp_path):
    # 240k tokens of articles and 690k of code (median documents ≈ 800 tokens, the largest 40k and 78k)
    summary, config = mix(token_folders, tmp_path, {"articles": 0.3, "code": 0.7}, 500_000)
    for source in summary["sources"]:
        assert abs(source["realized_share"] - source["target_share"]) <= 0.005, source
        assert source["repeated_documents"] == 0
    kept = ids(tmp_path / "mix0")
    assert len(kept) == len(set(kept))  # no document twice without upsampling
    manifest = read_manifest(str(tmp_path / "mix0"))
    assert manifest["num_tokens"] == summary["total_tokens"]
    assert sum(1 for _ in TokenShardDataset(str(tmp_path / "mix0"), 1024, seed=0)) > 10  # the loader reads it


def test_deterministic_per_seed(token_folders, tmp_path):
    shares, total = {"cc": 0.1, "articles": 0.4, "code": 0.5}, 100_000
    first, _ = mix(token_folders, tmp_path / "a", shares, total, seed=3)
    again, _ = mix(token_folders, tmp_path / "b", shares, total, seed=3)
    other, _ = mix(token_folders, tmp_path / "c", shares, total, seed=4)
    assert ids(tmp_path / "a" / "mix3") == ids(tmp_path / "b" / "mix3")
    assert set(ids(tmp_path / "a" / "mix3")) != set(ids(tmp_path / "c" / "mix4"))


def test_short_sources_need_explicit_upsampling(token_folders, tmp_path):
    articles = read_manifest(str(token_folders["articles"]))["num_tokens"]
    with pytest.raises(MixtureError, match="upsample"):
        mix(token_folders, tmp_path / "no", {"articles": 0.5, "code": 0.5}, articles * 4)
    summary, _ = mix(token_folders, tmp_path / "yes", {"articles": 0.5, "code": 0.5}, articles * 3, upsample=True)
    source = next(s for s in summary["sources"] if s["name"] == "articles")
    assert source["repeated_documents"] > 0 and abs(source["realized_share"] - 0.5) <= 0.005


def test_weights_mode_writes_nanotron_style_weights(token_folders, tmp_path):
    summary, _ = mix(token_folders, tmp_path, {"cc": 3, "code": 1}, 100_000, mode="weights")
    assert summary["sources"][0]["epochs"] > 2  # 75k tokens asked of a 36k-token source: the trainer repeats it
    written = json.loads((tmp_path / "mix0" / "mixture.json").read_text())
    assert written["dataset_weights"] == [0.75, 0.25] and len(written["dataset_folder"]) == 2
    assert not list((tmp_path / "mix0").glob("*.parquet"))


def test_selection_is_closest_to_target():
    import numpy as np

    tokens = np.array([100, 100, 100, 100, 35])
    assert tokens[select_documents(tokens, 240, seed=0, upsample=False)].sum() == 235  # fills the gap with 35
    assert abs(tokens[select_documents(tokens, 290, seed=0, upsample=False)].sum() - 290) <= 50
    repeated = select_documents(tokens, 900, seed=0, upsample=True)
    assert abs(tokens[repeated].sum() - 900) <= 35 and len(repeated) > len(tokens)  # 435 × 2 + a bit
