"""URL block lists: datatrove's loader, which parses them into sets in every filter (and so in every task: the
baseline, 1.00x), against smolcorpus's memory-mapped hashes (`filters/url_blocklists.py`: built once per machine
and list version, opened by each task), on the same input.

First, what one task pays for the lists, each path in a fresh process: CPU seconds to load them, the RSS they add,
the task's peak RSS after filtering the input's URLs; and, once, the build of the hashes into an empty cache.

Then a URL filter stage with more tasks than workers (JSONL reader → URL filter → JSONL writer) run by smolcorpus's
local executor, `tasks` tasks on 2 workers, over the URLs of the real WARC pages of ../shared/data (every task gets
the same share). The CPU column is the whole machine's (user + system, from /proc/stat: the pool workers are the
forkserver's children, not ours), so run it on an otherwise idle machine; both paths must keep exactly the same
documents.

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

sys.path.append(str(Path(__file__).resolve().parents[1]))  # benchmarks/, for the shared peak_rss helper
from peak_rss import peak_rss_mb  # noqa: E402

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
    urls = page_urls()
    folder.mkdir(parents=True)
    for task in range(tasks):
        with gzip.open(folder / f"urls-{task:03d}.jsonl.gz", "wt") as f:
            for i, url in enumerate(urls):
                f.write(json.dumps({"id": f"{task}-{i}", "text": "page", "url": url}) + "\n")
    return len(urls) * tasks


def per_task_filter():
    """The baseline: smolcorpus's offline URL filter with datatrove's own loader, which parses the lists into sets
    in every filter (and so in every task)."""
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

    url_filter = per_task_filter() if name == "datatrove" else OfflineURLFilter()
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


def rss_mb() -> float:
    """This process's resident memory now, MB (Linux)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def load_lists(name: str, urls: list[str], cache: str) -> dict:
    """In a fresh process: one filter's list loading (CPU s, RSS added), then its verdicts on `urls`."""
    os.environ["SMOLCORPUS_CACHE"] = cache
    from datatrove.data import Document

    from smolcorpus.filters.url_filter import OfflineURLFilter

    url_filter = per_task_filter() if name == "datatrove" else OfflineURLFilter()
    before, cpu = rss_mb(), time.process_time()
    url_filter.download_data()
    cpu, added = time.process_time() - cpu, rss_mb() - before
    verdicts = [url_filter.filter(Document(text="", id=url, metadata={"url": url})) for url in urls]
    peak = peak_rss_mb()
    return {"cpu": cpu, "added": added, "peak": peak, "verdicts": verdicts}


def page_urls() -> list[str]:
    from smolcorpus.readers.warc import WarcHtmlReader

    return [page.metadata["url"] for page in WarcHtmlReader([str(SHARED_DATA / "warc")]).run()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="4 tasks instead of 16")
    args = parser.parse_args()
    if not (SHARED_DATA / "warc").is_dir():
        sys.exit(f"the real WARCs are not at {SHARED_DATA / 'warc'} (set SMOLCORPUS_SHARED_DATA)")
    tasks = 4 if args.quick else 16
    with tempfile.TemporaryDirectory(prefix="bench-url-filter-") as tmp:
        urls, empty = page_urls(), str(Path(tmp) / "empty-cache")
        # the build into an empty cache (once per machine and list version), then a task that finds it built
        loads = {"mapped, first build": in_child(load_lists, "mapped", urls, empty),
                 "datatrove": in_child(load_lists, "datatrove", urls, empty),
                 "mapped": in_child(load_lists, "mapped", urls, empty)}  # fmt: skip
        os.environ["SMOLCORPUS_CACHE"] = empty  # the stage's tasks find the hashes built
        documents = build_input(Path(tmp) / "input", tasks)
        # each path in its own process: what one loads must not serve the other
        results = {name: in_child(run_path, name, Path(tmp) / "input", Path(tmp) / name, tasks)
                   for name in ("datatrove", "mapped")}  # fmt: skip
    assert all(load["verdicts"] == loads["datatrove"]["verdicts"] for load in loads.values()), "verdicts differ"
    print(f"\nURL block lists in one task (fresh process), then its verdicts on {len(urls)} page URLs\n")
    print(f"{'path':<22}{'load CPU s':>11}{'RSS added MB':>14}{'peak RSS MB':>13}")
    for name, load in loads.items():
        print(f"{name:<22}{load['cpu']:>11.2f}{load['added']:>14,.0f}{load['peak']:>13,.0f}")
    base = results["datatrove"]
    assert results["mapped"]["kept"] == base["kept"], "the two paths kept different documents"
    print(f"\nURL filter stage: {tasks} tasks on {WORKERS} workers, {documents:,} documents "
          f"({len(base['kept']):,} kept by both)\n")  # fmt: skip
    print(f"{'path':<14}{'wall s':>9}{'CPU s':>9}{'CPU vs base':>13}")
    for name, result in results.items():
        print(f"{name:<14}{result['seconds']:>9.1f}{result['cpu']:>9.1f}{base['cpu'] / result['cpu']:>12.2f}x")


def in_child(function, *args):
    """`function(*args)` in a fresh (spawned) process: nothing one path loads serves another."""
    import concurrent.futures
    import multiprocessing

    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


if __name__ == "__main__":
    main()
