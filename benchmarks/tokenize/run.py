"""Tokenization throughput and memory: the Parquet shard path against a bare tokenizer loop, in one run.

Every measurement runs in its own process pinned to one core (RAYON_NUM_THREADS=1, so tokenizers' batch encoding
stays on one thread) on the same documents, and reports tokens/s/core and peak RSS:

  bare-encode-batch   tokenizers.Tokenizer.encode_batch over in-memory texts (the baseline, 1.00x)
  bare-encode-batch-fast  the same with encode_batch_fast (no character offsets), which the shard writer uses
  shard-writer        smolcorpus TokenShardWriter over the same in-memory documents, writing Parquet
  shard-path          DocumentFileReader (JSONL.gz) → TokenShardWriter: what `smolcorpus tokenize` runs per task
  datatrove-ds        DocumentFileReader → datatrove DocumentTokenizer (nanotron .ds), for comparison

Memory flatness: the shard path runs again on 4x the input; its peak RSS should not grow with the input.

Documents: the real texts of ../shared/data (articles, Common Crawl, code) when present, plus the documents
shipped with this Python installation, repeated to the requested size.

    python benchmarks/tokenize/run.py            # ≈ 8M tokens per measurement
    python benchmarks/tokenize/run.py --quick    # ≈ 1M tokens (CI smoke run)
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
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
MEASUREMENTS = ["bare-encode-batch", "bare-encode-batch-fast", "shard-writer", "shard-path", "datatrove-ds"]


def base_texts() -> list[str]:
    from smolcorpus.readers.installed import installed_documents

    texts = [doc.text for doc in installed_documents()]
    if SHARED_DATA.is_dir():
        truth = SHARED_DATA / "extraction_gt" / "article_extraction_benchmark" / "ground-truth.json"
        texts += [v["articleBody"] for v in json.loads(truth.read_text()).values() if v["articleBody"]]
        for line in (SHARED_DATA / "code" / "index.jsonl").read_text().splitlines():
            texts.append((SHARED_DATA / json.loads(line)["file"]).read_text(errors="replace"))
        for path in sorted((SHARED_DATA / "labeled").glob("*.jsonl.gz")):
            with gzip.open(path, "rt") as f:
                texts += [json.loads(line)["text"] for line in f]
    return [t for t in texts if t.strip()]


def write_corpus(folder: Path, target_chars: int, files: int = 4) -> int:
    """Repeat the base texts (with distinct ids) into `files` JSONL.gz files totalling ≈ `target_chars`."""
    texts = base_texts()
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        handles = [
            stack.enter_context(gzip.open(folder / f"part-{i}.jsonl.gz", "wt", encoding="utf-8", compresslevel=1))
            for i in range(files)
        ]
        written = n = 0
        while written < target_chars:
            for text in texts:
                handles[n % files].write(json.dumps({"id": f"doc-{n}", "text": text}) + "\n")
                written += len(text)
                n += 1
                if written >= target_chars:
                    break
    return n


def load_texts(folder: Path) -> list[str]:
    texts = []
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt") as f:
            texts += [json.loads(line)["text"] for line in f]
    return texts


def measure(name: str, corpus: Path, workdir: Path) -> dict:
    """Run one measurement in this (pinned) process; return tokens, seconds and peak RSS."""
    from datatrove.data import Document

    from smolcorpus.readers import DocumentFileReader
    from smolcorpus.tokenize.shards import TokenShardWriter
    from smolcorpus.tokenize.tokenizer import resolve_tokenizer_spec

    spec = resolve_tokenizer_spec(None)
    in_memory = name in ("bare-encode-batch", "bare-encode-batch-fast", "shard-writer")
    texts = load_texts(corpus) if in_memory else None
    started = time.perf_counter()
    if name.startswith("bare-encode-batch"):
        tokenizer = spec.load()
        encode = tokenizer.encode_batch_fast if name.endswith("-fast") else tokenizer.encode_batch
        tokens = 0
        for i in range(0, len(texts), 1000):
            tokens += sum(len(e.ids) + 1 for e in encode(texts[i : i + 1000], add_special_tokens=False))
    elif name in ("shard-writer", "shard-path"):
        documents = (
            (Document(text=t, id=str(i)) for i, t in enumerate(texts))
            if in_memory
            else DocumentFileReader([str(corpus)]).run()
        )
        writer = TokenShardWriter(str(workdir / "shards"), spec)
        for _ in writer.run(documents):
            pass
        tokens = int(writer.stats["tokens"].total)
    elif name == "datatrove-ds":
        from datatrove.pipeline.tokens import DocumentTokenizer

        step = DocumentTokenizer(str(workdir / "ds"), tokenizer_name_or_path=spec.path, eos_token=spec.eos_token)
        step.run(DocumentFileReader([str(corpus)]).run())
        tokens = int(step.stats["tokens"].total)
    else:
        raise ValueError(name)
    seconds = time.perf_counter() - started
    peak_mb = peak_rss_mb()
    return {"name": name, "tokens": tokens, "seconds": seconds, "peak_rss_mb": peak_mb}


def run_pinned(name: str, corpus: Path) -> dict:
    """Run `measure` in a fresh process limited to one core."""
    env = {**os.environ, "RAYON_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "true", "OMP_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as workdir:
        command = [sys.executable, __file__, "--measure", name, "--corpus", str(corpus), "--workdir", workdir]
        if hasattr(os, "sched_setaffinity"):
            command = ["taskset", "-c", "0", *command] if _has_taskset() else command
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _has_taskset() -> bool:
    from shutil import which

    return which("taskset") is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="≈1M tokens instead of ≈8M")
    parser.add_argument("--measure", choices=MEASUREMENTS, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.corpus, args.workdir)))
        return

    chars = 4_000_000 if args.quick else 32_000_000  # ≈ 4 characters per token
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp) / "x1", Path(tmp) / "x4"
        documents = write_corpus(small, chars)
        write_corpus(large, 4 * chars)
        from smolcorpus.tokenize.tokenizer import resolve_tokenizer_spec

        resolve_tokenizer_spec(None)  # convert the tokenizer once, outside the timings
        results = [run_pinned(name, small) for name in MEASUREMENTS]
        big = run_pinned("shard-path", large)

    baseline = results[0]["tokens"] / results[0]["seconds"]
    print(f"\ntokenization benchmark: {documents:,} documents, {results[0]['tokens']:,} tokens, one core each\n")
    print(f"{'path':<26}{'tokens/s/core':>15}{'vs bare':>10}{'peak RSS MB':>14}")
    for r in results:
        rate = r["tokens"] / r["seconds"]
        print(f"{r['name']:<26}{rate:>15,.0f}{rate / baseline:>9.2f}x{r['peak_rss_mb']:>14,.0f}")
    shard_path = next(r for r in results if r["name"] == "shard-path")
    growth = big["peak_rss_mb"] - shard_path["peak_rss_mb"]
    verdict = "flat" if abs(growth) < 0.25 * shard_path["peak_rss_mb"] else "GROWS"
    print(f"\nshard-path on 4x the input ({big['tokens']:,} tokens): peak RSS {big['peak_rss_mb']:,.0f} MB "
          f"({growth:+,.0f} MB vs 1x): {verdict}")  # fmt: skip
    ratio = shard_path["tokens"] / shard_path["seconds"] / baseline
    print(f"target: shard-path ≥ 0.80x bare → {ratio:.2f}x {'met' if ratio >= 0.8 else 'NOT MET'}")


if __name__ == "__main__":
    main()
