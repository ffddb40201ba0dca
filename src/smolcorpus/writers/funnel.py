"""The funnel summary of a corpus run: files, bytes and tokens kept and dropped, per language and reason.

Sources: the drop ledgers (every removed item with its step and reason), the curated Parquet (what was kept) and
the per-group token manifests (exact kept tokens). Tokens are not computed for dropped files; the summary gives
an estimate from the kept files' tokens-per-byte of the same language (`tokens_estimate`, null when nothing of
that language was kept and nothing else was either).
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict

import pyarrow.compute as pc
import pyarrow.parquet as pq
from datatrove.data import DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep

from smolcorpus.tokenize.manifest import MANIFEST_NAME
from smolcorpus.writers.curated import language_slug

SUMMARY_JSON = "summary.json"
SUMMARY_MARKDOWN = "summary.md"


def read_ledgers(folder: DataFolderLike) -> dict[tuple[str, str, str], dict[str, int]]:
    """(language, step, reason) → {"files", "bytes", "with_formulas"} over every ledger file under `folder`
    (`with_formulas`: dropped pages whose extraction found at least one formula)."""
    folder = get_datafolder(folder)
    counts: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: {"files": 0, "bytes": 0,
                                                                              "with_formulas": 0})  # fmt: skip
    if not folder.exists(""):
        return {}
    for name in folder.list_files(recursive=True, glob_pattern="**/*.jsonl.gz"):
        with folder.open(name, "rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                entry = counts[(record["language"], record["step"], record["reason"])]
                entry["files"] += 1
                entry["bytes"] += record["bytes"]
                entry["with_formulas"] += bool(record.get("formulas"))
    return dict(counts)


def read_kept(curated: DataFolderLike, tokens: DataFolderLike | None) -> dict[str, dict[str, int | None]]:
    """language → {"files", "bytes", "tokens"} from the curated Parquet and the token manifests."""
    curated = get_datafolder(curated)
    kept: dict[str, dict[str, int | None]] = {}
    if curated.exists(""):
        for name in curated.list_files(recursive=True, glob_pattern="**/*.parquet"):
            with curated.open(name, "rb") as f:
                parquet = pq.ParquetFile(f)
                # code rows carry their size; web pages are measured by their text's UTF-8 bytes
                size_column = "length_bytes" if "length_bytes" in parquet.schema_arrow.names else "text"
                table = parquet.read(columns=["language", size_column])
            sizes = table[size_column] if size_column == "length_bytes" else pc.binary_length(table["text"])
            for language, size in zip(table["language"].to_pylist(), sizes.to_pylist(), strict=True):
                entry = kept.setdefault(language or "unknown", {"files": 0, "bytes": 0, "tokens": None})
                entry["files"] += 1
                entry["bytes"] += size or 0
    if tokens is not None:
        token_root = get_datafolder(tokens)
        for language, entry in kept.items():
            name = f"{language_slug(language)}/{MANIFEST_NAME}"
            if token_root.isfile(name):
                with token_root.open(name, "r") as f:
                    entry["tokens"] = json.load(f)["num_tokens"]
    return kept


def build_funnel(dropped: dict[tuple[str, str, str], dict[str, int]], kept: dict[str, dict]) -> dict:
    """Combine ledger counts and kept counts into the summary document (pure: no I/O)."""
    ratios = {lang: e["tokens"] / e["bytes"] for lang, e in kept.items() if e.get("tokens") and e["bytes"]}
    all_tokens = sum(e["tokens"] for e in kept.values() if e.get("tokens"))
    all_bytes = sum(e["bytes"] for e in kept.values() if e.get("tokens"))
    overall = all_tokens / all_bytes if all_bytes else None
    languages: dict[str, dict] = {}
    for language in sorted({*kept, *(key[0] for key in dropped)}):
        kept_entry = kept.get(language, {"files": 0, "bytes": 0, "tokens": None})
        ratio = ratios.get(language, overall)
        drops = []
        for (lang, step, reason), counts in sorted(dropped.items()):
            if lang == language:
                estimate = round(counts["bytes"] * ratio) if ratio else None
                drops.append({"step": step, "reason": reason, **counts, "tokens_estimate": estimate})
        dropped_files = sum(d["files"] for d in drops)
        languages[language] = {
            "read": kept_entry["files"] + dropped_files,
            "kept": kept_entry,
            "dropped_files": dropped_files,
            "dropped": drops,
        }
    totals = {
        "read": sum(e["read"] for e in languages.values()),
        "kept_files": sum(e["kept"]["files"] for e in languages.values()),
        "kept_tokens": all_tokens,
        "dropped_files": sum(e["dropped_files"] for e in languages.values()),
    }
    by_reason: dict[str, int] = defaultdict(int)
    with_formulas: dict[str, int] = defaultdict(int)
    for (_, step, reason), counts in dropped.items():
        by_reason[f"{step}/{reason}"] += counts["files"]
        if counts.get("with_formulas"):
            with_formulas[f"{step}/{reason}"] += counts["with_formulas"]
    totals["dropped_with_formulas"] = sum(with_formulas.values())
    return {
        "totals": totals,
        "dropped_by_reason": dict(sorted(by_reason.items())),
        "dropped_with_formulas_by_reason": dict(sorted(with_formulas.items())),
        "languages": languages,
    }


def read_subset_manifests(tokens: DataFolderLike, subsets: list[str]) -> dict[str, dict[str, int]]:
    """subset → {"documents", "tokens"} from `<tokens>/<subset>/manifest.json` (subsets without one are left out)."""
    root = get_datafolder(tokens)
    found = {}
    for subset in subsets:
        name = f"{subset}/{MANIFEST_NAME}"
        if root.isfile(name):
            with root.open(name, "r") as f:
                manifest = json.load(f)
            found[subset] = {"documents": manifest["num_documents"], "tokens": manifest["num_tokens"]}
    return found


def add_subset_tokens(summary: dict, subsets: dict[str, dict[str, int]], all_pages_subset: str | None) -> None:
    """Put the token counts of corpora split into nested subsets (FineMath's 3+ ⊇ 4+) into `summary`: every subset
    under `subsets`, and the exact kept tokens (those of `all_pages_subset`, which holds every kept page once) into
    the totals and, for a single-language corpus, into its language."""
    summary["subsets"] = subsets
    if all_pages_subset in subsets:
        summary["all_pages_subset"] = all_pages_subset  # the report counts the subsets as parts of this one
        tokens = subsets[all_pages_subset]["tokens"]
        summary["totals"]["kept_tokens"] = tokens
        if len(summary["languages"]) == 1:
            next(iter(summary["languages"].values()))["kept"]["tokens"] = tokens


def format_funnel(summary: dict) -> str:
    """A Markdown report: one table of languages, one of drop reasons per language."""
    lines = ["| language | read | kept files | kept tokens | dropped files |", "|---|---:|---:|---:|---:|"]
    untokenized = False
    for language, entry in summary["languages"].items():
        tokens = entry["kept"]["tokens"]
        if tokens is None and entry["kept"]["files"] == 0:
            tokens = 0  # nothing kept, nothing to count
        untokenized |= tokens is None
        lines.append(
            f"| {language} | {entry['read']:,} | {entry['kept']['files']:,} | "
            f"{'n/a' if tokens is None else f'{tokens:,}'} | {entry['dropped_files']:,} |"
        )
    totals = summary["totals"]
    lines.append(
        f"| **all** | {totals['read']:,} | {totals['kept_files']:,} | {totals['kept_tokens']:,} | "
        f"{totals['dropped_files']:,} |"
    )
    if untokenized:
        lines.append("\nn/a: no token count for that language (its kept files were not tokenized per language).")
    lines += ["", "| language | step | reason | files | with formulas | bytes | ≈ tokens |",
              "|---|---|---|---:|---:|---:|---:|"]  # fmt: skip
    for language, entry in summary["languages"].items():
        for drop in entry["dropped"]:
            estimate = drop["tokens_estimate"]
            estimate = "n/a" if estimate is None else f"{estimate:,}"
            lines.append(
                f"| {language} | {drop['step']} | {drop['reason']} | {drop['files']:,} | "
                f"{drop.get('with_formulas', 0):,} | {drop['bytes']:,} | {estimate} |"
            )
    if totals.get("dropped_with_formulas"):
        lines += ["", f"{totals['dropped_with_formulas']:,} dropped pages held formulas (counted from extraction on; "
                  "steps before it see HTML): see the report's samples `… · with formulas`."]  # fmt: skip
    if summary.get("subsets"):
        lines += ["", "| subset | documents | tokens |", "|---|---:|---:|"]
        for subset, counts in summary["subsets"].items():
            lines.append(f"| {subset} | {counts['documents']:,} | {counts['tokens']:,} |")
    return "\n".join(lines) + "\n"


class FunnelSummaryWriter(PipelineStep):
    """Write `summary.json` and `summary.md` into `output_folder` (one task, after every other stage).

    Args:
        output_folder: where the two files go (the run's output folder).
        ledger_folder / curated_folder / tokens_folder: as written by the earlier stages (tokens optional), token
            folders per language.
        subset_tokens_folder / subsets / all_pages_subset: token folders per subset instead (FineMath's nested
            subsets), and the subset that holds every kept page once (its tokens are the kept tokens).
    """

    name = "📊 Funnel summary"
    type = "✍️ - WRITER"

    def __init__(self, output_folder: DataFolderLike, ledger_folder: DataFolderLike, curated_folder: DataFolderLike,
                 tokens_folder: DataFolderLike | None = None, subset_tokens_folder: DataFolderLike | None = None,
                 subsets: list[str] | None = None, all_pages_subset: str | None = None):  # fmt: skip
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.ledger_folder = ledger_folder
        self.curated_folder = curated_folder
        self.tokens_folder = tokens_folder
        self.subset_tokens_folder = subset_tokens_folder
        self.subsets = subsets or []
        self.all_pages_subset = all_pages_subset

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        summary = build_funnel(read_ledgers(self.ledger_folder), read_kept(self.curated_folder, self.tokens_folder))
        if self.subset_tokens_folder is not None:
            add_subset_tokens(summary, read_subset_manifests(self.subset_tokens_folder, self.subsets),
                              self.all_pages_subset)  # fmt: skip
        with self.output_folder.open(SUMMARY_JSON, "w") as f:
            json.dump(summary, f, indent=2)
        with self.output_folder.open(SUMMARY_MARKDOWN, "w") as f:
            f.write(format_funnel(summary))
        self.stat_update("files_kept", value=summary["totals"]["kept_files"])
        self.stat_update("files_dropped", value=summary["totals"]["dropped_files"])
