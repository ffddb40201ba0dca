"""Training-stage mixtures: each source (a token folder) gets a share of the stage's token budget.

Sources are sampled by whole documents, seeded: a source's documents are shuffled and taken until its target is
reached, then the gap is filled with the unused document that best closes it, so the realized shares land within
a few tokens of the targets when documents are small against the budget. A realized share further than
`share_tolerance` (default 0.5 points) from its target is an error, raised before anything is written. A source
shorter than its target is an error unless upsampling is allowed; then its documents are repeated in freshly
shuffled passes (epochs), and the repetition is reported.

Two outputs: `shards` writes a regular token folder (shards + manifest, column `source` added; rows shuffled,
row groups of about `tokens_per_row_group` tokens so the loader interleaves sources by row group; one input
shard in memory at a time) that
`TokenShardDataset` reads; `weights` writes only `mixture.json` with the sources' nanotron `.ds` folders and
nanotron-style `dataset_weights` for trainers that mix on the fly. Either is built in `<output>.partial` and
swapped in when complete: an interrupted mix leaves the previous output whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from smolcorpus.errors import SmolcorpusError
from smolcorpus.runtime.atomic_folder import fresh_partial, swap_in
from smolcorpus.tokenize.manifest import MANIFEST_NAME, TOKENIZER_COPY, read_manifest, reading_shard

MIXTURE_NAME = "mixture.json"


class MixtureError(SmolcorpusError):
    """A mixture that cannot be built as configured."""


@dataclass
class SourceDocuments:
    """Where each document of a token folder is (shard file, row) and how many tokens it has."""

    name: str
    folder: Path
    files: list[str]
    file_index: np.ndarray  # int32 per document
    row_index: np.ndarray  # int64 per document
    tokens: np.ndarray  # int64 per document


def source_manifest(folder: str | Path) -> dict:
    """A source's token manifest; MixtureError for packed shards (their rows mix many documents)."""
    manifest = read_manifest(str(folder))
    if manifest.get("pack_length"):
        raise MixtureError(f"{folder}: packed shards mix rows of many documents; mix unpacked folders")
    return manifest


def read_source(name: str, folder: str | Path, manifest: dict) -> SourceDocuments:
    """Every document's shard, row and token count (reads the `n_tokens` column of every shard)."""
    folder = Path(folder)
    files, file_index, row_index, tokens = [], [], [], []
    for i, shard in enumerate(manifest["shards"]):
        with reading_shard(folder / shard["file"]):
            counts = pq.read_table(folder / shard["file"], columns=["n_tokens"])["n_tokens"].to_numpy()
        files.append(shard["file"])
        file_index.append(np.full(len(counts), i, dtype=np.int32))
        row_index.append(np.arange(len(counts), dtype=np.int64))
        tokens.append(counts.astype(np.int64))
    join = lambda parts, dtype: np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)  # noqa: E731
    return SourceDocuments(name, folder, files, join(file_index, np.int32), join(row_index, np.int64),
                           join(tokens, np.int64))  # fmt: skip


def select_documents(tokens: np.ndarray, target: int, seed: int, upsample: bool, name: str = "source") -> np.ndarray:
    """Indices of documents (repeats only when upsampling) whose tokens sum close to `target` (pure).

    Whole shuffled passes while the target exceeds them (upsampling), then documents in shuffled order until the
    next one would overshoot, then unused documents that fill the remaining gap (the largest that fits, repeatedly;
    at the end possibly one that overshoots by less than the gap left): the error is a few tokens when documents
    are small against the target.
    """
    available = int(tokens.sum())
    if target <= 0:
        return np.zeros(0, dtype=np.int64)
    if available == 0:
        raise MixtureError(f"source {name!r} has no tokens; its share of the budget is {target:,}")
    if available < target and not upsample:
        raise MixtureError(
            f"source {name!r} has {available:,} tokens but its share of the budget is {target:,}: lower the "
            "budget or the share, or set `upsample: true` to repeat its documents"
        )
    rng = np.random.default_rng(seed)
    chosen, total = [], 0
    while total + available <= target:  # whole passes (epochs)
        chosen.append(rng.permutation(len(tokens)))
        total += available
    order = rng.permutation(len(tokens))
    cumulative = total + np.cumsum(tokens[order])
    stop = int(np.searchsorted(cumulative, target, side="right"))  # documents that keep the sum ≤ target
    chosen.append(order[:stop])
    total = int(cumulative[stop - 1]) if stop else total
    # fill the gap: the largest unused document that still fits, again and again; when none fits, the smallest
    # one over the gap if overshooting by it is closer than stopping short
    unused = order[stop:]
    unused = unused[np.argsort(tokens[unused], kind="stable")]
    sizes = tokens[unused]
    taken = np.zeros(len(unused), dtype=bool)
    while total < target:
        gap = target - total
        fit = int(np.searchsorted(sizes, gap, side="right")) - 1
        while fit >= 0 and taken[fit]:
            fit -= 1
        if fit >= 0 and sizes[fit] > 0:
            taken[fit] = True
            total += int(sizes[fit])
            continue
        over = int(np.searchsorted(sizes, gap, side="right"))
        while over < len(sizes) and taken[over]:
            over += 1
        if over < len(sizes) and sizes[over] - gap < gap:
            taken[over] = True
            total += int(sizes[over])
        break
    chosen.append(unused[taken])
    return np.concatenate(chosen)


def build_mixture(config, progress: bool = False) -> dict:
    """Select every source's documents and write the output the config asks for; return the realized summary.

    `progress` shows tqdm bars while token counts are read and shards written (the long parts)."""
    from tqdm import tqdm

    output = Path(config.output_dir)
    if output.exists() and not (output / MIXTURE_NAME).is_file():
        raise MixtureError(f"{output} exists and is not a mixture's output; choose a new output_dir")
    manifests = [source_manifest(source.path) for source in config.sources]
    if len({m["tokenizer"]["sha256"] for m in manifests}) > 1:
        raise MixtureError("the sources were tokenized with different tokenizers; a mixture needs one")
    shares = np.array([s.share for s in config.sources], dtype=float)
    shares = shares / shares.sum()
    targets = [int(round(share * config.total_tokens)) for share in shares]
    if config.mode == "weights":  # the manifests' token counts are all it needs
        summary = _weights_summary(config, manifests, shares, targets)
        partial = fresh_partial(output)
    else:
        pairs = tqdm(list(zip(config.sources, manifests, strict=True)), desc="mix: reading token counts",
                     unit="source", disable=not progress)  # fmt: skip
        sources = [read_source(source.name, source.path, manifest) for source, manifest in pairs]
        selections = [
            select_documents(documents.tokens, target, config.seed + i, config.upsample, source.name)
            for i, (source, documents, target) in enumerate(zip(config.sources, sources, targets, strict=True))
        ]
        summary = _shards_summary(config, sources, shares, selections)
        _check_tolerance(summary, sources, config.share_tolerance)
        partial = fresh_partial(output)
        _write_shards(partial, sources, selections, manifests[0], config, progress)
    (partial / MIXTURE_NAME).write_text(json.dumps(summary, indent=2))
    swap_in(partial, output)
    return summary


def _weights_summary(config, manifests: list[dict], shares: np.ndarray, targets: list[int]) -> dict:
    """The trainer samples on the fly: nanotron `.ds` folders, weights, and the passes each share implies."""
    folders = []
    for source, manifest, target in zip(config.sources, manifests, targets, strict=True):
        available = int(manifest["num_tokens"])
        if available < target and not config.upsample:
            raise MixtureError(
                f"source {source.name!r} has {available:,} tokens but its share of the budget is {target:,}: lower "
                "the budget or the share, or set `upsample: true` to let the trainer repeat it"
            )
        nanotron = Path(source.path) / "nanotron"
        if not list(nanotron.glob("*.ds")):
            raise MixtureError(
                f"source {source.name!r}: no nanotron .ds files in {nanotron}; weights mode lists them for the "
                "trainer: tokenize the source with `nanotron: true` (or `smolcorpus tokenize --nanotron`)"
            )
        folders.append(str(nanotron))
    return {"name": config.name, "seed": config.seed, "total_tokens": config.total_tokens,
            "dataset_folder": folders, "dataset_weights": [float(x) for x in shares],
            "sources": [{"name": s.name, "path": str(s.path), "target_share": float(shares[i]),
                         "realized_share": float(shares[i]), "tokens": targets[i],
                         "available_tokens": int(m["num_tokens"]),
                         "epochs": targets[i] / max(int(m["num_tokens"]), 1),
                         "documents": 0, "repeated_documents": 0}
                        for i, (s, m) in enumerate(zip(config.sources, manifests, strict=True))]}  # fmt: skip


def _shards_summary(config, sources: list[SourceDocuments], shares: np.ndarray, selections: list[np.ndarray]) -> dict:
    realized = [int(documents.tokens[chosen].sum()) for documents, chosen in zip(sources, selections, strict=True)]
    total = sum(realized)
    return {
        "name": config.name,
        "seed": config.seed,
        "total_tokens": total,
        "sources": [
            {
                "name": s.name,
                "path": str(s.path),
                "target_share": float(shares[i]),
                "tokens": realized[i],
                "realized_share": realized[i] / total if total else 0.0,
                "documents": int(len(selections[i])),
                "repeated_documents": int(len(selections[i]) - len(np.unique(selections[i]))),
            }
            for i, s in enumerate(config.sources)
        ],  # fmt: skip
    }


def _check_tolerance(summary: dict, sources: list[SourceDocuments], tolerance: float) -> None:
    """MixtureError if a realized share misses its target by more than `tolerance` (a fraction: 0.005 = 0.5 pt)."""
    for entry, documents in zip(summary["sources"], sources, strict=True):
        off = entry["realized_share"] - entry["target_share"]
        if abs(off) > tolerance:
            largest = int(documents.tokens.max()) if len(documents.tokens) else 0
            raise MixtureError(
                f"source {entry['name']!r}: realized share {entry['realized_share']:.2%} vs target "
                f"{entry['target_share']:.2%} ({off * 100:+.2f} points, tolerance {tolerance * 100:.2f}): whole "
                f"documents (the largest has {largest:,} tokens) cannot land closer at a budget of "
                f"{summary['total_tokens']:,} tokens; raise total_tokens or share_tolerance"
            )


class _ShardStream:
    """Rows added in order become shards of at most `max_tokens` tokens, each with row groups of about
    `group_tokens` tokens (a row larger than either limit goes alone). Holds at most one row group in memory."""

    def __init__(self, output: Path, name: str, max_tokens: int, group_tokens: int, shards: list[dict]):
        self.output, self.name, self.shards = output, name, shards
        self.max_tokens, self.group_tokens = max_tokens, group_tokens
        self.buffer: list[pa.Table] = []
        self.buffer_tokens = self.buffer_rows = 0
        self.writer: pq.ParquetWriter | None = None
        self.file = ""
        self.shard_tokens = self.shard_rows = 0

    def add(self, table: pa.Table) -> None:
        cumulative = np.cumsum(table["n_tokens"].to_numpy())
        start = 0
        while start < table.num_rows:
            used = self.buffer_tokens
            room = min(self.group_tokens - used, self.max_tokens - self.shard_tokens - used)
            base = int(cumulative[start - 1]) if start else 0
            end = int(np.searchsorted(cumulative, base + room, side="right"))
            if end <= start:  # the next row does not fit: close the row group; if the row overflows the shard,
                if self.buffer_rows:  # close the shard too; then the row is a row group of its own
                    self._flush_group()
                    continue
                row_tokens = int(cumulative[start]) - base
                if self.shard_rows and self.shard_tokens + row_tokens > self.max_tokens:
                    self._close_shard()
                    continue
                end = start + 1
            self.buffer.append(table.slice(start, end - start))
            self.buffer_rows += end - start
            self.buffer_tokens += int(cumulative[end - 1]) - base
            start = end
            if self.buffer_tokens >= self.group_tokens:
                self._flush_group()

    def _flush_group(self) -> None:
        group = pa.concat_tables(self.buffer).combine_chunks()
        if self.writer is None:
            self.file = f"{len(self.shards):05d}_{self.name}.parquet"
            self.writer = pq.ParquetWriter(self.output / self.file, group.schema, compression="zstd")
        self.writer.write_table(group, row_group_size=group.num_rows)
        self.shard_tokens += self.buffer_tokens
        self.shard_rows += self.buffer_rows
        self.buffer, self.buffer_tokens, self.buffer_rows = [], 0, 0
        if self.shard_tokens >= self.max_tokens:
            self._close_shard()

    def _close_shard(self) -> None:
        self.writer.close()
        self.shards.append({"file": self.file, "documents": self.shard_rows, "rows": self.shard_rows,
                            "tokens": self.shard_tokens})  # fmt: skip
        self.writer, self.shard_tokens, self.shard_rows = None, 0, 0

    def close(self) -> None:
        if self.buffer_rows:
            self._flush_group()
        if self.writer is not None:
            self._close_shard()


def _write_shards(output: Path, sources: list[SourceDocuments], selections: list[np.ndarray], reference: dict,
                  config, progress: bool) -> None:  # fmt: skip
    """Per source: its input shards in seeded random order, from each the selected rows in seeded random order
    (repeats included), column `source` added, streamed into shards of at most `max_tokens_per_shard` tokens with
    row groups of about `tokens_per_row_group`; then the manifest. Memory: one input shard at a time."""
    from tqdm import tqdm

    shards: list[dict] = []
    pairs = list(zip(sources, selections, strict=True))
    for i, (documents, chosen) in enumerate(tqdm(pairs, desc="mix: writing shards", unit="source",
                                                 disable=not progress)):  # fmt: skip
        if not len(chosen):
            continue
        rng = np.random.default_rng(config.seed + i)
        stream = _ShardStream(output, documents.name, config.max_tokens_per_shard, config.tokens_per_row_group,
                              shards)  # fmt: skip
        chosen_files = documents.file_index[chosen]
        for file_number in rng.permutation(np.unique(chosen_files)):
            rows = rng.permutation(documents.row_index[chosen[chosen_files == file_number]])
            shard = documents.folder / documents.files[file_number]
            with reading_shard(shard):
                table = pq.read_table(shard, columns=["id", "input_ids", "n_tokens"]).take(pa.array(rows))
            stream.add(table.append_column("source", pa.array([documents.name] * table.num_rows, pa.string())))
        stream.close()
    manifest = {**reference, "shards": shards, "num_documents": sum(s["documents"] for s in shards),
                "num_rows": sum(s["rows"] for s in shards), "num_tokens": sum(s["tokens"] for s in shards),
                "dropped_tail_tokens": 0, "mixture_seed": config.seed}  # fmt: skip
    source_tokenizer = sources[0].folder / TOKENIZER_COPY
    if source_tokenizer.is_file():
        (output / TOKENIZER_COPY).write_bytes(source_tokenizer.read_bytes())
    (output / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2))


def format_mixture(summary: dict) -> str:
    header = f"  {'source':<24}{'target':>9}{'realized':>10}{'tokens':>14}{'documents':>11}{'repeats':>9}"
    lines = [f"mixture '{summary['name']}': {summary['total_tokens']:,} tokens (seed {summary['seed']})", header]
    for s in summary["sources"]:
        lines.append(f"  {s['name']:<24}{s['target_share']:>8.2%}{s['realized_share']:>10.2%}{s['tokens']:>14,}"
                     f"{s['documents']:>11,}{s['repeated_documents']:>9,}")  # fmt: skip
    return "\n".join(lines)
