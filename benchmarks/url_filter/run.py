"""URL filter stage with more tasks than workers: datatrove's block lists parsed by every task (datatrove's own
`download_data`, the baseline, 1.00x) against once per process (`filters/url_blocklists.py`: the forkserver of the
local executor parses them, its workers share that copy), in one run, on the same input.

Each path is one stage (JSONL reader → URL filter → JSONL writer) run by smolcorpus's local executor, `tasks` tasks
on 2 workers, over the URLs of the real WARC pages of ../shared/data (every task gets the same share). The CPU column
is the whole machine's (user + system, from /proc/stat: the pool workers are the forkserver's children, not ours),
so run it on an otherwise idle machine; both paths must keep exactly the same documents.

    python benchmarks/url_filter/run.py            # 16 tasks
    python benchmarks/url_filter/run.py --quick    # 4 tasks (CI smoke run)
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("SMOLCORPUS_SHARED_DATA", ROOT / ".." / "shared" / "data"))
WORKERS = 2


def machine_cpu_seconds() -> float:
    """User + system CPU seconds of the whole machine since boot (Linux)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system = (int(v) for v in fields[:3])
    return (user + nice + system) / os.sysconf("SC_CLK_TCK")


def build_input(folder: Path, tasks: int) -> int:
    """One JSONL file per task, each with the URLs of every real WARC page; returns the document count."""
    from smolcorpus.readers.warc import WarcHtmlReader

    urls = [page.metadata["url"] for page in WarcHtmlReader([str(SHARED_DATA / "warc")]).run()]
    folder.mkdir(parents=True)
    for task in range(tasks):
        with gzip.open(folder / f"urls-{task:03d}.jsonl.gz", "wt") as f:
            for i, url in enumerate(urls):
                f.write(json.dumps({"id": f"{task}-{i}", "text": "page", "url": url}) + "\n")
    return len(urls) * tasks


def per_task_filter():
    """The baseline: smolcorpus's offline URL filter with datatrove's own loader, which parses the lists in every
    filter (and so in every task)."""
    from datatrove.pipeline.filters import URLFilter

    from smolcorpus.filters.url_filter import OfflineURLFilter

    class PerTaskURLFilter(OfflineURLFilter):
        def run_time_imports(self) -> tuple[str, ...]:
            return ()

        def download_data(self) -> None:
            URLFilter.download_data(self)

    return PerTaskURLFilter()


def run_path(name: str, inputs: Path, output: Path, tasks: int) -> dict:
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from smolcorpus.config import ExecutorConfig
    from smolcorpus.filters.url_filter import OfflineURLFilter
    from smolcorpus.runtime.executors import run_stages
    from smolcorpus.runtime.stage import Stage

    url_filter = per_task_filter() if name == "per-task" else OfflineURLFilter()
    steps = [JsonlReader(str(inputs)), url_filter, JsonlWriter(str(output / "kept"))]
    config = ExecutorConfig.model_validate({"kind": "local", "tasks": tasks, "workers": WORKERS})
    cpu, started = machine_cpu_seconds(), time.perf_counter()
    run_stages([Stage("url_filter", steps, tasks)], config, str(output / "logs"), name, quiet=True)
    seconds, cpu = time.perf_counter() - started, machine_cpu_seconds() - cpu
    kept = []
    for path in (output / "kept").glob("*.jsonl.gz"):
        with gzip.open(path, "rt") as f:
            kept += [json.loads(line)["id"] for line in f]
    return {"seconds": seconds, "cpu": cpu, "kept": sorted(kept)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="4 tasks instead of 16")
    args = parser.parse_args()
    if not (SHARED_DATA / "warc").is_dir():
        sys.exit(f"the real WARCs are not at {SHARED_DATA / 'warc'} (set SMOLCORPUS_SHARED_DATA)")
    tasks = 4 if args.quick else 16
    with tempfile.TemporaryDirectory(prefix="bench-url-filter-") as tmp:
        documents = build_input(Path(tmp) / "input", tasks)
        # each path in its own process: the shared copy of one must not serve the other
        results = {name: run_in_child(name, Path(tmp), tasks) for name in ("per-task", "per-process")}
    base = results["per-task"]
    assert results["per-process"]["kept"] == base["kept"], "the two paths kept different documents"
    print(f"\nURL filter stage: {tasks} tasks on {WORKERS} workers, {documents:,} documents "
          f"({len(base['kept']):,} kept by both)\n")  # fmt: skip
    print(f"{'path':<14}{'wall s':>9}{'CPU s':>9}{'CPU vs base':>13}")
    for name, result in results.items():
        print(f"{name:<14}{result['seconds']:>9.1f}{result['cpu']:>9.1f}{base['cpu'] / result['cpu']:>12.2f}x")


def run_in_child(name: str, tmp: Path, tasks: int) -> dict:
    import concurrent.futures
    import multiprocessing

    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(run_path, name, tmp / "input", tmp / name, tasks).result()


if __name__ == "__main__":
    main()
