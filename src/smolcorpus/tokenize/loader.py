"""A streaming PyTorch dataset over a token folder: fixed-length training sequences, sharded, shuffled, resumable.

How work is split: the unit is one Parquet row group (about `tokens_per_row_group` tokens). Every epoch the units
are permuted with `(seed, epoch)` and dealt round-robin to the `world_size × num_workers` readers (distributed rank
× DataLoader worker). Each reader shuffles the documents inside a unit, concatenates them into one token stream
and cuts it into sequences of `sequence_length` tokens; the tail shorter than a sequence is dropped.

Resuming: every sample says which reader produced it and its index in that reader's stream. `LoaderPosition`
records, from the batches the training loop actually consumed, how far each reader got; `load_state_dict` makes
each reader skip exactly that many sequences (whole units are skipped by their token counts, without reading
their ids), so the resumed stream continues where the consumed one stopped.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow.parquet as pq
import torch
from datatrove.io import DataFolderLike, get_datafolder
from torch.utils.data import IterableDataset, get_worker_info

from smolcorpus.tokenize.manifest import read_manifest, reading_shard


@dataclass(frozen=True)
class _Unit:
    shard: str
    row_group: int


def _distributed_rank_and_size() -> tuple[int, int]:
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))


class TokenShardDataset(IterableDataset):
    """Yield `{"input_ids": LongTensor[sequence_length], "reader": int, "index": int}` from a token folder.

    Args:
        folder: a token folder with `manifest.json` (local path or fsspec URL).
        sequence_length: tokens per sample (use context + 1 if the model shifts targets itself).
        seed: shuffling seed; the same seed, epoch and reader layout give the same stream.
        shuffle: permute units and the documents inside each unit (default True).
        rank / world_size: distributed position; default from torch.distributed or $RANK/$WORLD_SIZE.
    """

    def __init__(
        self,
        folder: DataFolderLike,
        sequence_length: int,
        seed: int = 0,
        shuffle: bool = True,
        rank: int | None = None,
        world_size: int | None = None,
    ):
        super().__init__()
        if sequence_length < 1:
            raise ValueError("sequence_length must be positive")
        self.folder = get_datafolder(folder)
        self.manifest = read_manifest(self.folder)
        self.sequence_length = sequence_length
        self.seed = seed
        self.shuffle = shuffle
        default_rank, default_size = _distributed_rank_and_size()
        self.rank = default_rank if rank is None else rank
        self.world_size = default_size if world_size is None else world_size
        if not 0 <= self.rank < self.world_size:
            raise ValueError(f"rank {self.rank} outside world_size {self.world_size}")
        self.epoch = 0
        self._skip: dict[int, int] = {}
        self._units = self._list_units()

    def _list_units(self) -> list[_Unit]:
        units = []
        for shard in self.manifest["shards"]:
            with reading_shard(self._shard_path(shard["file"])), self.folder.open(shard["file"], "rb") as f:
                num_row_groups = pq.ParquetFile(f).metadata.num_row_groups
            units.extend(_Unit(shard["file"], i) for i in range(num_row_groups))
        return units

    @property
    def num_tokens(self) -> int:
        return self.manifest["num_tokens"]

    def set_epoch(self, epoch: int) -> None:
        """Change the shuffling epoch; call before creating the DataLoader iterator."""
        self.epoch = epoch

    def load_state_dict(self, state: dict) -> None:
        """Resume from `LoaderPosition.state_dict()` (sets the epoch and how far each reader got)."""
        self.epoch = state.get("epoch", self.epoch)
        self._skip = {int(reader): int(n) for reader, n in state.get("consumed", {}).items()}

    def _reader_layout(self) -> tuple[int, int]:
        info = get_worker_info()
        num_workers, worker_id = (info.num_workers, info.id) if info else (1, 0)
        return self.rank * num_workers + worker_id, self.world_size * num_workers

    def _my_units(self, reader: int, readers: int) -> list[_Unit]:
        order = np.arange(len(self._units))
        if self.shuffle:
            order = np.random.default_rng([self.seed, self.epoch]).permutation(len(self._units))
        return [self._units[i] for i in order[reader::readers]]

    def __iter__(self) -> Iterator[dict]:
        reader, readers = self._reader_layout()
        if self._skip and max(self._skip) >= readers:
            raise ValueError(
                f"resume state has reader {max(self._skip)} but this loader has {readers} readers: resume with "
                "the same world_size and num_workers"
            )
        skip_tokens = self._skip.get(reader, 0) * self.sequence_length
        index = self._skip.get(reader, 0)
        pending = np.empty(0, dtype=np.int64)
        files: dict[str, pq.ParquetFile] = {}
        for unit in self._my_units(reader, readers):
            with reading_shard(self._shard_path(unit.shard)):
                parquet = files.get(unit.shard)
                if parquet is None:
                    parquet = files[unit.shard] = pq.ParquetFile(self.folder.open(unit.shard, "rb"))
                if skip_tokens:
                    unit_tokens = int(parquet.read_row_group(unit.row_group, columns=["n_tokens"])["n_tokens"]
                                      .to_numpy().sum())  # fmt: skip
                    if unit_tokens <= skip_tokens:
                        skip_tokens -= unit_tokens
                        continue
                tokens = self._unit_tokens(parquet, unit)
            if skip_tokens:
                tokens, skip_tokens = tokens[skip_tokens:], 0
            pending = np.concatenate([pending, tokens]) if len(pending) else tokens
            n = len(pending) // self.sequence_length
            for i in range(n):
                window = pending[i * self.sequence_length : (i + 1) * self.sequence_length]
                yield {"input_ids": torch.from_numpy(window.astype(np.int64)), "reader": reader, "index": index}
                index += 1
            pending = pending[n * self.sequence_length :]
        for parquet in files.values():
            parquet.close()

    def _shard_path(self, name: str) -> str:
        return f"{self.folder.path.rstrip('/')}/{name}"

    def _unit_tokens(self, parquet: pq.ParquetFile, unit: _Unit) -> np.ndarray:
        ids = parquet.read_row_group(unit.row_group, columns=["input_ids"])["input_ids"].combine_chunks()
        if self.shuffle:
            rng = np.random.default_rng([self.seed, self.epoch, zlib.crc32(unit.shard.encode()), unit.row_group])
            ids = ids.take(rng.permutation(len(ids)))
        return ids.flatten().to_numpy()


class LoaderPosition:
    """Tracks, from consumed batches, how many sequences each reader delivered; its state resumes a dataset.

    Usage: `position.update(batch)` after each training step, save `position.state_dict()` with the checkpoint,
    and on restart call `dataset.load_state_dict(saved)` before building the DataLoader.
    """

    def __init__(self, epoch: int = 0):
        self.epoch = epoch
        self.consumed: dict[int, int] = {}

    def update(self, batch: dict) -> None:
        readers = torch.as_tensor(batch["reader"]).tolist()
        indices = torch.as_tensor(batch["index"]).tolist()
        for reader, index in zip(readers, indices, strict=True):
            self.consumed[reader] = max(self.consumed.get(reader, 0), index + 1)

    def state_dict(self) -> dict:
        return {"epoch": self.epoch, "consumed": {str(k): v for k, v in sorted(self.consumed.items())}}
