"""`smolcorpus mix` (shards mode) throughput and memory against a plain copy of the same token shards, in one run.

Three sources are built from one real token folder (installed Python documents, and the articles, Common Crawl
pages and code of ../shared/data when present, tokenized with the SmolLM2 tokenizer), replicated to the
requested size as shards of a fixed token count, as a tokenize run at scale would write them. Each measurement
runs in its own process on one core:

  copy            read every source shard and write it out unchanged (Parquet I/O of the same tokens; 1.00x)
  mix             build_mixture over the three sources (shares 0.5/0.3/0.2; the budget takes 75% of the first)

Memory flatness: `mix` runs again on 4x the sources; it streams one input shard at a time, so its peak RSS
should not grow with the input.

    python benchmarks/mix/run.py            # ≈ 3 × 8M tokens
    python benchmarks/mix/run.py --quick    # ≈ 3 × 2M tokens (CI smoke run)
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))  # benchmarks/, for the shared peak_rss helper
from peak_rss import peak_rss_mb  # noqa: E402

SHARED_DATA = Path(
    os.environ.get("SMOLCORPUS_SHARED_DATA", Path(__file__).resolve().parents[2] / ".." / "shared" / "data")
)
SOURCES = {"web": 0.5, "code": 0.3, "math": 0.2}
SHARD_TOKENS = 1_000_000  # tokens per input shard (a tokenize run at scale writes 100M; smaller keeps it quick)


def base_documents() -> list[dict]:
    from smolcorpus.readers.installed import installed_documents

    documents = [{"id": doc.id, "text": doc.text} for doc in installed_documents()]
    if SHARED_DATA.is_dir():
        truth = SHARED_DATA / "extraction_gt" / "article_extraction_benchmark" / "ground-truth.json"
        documents += [{"id": f"article/{k}", "text": v["articleBody"]}
                      for k, v in json.loads(truth.read_text()).items() if v["articleBody"]]  # fmt: skip
        for line in (SHARED_DATA / "code" / "index.jsonl").read_text().splitlines():
            entry = json.loads(line)
            documents.append({"id": entry["file"], "text": (SHARED_DATA / entry["file"]).read_text(errors="replace")})
        for path in sorted((SHARED_DATA / "labeled").glob("*.jsonl.gz")):
            with gzip.open(path, "rt") as f:
                documents += [{"id": f"{path.name}/{i}", "text": json.loads(row)["text"]} for i, row in enumerate(f)]
    return [d for d in documents if d["text"].strip()]


def tokenize_base(workdir: Path) -> Path:
    """One real token folder (smolcorpus tokenize over the base documents)."""
    from smolcorpus.config import validate_config
    from smolcorpus.run import run_config

    corpus = workdir / "base.jsonl"
    corpus.write_text("".join(json.dumps(d) + "\n" for d in base_documents()))
    config = {"pipeline": "tokenize", "name": "base", "output_dir": str(workdir / "base"),
              "input": {"paths": [str(corpus)]}, "tokenize": {"max_tokens_per_shard": SHARD_TOKENS},
              "executor": {"tasks": 1, "workers": 1}}  # fmt: skip
    run_config(validate_config(config), quiet=True)
    return workdir / "base"


def replicate(base: Path, target: Path, tokens: int) -> Path:
    """A token folder of about `tokens` tokens: the base shards repeated (hard links) with a manifest over them."""
    manifest = json.loads((base / "manifest.json").read_text())
    target.mkdir(parents=True)
    shards, total = [], 0
    while total < tokens:
        for shard in manifest["shards"]:
            name = f"{len(shards):05d}.parquet"
            os.link(base / shard["file"], target / name)
            shards.append({**shard, "file": name})
            total += shard["tokens"]
            if total >= tokens:
                break
    shutil.copy(base / "tokenizer.json", target / "tokenizer.json")
    manifest.update(shards=shards, num_documents=sum(s["documents"] for s in shards),
                    num_rows=sum(s["rows"] for s in shards), num_tokens=total)  # fmt: skip
    (target / "manifest.json").write_text(json.dumps(manifest))
    return target


def measure(name: str, sources: Path, workdir: Path) -> dict:
    import pyarrow.parquet as pq

    folders = {source: sources / source for source in SOURCES}
    available = {s: json.loads((f / "manifest.json").read_text())["num_tokens"] for s, f in folders.items()}
    started = time.perf_counter()
    if name == "copy":
        tokens = 0
        for folder in folders.values():
            for shard in json.loads((folder / "manifest.json").read_text())["shards"]:
                table = pq.read_table(folder / shard["file"], columns=["id", "input_ids", "n_tokens"])
                pq.write_table(table, workdir / f"{folder.name}_{shard['file']}", compression="zstd")
                tokens += shard["tokens"]
    else:
        from smolcorpus.config import MixConfig
        from smolcorpus.tokenize.mixture import build_mixture

        # the budget at which the source with the largest share/size ratio gives 75% of its tokens
        budget = int(0.75 * min(available[s] / share for s, share in SOURCES.items()))
        config = MixConfig(name="bench", output_dir=str(workdir / "mix"), total_tokens=budget,
                           sources=[{"name": s, "path": str(folders[s]), "share": share}
                                    for s, share in SOURCES.items()])  # fmt: skip
        tokens = build_mixture(config)["total_tokens"]
    seconds = time.perf_counter() - started
    return {"name": name, "tokens": tokens, "seconds": seconds, "rss_mb": peak_rss_mb()}


def run_pinned(name: str, sources: Path) -> dict:
    """`measure` in a fresh process on one core."""
    with tempfile.TemporaryDirectory() as workdir:
        command = [sys.executable, __file__, "--measure", name, "--sources", str(sources), "--workdir", workdir]
        if shutil.which("taskset"):
            command = ["taskset", "-c", "0", *command]
        result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="≈2M tokens per source instead of ≈8M")
    parser.add_argument("--measure", choices=["copy", "mix"], help=argparse.SUPPRESS)
    parser.add_argument("--sources", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.sources, args.workdir)))
        return
    per_source = 2_000_000 if args.quick else 8_000_000
    with tempfile.TemporaryDirectory(prefix="smolcorpus-mix-bench-") as tmp:
        workdir = Path(tmp)
        base = tokenize_base(workdir)
        for scale in (1, 4):
            for source in SOURCES:
                replicate(base, workdir / f"x{scale}" / source, per_source * scale)
        rows = [run_pinned("copy", workdir / "x1"), run_pinned("mix", workdir / "x1")]
        larger = run_pinned("mix", workdir / "x4")
    baseline = rows[0]["tokens"] / rows[0]["seconds"]
    print(f"\nmix benchmark: 3 sources × ≈{per_source:,} tokens (shards of ≈{SHARD_TOKENS:,}), one core\n")
    print(f"{'path':<8}{'tokens':>14}{'seconds':>10}{'Mtokens/s/core':>16}{'vs copy':>9}{'peak RSS MB':>13}")
    for row in rows:
        rate = row["tokens"] / row["seconds"]
        print(f"{row['name']:<8}{row['tokens']:>14,}{row['seconds']:>10.2f}{rate / 1e6:>16.2f}"
              f"{rate / baseline:>8.2f}x{row['rss_mb']:>13.0f}")  # fmt: skip
    growth = larger["rss_mb"] - rows[1]["rss_mb"]
    print(f"\nmix on 4x the sources ({larger['tokens']:,} tokens): peak RSS {larger['rss_mb']:.0f} MB "
          f"({growth:+.0f} MB vs 1x): {'flat' if growth < 0.25 * rows[1]['rss_mb'] else 'GROWS'}")  # fmt: skip


if __name__ == "__main__":
    main()
