"""Training-stage mixtures: each source (a token folder) gets a share of the stage's token budget.

Sources are sampled by whole documents, seeded: a source's documents are shuffled and taken until its target is
reached (stopping at whichever side of the target is closer), so the realized shares land within one document
of the targets. A source shorter than its target is an error unless upsampling is allowed; then its documents
are repeated in freshly shuffled passes (epochs), and the repetition is reported.

Two outputs: `shards` writes a regular token folder (shards + manifest, column `source` added) that
`TokenShardDataset` reads; `weights` writes only `mixture.json` with the folders and nanotron-style
`dataset_weights` for trainers that mix on the fly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from smolcorpus.errors import SmolcorpusError
from smolcorpus.tokenize.manifest import MANIFEST_NAME, TOKENIZER_COPY, read_manifest

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


def read_source(name: str, folder: str | Path) -> tuple[SourceDocuments, dict]:
    folder = Path(folder)
    manifest = read_manifest(str(folder))
    if manifest.get("pack_length"):
        raise MixtureError(f"{folder}: packed shards mix rows of many documents; mix unpacked folders")
    files, file_index, row_index, tokens = [], [], [], []
    for i, shard in enumerate(manifest["shards"]):
        counts = pq.read_table(folder / shard["file"], columns=["n_tokens"])["n_tokens"].to_numpy()
        files.append(shard["file"])
        file_index.append(np.full(len(counts), i, dtype=np.int32))
        row_index.append(np.arange(len(counts), dtype=np.int64))
        tokens.append(counts.astype(np.int64))
    join = lambda parts, dtype: np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)  # noqa: E731
    return SourceDocuments(name, folder, files, join(file_index, np.int32), join(row_index, np.int64),
                           join(tokens, np.int64)), manifest  # fmt: skip


def select_documents(tokens: np.ndarray, target: int, seed: int, upsample: bool, name: str = "source") -> np.ndarray:
    """Indices of documents (repeats only when upsampling) whose tokens sum close to `target` (pure).

    Whole shuffled passes while the target exceeds them (upsampling), then documents in shuffled order until the
    next one would overshoot, then the unused documents that best fill the remaining gap (closest size first),
    while they bring the sum closer: with documents much smaller than the target the error is a few tokens.
    """
    available = int(tokens.sum())
    if target <= 0:
        return np.zeros(0, dtype=np.int64)
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
    unused = order[stop:]
    while unused.size and total < target:
        gap = target - total
        best = int(np.argmin(np.abs(tokens[unused] - gap)))
        if abs(gap - int(tokens[unused[best]])) >= gap:  # would not bring the sum closer
            break
        chosen.append(unused[best : best + 1])
        total += int(tokens[unused[best]])
        unused = np.delete(unused, best)
    return np.concatenate(chosen)


def build_mixture(config, log=print) -> dict:
    """Select every source's documents and write the output the config asks for; return the realized summary."""
    output = Path(config.output_dir)
    sources, manifests = [], []
    for source in config.sources:
        documents, manifest = read_source(source.name, source.path)
        sources.append(documents)
        manifests.append(manifest)
    hashes = {m["tokenizer"]["sha256"] for m in manifests}
    if len(hashes) > 1:
        raise MixtureError("the sources were tokenized with different tokenizers; a mixture needs one")
    shares = np.array([s.share for s in config.sources], dtype=float)
    shares = shares / shares.sum()
    output.mkdir(parents=True, exist_ok=True)
    if config.mode == "weights":  # the trainer samples on the fly: report how many passes each share implies
        summary = {"name": config.name, "seed": config.seed, "total_tokens": config.total_tokens,
                   "dataset_folder": [str(s.path) for s in config.sources],
                   "dataset_weights": [float(x) for x in shares],
                   "sources": [{"name": s.name, "path": str(s.path), "target_share": float(shares[i]),
                                "realized_share": float(shares[i]),
                                "tokens": int(round(shares[i] * config.total_tokens)),
                                "available_tokens": int(d.tokens.sum()),
                                "epochs": shares[i] * config.total_tokens / max(int(d.tokens.sum()), 1),
                                "documents": 0, "repeated_documents": 0}
                               for i, (s, d) in enumerate(zip(config.sources, sources, strict=True))]}  # fmt: skip
        (output / MIXTURE_NAME).write_text(json.dumps(summary, indent=2))
        return summary
    realized = []
    selections = []
    for i, (source, documents) in enumerate(zip(config.sources, sources, strict=True)):
        target = int(round(shares[i] * config.total_tokens))
        chosen = select_documents(documents.tokens, target, config.seed + i, config.upsample, source.name)
        selections.append(chosen)
        realized.append(int(documents.tokens[chosen].sum()))
    total = sum(realized)
    summary = {
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
    _write_shards(output, sources, selections, manifests[0], config.seed)
    (output / MIXTURE_NAME).write_text(json.dumps(summary, indent=2))
    return summary


def _write_shards(output: Path, sources: list[SourceDocuments], selections: list[np.ndarray], reference: dict,
                  seed: int) -> None:  # fmt: skip
    """One shard per source (rows in the sampled order, column `source` added) and a manifest over them."""
    shards = []
    for documents, chosen in zip(sources, selections, strict=True):
        if not len(chosen):
            continue
        pieces = []
        for file_number in np.unique(documents.file_index[chosen]):  # rows grouped by shard; the loader shuffles
            rows = documents.row_index[chosen[documents.file_index[chosen] == file_number]]
            shard = pq.read_table(
                documents.folder / documents.files[file_number], columns=["id", "input_ids", "n_tokens"]
            )
            pieces.append(shard.take(pa.array(rows)))
        table = pa.concat_tables(pieces).combine_chunks()
        table = table.append_column("source", pa.array([documents.name] * table.num_rows, pa.string()))
        name = f"{len(shards):05d}_{documents.name}.parquet"
        pq.write_table(table, output / name, compression="zstd", row_group_size=max(1, table.num_rows // 8 or 1))
        tokens = int(pa.compute.sum(table["n_tokens"]).as_py())
        shards.append({"file": name, "documents": table.num_rows, "rows": table.num_rows, "tokens": tokens})
    manifest = {**reference, "shards": shards, "num_documents": sum(s["documents"] for s in shards),
                "num_rows": sum(s["rows"] for s in shards), "num_tokens": sum(s["tokens"] for s in shards),
                "dropped_tail_tokens": 0, "mixture_seed": seed}  # fmt: skip
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
