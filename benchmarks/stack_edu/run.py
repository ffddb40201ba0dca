"""Stack-Edu pipeline benchmark, on real code that installs offline (the source trees of installed packages).

Part 1, stages: the `stack_edu` pipeline with one task, each stage in its own process pinned to one core, so the
time is that stage's files/s/core and the peak RSS is that stage's own. The baseline, in the same run, is a
stage that only reads the source trees and writes them as JSONL.gz (what any stage pays for I/O); each stage's
rate is also given as a ratio to it.

Part 2, S3 fetch: the same files gzip-compressed in a moto S3 server (its own process, on 127.0.0.1) under
content/{blob_id}, read through `StackV2Reader` at concurrency 1 and at the configured concurrency (32): straight
from moto, and through a proxy (another process) that holds each request for `--latency-ms` (20 ms: a typical
S3 GET's first-byte latency from inside its region), since on loopback moto's own speed is the only limit.

    python benchmarks/stack_edu/run.py           # ≈ 2,500 files (a dozen installed packages), 2,000 S3 blobs
    python benchmarks/stack_edu/run.py --quick   # ≈ 500 files (the demo's packages), 300 S3 blobs
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))  # benchmarks/, for the shared peak_rss helper
from peak_rss import peak_rss_mb  # noqa: E402

QUICK_PACKAGES = (("datatrove", "datatrove"), ("trafilatura", "trafilatura"), ("pydantic", "pydantic"),
                  ("PyYAML", "yaml"), ("fsspec", "fsspec"), ("huggingface_hub", "huggingface_hub"))  # fmt: skip
FULL_PACKAGES = QUICK_PACKAGES + (("tokenizers", "tokenizers"), ("datasets", "datasets"), ("pyarrow", "pyarrow"),
                                  ("scikit-learn", "sklearn"), ("s3fs", "s3fs"), ("requests", "requests"),
                                  ("boto3", "boto3"), ("botocore", "botocore"), ("numpy", "numpy"))  # fmt: skip
BASELINE = "read_write"


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def benchmark_config(output: Path, packages) -> dict:
    from smolcorpus.readers.installed import installed_source_trees

    trees = installed_source_trees(packages)
    return {
        "pipeline": "stack_edu",
        "name": "bench",
        "output_dir": str(output),
        "stack_edu": {
            "source_trees": {
                "roots": [t.root for t in trees],
                "repo_names": [t.repo_name for t in trees],
                # measure the filters on every file, whatever its licence
                "licenses": ["MIT"] * len(trees),
            },
        },  # fmt: skip
        "executor": {"tasks": 1, "workers": 1},
    }


def child(stage_name: str, config_path: Path) -> None:
    """Run one stage of the planned pipeline in this process; print {"seconds", "rss_mb", "files"} as JSON."""
    pin_to_one_core()
    from datatrove.pipeline.writers import JsonlWriter

    from smolcorpus.config import validate_config
    from smolcorpus.readers.source_tree import SourceTreeReader
    from smolcorpus.run import plan_config
    from smolcorpus.runtime.executors import run_stages
    from smolcorpus.runtime.stage import Stage

    config, stages = plan_config(validate_config(json.loads(config_path.read_text())))
    if stage_name == BASELINE:
        trees = config.stack_edu.source_trees
        output = f"{config.output_dir}/work/baseline"
        reader = SourceTreeReader(trees.roots, trees.repo_names, licenses=trees.licenses)
        stage = Stage(BASELINE, [reader, JsonlWriter(output, output_filename="${rank}.jsonl", compression="gzip")], 1)
    else:
        stage = next(s for s in stages if s.name == stage_name)
    started = time.perf_counter()
    [result] = run_stages([stage], config.executor, logs_root=f"{config.output_dir}/logs", run_name="bench")
    seconds = time.perf_counter() - started
    files = 0
    for step, counters in result.counters.items():  # documents entering the stage: its reader's count
        if "READER" in step:
            files = counters.get("documents", 0) + sum(v for k, v in counters.items() if k.startswith("skipped_"))
            break
        if stage_name == "tokenize":  # the grouped shard writer reads the curated files itself
            files = sum(v for k, v in counters.items() if k.endswith("/documents"))
    rss_mb = peak_rss_mb()
    print(json.dumps({"seconds": seconds, "rss_mb": rss_mb, "files": files}))


def run_child(stage: str, config_path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", stage, "--config", str(config_path)],
                         capture_output=True, text=True, check=False)  # fmt: skip
    if out.returncode != 0:
        sys.exit(f"stage {stage} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def stages_part(work: Path, packages) -> tuple[list[tuple], int]:
    config = benchmark_config(work / "pipeline", packages)
    config_path = work / "config.json"
    config_path.write_text(json.dumps(config))
    from smolcorpus.config import validate_config
    from smolcorpus.run import plan_config

    names = [BASELINE] + [stage.name for stage in plan_config(validate_config(config))[1]]
    results = [(name, run_child(name, config_path)) for name in names]
    read_files = results[0][1]["files"]
    return results, read_files


def latency_proxy(upstream_port: int, port: int, latency_ms: float) -> None:
    """Forward every request to 127.0.0.1:`upstream_port` after holding it `latency_ms` (a child process)."""
    import threading

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.s3_server import ForwardingProxy  # the proxy the S3 tests put in front of moto

    ForwardingProxy(f"http://127.0.0.1:{upstream_port}", intercept=lambda _: time.sleep(latency_ms / 1000), port=port)
    threading.Event().wait()


def wait_for_port(port: int) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"nothing listens on 127.0.0.1:{port}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def s3_part(work: Path, n_blobs: int, concurrency: int, latency_ms: float, packages) -> list[tuple]:
    import boto3
    import pyarrow as pa
    import pyarrow.parquet as pq

    from smolcorpus.readers.installed import installed_source_trees
    from smolcorpus.readers.source_tree import git_blob_id, list_source_files
    from smolcorpus.readers.stack_v2 import StackV2Reader

    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"
    proxy_port = free_port()
    proxy = subprocess.Popen([sys.executable, __file__, "--proxy", str(port), str(proxy_port), str(latency_ms)])
    try:
        wait_for_port(port)
        wait_for_port(proxy_port)
        s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="x", aws_secret_access_key="x",
                          region_name="us-east-1")  # fmt: skip
        s3.create_bucket(Bucket="softwareheritage")
        rows, seen = [], set()
        files = [f for tree in installed_source_trees(packages) for f in list_source_files(Path(tree.root))]
        for path in files:
            content = path.read_bytes()
            blob_id = git_blob_id(content)
            if blob_id in seen or len(content) > 1_000_000:
                continue
            seen.add(blob_id)
            s3.put_object(Bucket="softwareheritage", Key=f"content/{blob_id}", Body=gzip.compress(content))
            rows.append({"blob_id": blob_id, "language": "Python", "src_encoding": "UTF-8",
                         "length_bytes": len(content)})  # fmt: skip
            if len(rows) == n_blobs:
                break
        pq.write_table(pa.Table.from_pylist(rows), work / "rows.parquet")
        results = []
        for label, url in (("moto", endpoint), (f"+{latency_ms:g} ms", f"http://127.0.0.1:{proxy_port}")):
            options = {"key": "x", "secret": "x", "client_kwargs": {"endpoint_url": url, "region_name": "us-east-1"}}
            for c in (1, concurrency):
                reader = StackV2Reader([str(work / "rows.parquet")], storage_options=options, concurrency=c)
                started = time.perf_counter()
                docs = list(reader.run(rank=0, world_size=1))
                seconds = time.perf_counter() - started
                megabytes = sum(len(d.text.encode()) for d in docs) / 1e6
                results.append((label, c, len(docs), seconds, megabytes))
        return results
    finally:
        for process in (proxy, server):
            process.terminate()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency-ms", type=float, default=20)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--proxy", nargs=3, type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.proxy:
        latency_proxy(int(args.proxy[0]), int(args.proxy[1]), args.proxy[2])
        return
    if args.child:
        child(args.child, args.config)
        return
    packages = QUICK_PACKAGES if args.quick else FULL_PACKAGES
    with tempfile.TemporaryDirectory(prefix="smolcorpus-bench-") as tmp:
        work = Path(tmp)
        stage_results, read_files = stages_part(work, packages)
        s3_results = s3_part(work, 300 if args.quick else 2000, args.concurrency, args.latency_ms, packages)

    print(f"\nstack_edu stages: {read_files:,} real source files (installed packages), one task, one core each\n")
    print(f"{'stage':<22}{'files in':>10}{'seconds':>9}{'files/s/core':>14}{'vs read+write':>15}{'peak RSS MB':>13}")
    baseline_rate = stage_results[0][1]["files"] / stage_results[0][1]["seconds"]
    for name, r in stage_results:
        if r["files"]:
            rate = r["files"] / r["seconds"]
            rate_text, ratio_text = f"{rate:,.0f}", f"{rate / baseline_rate:.2f}x"
        else:  # bucket/cluster/find/summary stages read no documents
            rate_text = ratio_text = "—"
        files = f"{r['files']:,}" if r["files"] else "—"
        print(f"{name:<22}{files:>10}{r['seconds']:>9.2f}{rate_text:>14}{ratio_text:>15}{r['rss_mb']:>13,.0f}")
    filter_dedup = [r for name, r in stage_results if name in ("filter", "exact_signatures", "minhash_signatures")]
    seconds = sum(r["seconds"] for r in filter_dedup) + sum(
        r["seconds"] for name, r in stage_results if name in ("exact_find", "minhash_buckets", "minhash_clusters")
    )
    print(f"\nfilter + dedup (filter, exact_*, minhash_* stages): {read_files / seconds:,.0f} files/s/core end to end")

    print("\nS3 fetch through StackV2Reader (moto on 127.0.0.1, gzip blobs, one task)\n")
    print(f"{'server':<12}{'concurrency':>12}{'files':>7}{'seconds':>9}{'files/s':>10}{'MB/s':>8}{'vs 1':>7}")
    for i, (label, c, n, seconds, megabytes) in enumerate(s3_results):
        base = s3_results[i - i % 2][2] / s3_results[i - i % 2][3]  # the concurrency-1 row of the same server
        print(
            f"{label:<12}{c:>12}{n:>7}{seconds:>9.2f}{n / seconds:>10,.0f}{megabytes / seconds:>8.2f}"
            f"{n / seconds / base:>6.2f}x"
        )


if __name__ == "__main__":
    main()
