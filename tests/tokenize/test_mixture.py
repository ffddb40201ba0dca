"""Mixtures of small real tokenized datasets (Common Crawl pages, news articles, source code of ../shared/data)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
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
                  "input": {"paths": [str(real_corpus / name)]}, "executor": {"tasks": 2, "workers": 2},
                  "tokenize": {"nanotron": name != "articles"}}  # .ds files too, for weights mode  # fmt: skip
        run_config(validate_config(config))
        folders[name] = root / name
    return folders


def mix(token_folders, tmp_path, shares, total, seed=0, **options) -> tuple[dict, MixConfig]:
    sources = [{"name": n, "path": str(token_folders[n]), "share": s} for n, s in shares.items()]
    config = MixConfig(name="t", output_dir=str(tmp_path / f"mix{seed}"), total_tokens=total, seed=seed,
                       sources=sources, **options)  # fmt: skip
    return build_mixture(config), config


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
    written = ids(tmp_path / "yes" / "mix0")  # every selected document is in the shards, repeats included
    assert len(written) == sum(s["documents"] for s in summary["sources"])
    assert len(written) - len(set(written)) == source["repeated_documents"]


def test_weights_mode_writes_nanotron_style_weights(token_folders, tmp_path):
    # 75k tokens asked of a 36k-token source: an error unless the config lets the trainer repeat it
    with pytest.raises(MixtureError, match="upsample"):
        mix(token_folders, tmp_path, {"cc": 3, "code": 1}, 100_000, mode="weights")
    summary, _ = mix(token_folders, tmp_path, {"cc": 3, "code": 1}, 100_000, mode="weights", upsample=True)
    assert summary["sources"][0]["epochs"] > 2
    written = json.loads((tmp_path / "mix0" / "mixture.json").read_text())
    assert written["dataset_weights"] == [0.75, 0.25]
    # nanotron reads datatrove's .ds files: the folders listed are the sources' nanotron/ folders
    assert written["dataset_folder"] == [str(token_folders[n] / "nanotron") for n in ("cc", "code")]
    assert all(list(Path(folder).glob("*.ds")) for folder in written["dataset_folder"])
    assert not list((tmp_path / "mix0").glob("*.parquet"))
    with pytest.raises(MixtureError, match="nanotron: true"):  # articles were tokenized without .ds files
        mix(token_folders, tmp_path / "x", {"articles": 1, "code": 1}, 10_000, mode="weights")


def test_shares_that_whole_documents_cannot_meet_are_an_error(token_folders, tmp_path):
    # at 3,000 tokens, a single article or code file can be most of a source's share
    with pytest.raises(MixtureError, match="tolerance"):
        mix(token_folders, tmp_path, {"articles": 0.5, "code": 0.5}, 3_000, seed=1)
    assert not (tmp_path / "mix1").exists() and not (tmp_path / "mix1.partial").exists()


def test_rows_are_shuffled_into_token_sized_row_groups_and_shards(token_folders, tmp_path):
    summary, _ = mix(token_folders, tmp_path, {"articles": 0.3, "code": 0.7}, 300_000,
                     tokens_per_row_group=8_000, max_tokens_per_shard=60_000)  # fmt: skip
    manifest = read_manifest(str(tmp_path / "mix0"))
    assert len(manifest["shards"]) >= 300_000 // 60_000
    for shard in manifest["shards"]:
        parquet = pq.ParquetFile(tmp_path / "mix0" / shard["file"])
        assert shard["tokens"] <= 60_000 or shard["documents"] == 1
        for group in range(parquet.metadata.num_row_groups):
            n_tokens = parquet.read_row_group(group, columns=["n_tokens"])["n_tokens"].to_pylist()
            assert sum(n_tokens) <= 8_000 or len(n_tokens) == 1
    code_ids = [i for i in ids(tmp_path / "mix0") if not i.startswith("article/")]
    assert code_ids != sorted(code_ids)  # shuffled, not in input order
    assert sum(1 for _ in TokenShardDataset(str(tmp_path / "mix0"), 1024, seed=0)) > 10


def test_output_is_swapped_in_whole_and_never_over_a_foreign_folder(token_folders, tmp_path):
    mix(token_folders, tmp_path, {"articles": 0.3, "code": 0.7}, 100_000)
    assert list((tmp_path / "mix0").glob("*.parquet"))
    mix(token_folders, tmp_path, {"cc": 1, "code": 1}, 20_000, mode="weights")  # same output folder
    assert not list((tmp_path / "mix0").glob("*.parquet")) and not (tmp_path / "mix0" / "manifest.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mix0"]  # no .partial / .previous left
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    config = MixConfig(name="t", output_dir=str(foreign), total_tokens=10_000,
                       sources=[{"name": "code", "path": str(token_folders["code"]), "share": 1}])  # fmt: skip
    with pytest.raises(MixtureError, match="not a mixture"):
        build_mixture(config)
    assert (foreign / "keep.txt").read_text() == "mine"


def test_selection_is_closest_to_target():
    import numpy as np

    tokens = np.array([100, 100, 100, 100, 35])
    assert tokens[select_documents(tokens, 240, seed=0, upsample=False)].sum() == 235  # fills the gap with 35
    assert abs(tokens[select_documents(tokens, 290, seed=0, upsample=False)].sum() - 290) <= 50
    repeated = select_documents(tokens, 900, seed=0, upsample=True)
    assert abs(tokens[repeated].sum() - 900) <= 35 and len(repeated) > len(tokens)  # 435 × 2 + a bit
    with pytest.raises(MixtureError, match="no tokens"):  # upsampling an empty source would never end
        select_documents(np.zeros(3, dtype=np.int64), 100, seed=0, upsample=True)


@pytest.mark.parametrize("group_tokens,max_tokens", [(2_000, 10_000), (20_000, 50_000), (500, 500)])
def test_shard_stream_keeps_every_row_in_order_within_its_limits(token_folders, tmp_path, group_tokens, max_tokens):
    """The streaming writer on the real code files' token counts (many larger than a row group): no row lost or
    reordered, row groups within `group_tokens` and shards within `max_tokens` unless a single row is larger."""
    from smolcorpus.tokenize.mixture import _ShardStream

    manifest = read_manifest(str(token_folders["code"]))
    table = pa.concat_tables(
        pq.read_table(token_folders["code"] / s["file"], columns=["id", "n_tokens"]) for s in manifest["shards"]
    )
    shards: list[dict] = []
    stream = _ShardStream(tmp_path, "code", max_tokens, group_tokens, shards)
    for start in range(0, table.num_rows, 37):  # added in uneven pieces, as input shards arrive
        stream.add(table.slice(start, 37))
    stream.close()
    written = []
    for shard in shards:
        parquet = pq.ParquetFile(tmp_path / shard["file"])
        rows = parquet.read()
        written += rows["id"].to_pylist()
        assert shard["tokens"] == sum(rows["n_tokens"].to_pylist()) and shard["rows"] == rows.num_rows
        assert shard["tokens"] <= max_tokens or shard["rows"] == 1
        for group in range(parquet.metadata.num_row_groups):
            sizes = parquet.read_row_group(group, columns=["n_tokens"])["n_tokens"].to_pylist()
            assert sum(sizes) <= group_tokens or len(sizes) == 1
    assert written == table["id"].to_pylist()
    # a shard closes only when the next row would overflow it
    for shard, following in zip(shards[:-1], shards[1:], strict=True):
        first = pq.read_table(tmp_path / following["file"], columns=["n_tokens"])["n_tokens"][0].as_py()
        assert shard["tokens"] + first > max_tokens


def test_a_truncated_shard_is_named_in_one_error_and_nothing_is_written(token_folders, tmp_path):
    import shutil

    from smolcorpus.errors import InputFileError

    damaged = tmp_path / "articles"
    shutil.copytree(token_folders["articles"], damaged)
    shard = damaged / read_manifest(str(damaged))["shards"][0]["file"]
    shard.write_bytes(shard.read_bytes()[: shard.stat().st_size // 2])
    folders = {**token_folders, "articles": damaged}
    with pytest.raises(InputFileError, match=f"cannot read input file {shard}: not a readable Parquet shard"):
        mix(folders, tmp_path, {"articles": 1, "code": 1}, 100_000)
    assert not (tmp_path / "mix0").exists()
