import numpy as np
import pyarrow.parquet as pq
import pytest
import torch
from torch.utils.data import DataLoader

from smolcorpus.config import validate_config
from smolcorpus.run import run_config
from smolcorpus.tokenize import LoaderPosition, TokenShardDataset, read_manifest

SEQ = 512


@pytest.fixture(scope="module")
def token_folder(real_corpus, tmp_path_factory):
    """Real documents in many small row groups (the loader's units), over several shards."""
    output = tmp_path_factory.mktemp("loader_tokens")
    config = validate_config(
        {
            "pipeline": "tokenize",
            "output_dir": str(output),
            "input": {"paths": [str(real_corpus)]},
            "tokenize": {"batch_size": 16, "tokens_per_row_group": 20_000},
            "executor": {"tasks": 3, "workers": 2},
        }
    )
    run_config(config)
    return output


def collect(dataset, num_workers=0, batch_size=4):
    loader = DataLoader(dataset, batch_size=batch_size, num_workers=num_workers)
    return list(loader)


def test_unshuffled_single_reader_is_the_token_stream(token_folder):
    dataset = TokenShardDataset(str(token_folder), SEQ, shuffle=False)
    manifest = read_manifest(str(token_folder))
    stream = np.concatenate(
        [
            np.concatenate(pq.read_table(token_folder / s["file"])["input_ids"].to_numpy(zero_copy_only=False))
            for s in manifest["shards"]
        ]
    )
    sequences = [sample["input_ids"] for sample in dataset]
    assert all(seq.dtype == torch.int64 and len(seq) == SEQ for seq in sequences)
    assert len(sequences) == manifest["num_tokens"] // SEQ
    np.testing.assert_array_equal(torch.cat(sequences).numpy(), stream[: len(sequences) * SEQ])


def test_ranks_and_workers_split_units_without_overlap(token_folder):
    manifest = read_manifest(str(token_folder))
    per_reader = []
    for rank in range(2):
        dataset = TokenShardDataset(str(token_folder), SEQ, seed=3, rank=rank, world_size=2)
        batches = collect(dataset, num_workers=2)
        readers = torch.cat([b["reader"] for b in batches]).unique().tolist()
        assert readers == [rank * 2, rank * 2 + 1]
        per_reader.append(sum(b["input_ids"].numel() for b in batches))
        units = [set(dataset._my_units(r, 4)) for r in (rank * 2, rank * 2 + 1)]
        assert not units[0] & units[1]
    all_units = [u for r in range(4) for u in TokenShardDataset(str(token_folder), SEQ, seed=3)._my_units(r, 4)]
    assert len(all_units) == len(set(all_units)) == len(TokenShardDataset(str(token_folder), SEQ)._units)
    # each of the 4 readers drops at most one partial sequence at its end
    assert manifest["num_tokens"] - 4 * SEQ < sum(per_reader) <= manifest["num_tokens"]


def test_seed_and_epoch_change_the_order_deterministically(token_folder):
    def first_tokens(seed, epoch=0):
        dataset = TokenShardDataset(str(token_folder), SEQ, seed=seed)
        dataset.set_epoch(epoch)
        return [s["input_ids"][:8].tolist() for s in dataset][:20]

    assert first_tokens(1) == first_tokens(1)
    assert first_tokens(1) != first_tokens(2)
    assert first_tokens(1) != first_tokens(1, epoch=1)


def test_resume_continues_exactly_where_consumption_stopped(token_folder):
    full = collect(TokenShardDataset(str(token_folder), SEQ, seed=5), num_workers=2)
    stop_after = len(full) // 3
    position = LoaderPosition()
    for batch in full[:stop_after]:
        position.update(batch)
    state = position.state_dict()

    resumed_dataset = TokenShardDataset(str(token_folder), SEQ, seed=5)
    resumed_dataset.load_state_dict(state)
    resumed = collect(resumed_dataset, num_workers=2)

    def keyed(batches):
        return {
            (int(r), int(i)): seq.tolist()
            for b in batches
            for r, i, seq in zip(b["reader"], b["index"], b["input_ids"], strict=True)
        }

    consumed = keyed(full[:stop_after])
    expected = {key: seq for key, seq in keyed(full).items() if key not in consumed}
    assert keyed(resumed) == expected
    assert len(expected) > 0


def test_resume_with_another_reader_layout_is_refused(token_folder):
    dataset = TokenShardDataset(str(token_folder), SEQ)
    dataset.load_state_dict({"epoch": 0, "consumed": {"3": 2}})
    with pytest.raises(ValueError, match="same world_size and num_workers"):
        next(iter(dataset))


def test_folder_without_manifest_is_refused(tmp_path):
    from smolcorpus.tokenize.manifest import ManifestError

    with pytest.raises(ManifestError, match="no manifest.json"):
        TokenShardDataset(str(tmp_path), SEQ)


def test_a_truncated_shard_is_named_in_one_error(token_folder, tmp_path):
    import shutil

    from smolcorpus.errors import InputFileError
    from smolcorpus.tokenize import read_manifest

    damaged = tmp_path / "tokens"
    shutil.copytree(token_folder, damaged)
    shard = damaged / read_manifest(str(damaged))["shards"][-1]["file"]
    shard.write_bytes(shard.read_bytes()[:100])
    with pytest.raises(InputFileError, match=f"cannot read input file {shard}: not a readable Parquet shard"):
        TokenShardDataset(str(damaged), sequence_length=64)
