"""FineMath front end benchmark: WARC records/s/core and math-page recall, on the same WARC in one run:

  datatrove-plain     datatrove WarcReader → Trafilatura (the baseline, 1.00x)
  reader              WarcHtmlReader alone (fastwarc; decoding): the floor, what no path can beat
  reader+prefilter    WarcHtmlReader with the MathPrefilter inside (on each page's raw bytes)
  smolcorpus-full     WarcHtmlReader → MathExtractor → language ID (every HTML page extracted)
  smolcorpus-prefilt  WarcHtmlReader with the MathPrefilter inside → MathExtractor → language ID (the pipeline's
                      front end)

Input, built to look like Common Crawl: one gzipped WARC of the real pages of ../shared/data at their real sizes
(170 KB on average): the 619 non-math pages of the extraction ground truth (news, blogs, forums, test pages, and
math_dev's negatives) `copies` times, and the 44 math pages of math_html/ and math_dev/ once, shuffled: 1.4% math
with 5 copies (a web-like rate; FineMath found a few percent). Each path runs in a fresh process, on the input and
on one record (its startup: models, the extraction sandbox, the AsciiMath grammar); rates are records per second on
one core after startup, which a task pays once for tens of thousands of records; recall is the share of math pages
a path returns with text. `× floor` is a path's time per record over the reader's: how far it is from the limit
that reading the WARC sets (the goal: within about 3× of it). The last column extrapolates to a 3-billion-page
snapshot (CPU-hours = 3e9 / rate / 3600).

Then each stage of the `finemath` pipeline on the same input, one task in its own process on one core, with its
peak RSS (URL filter lists and MinHash clustering included).

    python benchmarks/finemath/run.py           # 5 copies of the non-math pages: 3,139 records, 1.4% math
    python benchmarks/finemath/run.py --quick   # 1 copy: 663 records, 6.6% math
    python benchmarks/finemath/run.py --repeat 3  # each path 3 times, the fastest kept (a machine whose speed varies)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("SMOLCORPUS_SHARED_DATA", ROOT / ".." / "shared" / "data"))


def stage_tools():
    """The stack_edu benchmark's per-stage runner (each stage in a child process pinned to one core)."""
    spec = importlib.util.spec_from_file_location("stack_edu_bench", ROOT / "benchmarks" / "stack_edu" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_input(folder: Path, copies: int) -> set[str]:
    sys.path.insert(0, str(ROOT))
    from tests.extraction.web_pages import labelled_pages, write_pages_warc

    return write_pages_warc(labelled_pages(SHARED_DATA), folder / "web.warc.gz", copies=copies)


def build_startup_input(folder: Path) -> None:
    """A WARC of one record: math_dev's AsciiMath page, so that what every path loads once per task (models, the
    extraction sandbox, the AsciiMath grammar built on the first AsciiMath formula) is timed on its own."""
    from tests.extraction.web_pages import write_pages_warc

    entries = [json.loads(line) for line in (SHARED_DATA / "math_dev" / "INDEX.jsonl").read_text().splitlines()]
    page = next(SHARED_DATA / "math_dev" / e["file"] for e in entries if e.get("category") == "asciimath")
    write_pages_warc([(page, True)], folder / "one.warc.gz")


class PlainWarcReader:
    """datatrove's WarcReader file by file: it raises on a truncated gzip WARC (there is one in ../shared/data/warc);
    the rest of that file is lost and counted here as `failed_files`, so the baseline can finish."""

    def __init__(self, folder: Path):
        from datatrove.utils.stats import MetricStatsDict

        self.files = sorted(folder.iterdir())
        self.stats = type("Stats", (), {"stats": MetricStatsDict()})()
        self.failed_files = 0

    def run(self, data=None, rank: int = 0, world_size: int = 1):
        from datatrove.pipeline.readers import WarcReader

        for path in self.files:
            reader = WarcReader(str(path.parent), glob_pattern=path.name)
            try:
                for document in reader.run(rank=0, world_size=1):
                    self.stats.stats["documents"] += 1
                    yield document
            except (EOFError, OSError):
                self.failed_files += 1


def measure(steps: list, math_urls: set[str]) -> dict:
    found, started = set(), time.perf_counter()
    data = None
    for step in steps:
        data = step.run(data, rank=0, world_size=1)
    for document in data:
        url = document.metadata.get("url")
        if url in math_urls and document.text.strip():
            found.add(url)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "recall": len(found) / len(math_urls) if math_urls else None}


PATHS = ("datatrove-plain", "reader", "reader+prefilter", "smolcorpus-full", "smolcorpus-prefilt")


def path_steps(name: str, folder: Path) -> list:
    from datatrove.pipeline.extractors import Trafilatura

    from smolcorpus.extraction.math_extractor import MathExtractor
    from smolcorpus.filters.language_id import FastTextLanguageID
    from smolcorpus.filters.math_prefilter import MathPrefilter
    from smolcorpus.readers.warc import WarcHtmlReader

    paths = [str(folder)]

    def prefiltered() -> list:  # as the pipeline runs it: on each page's raw bytes inside the reader
        prefilter = MathPrefilter()
        return [WarcHtmlReader(paths, prefilter=prefilter), prefilter]

    return {
        "datatrove-plain": lambda: [PlainWarcReader(folder), Trafilatura(favour_precision=True, timeout=5)],
        "reader": lambda: [WarcHtmlReader(paths)],
        "reader+prefilter": prefiltered,
        "smolcorpus-full": lambda: [WarcHtmlReader(paths), MathExtractor(), FastTextLanguageID()],
        "smolcorpus-prefilt": lambda: [*prefiltered(), MathExtractor(), FastTextLanguageID()],
    }[name]()


def _measure_path(name: str, folder: Path, math_urls: set[str]) -> dict:
    return measure(path_steps(name, folder), math_urls)


def run_path(name: str, folder: Path, math_urls: set[str]) -> dict:
    """`measure` of one path in a fresh process (forked: nothing the path loads is shared with another path)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        return pool.submit(_measure_path, name, folder, math_urls).result()


def fastest(name: str, folder: Path, math_urls: set[str], repeat: int) -> dict:
    """`run_path` `repeat` times, the run with the fewest seconds."""
    return min((run_path(name, folder, math_urls) for _ in range(max(1, repeat))), key=lambda r: r["seconds"])


def count_records(reader) -> int:
    return int(reader.stats.stats["records"].total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run each path N times (each in a fresh process) and keep the fastest: where the "
                        "machine's speed varies (a shared VM), it is the run least slowed by others")  # fmt: skip
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from smolcorpus.readers.warc import WarcHtmlReader

    with tempfile.TemporaryDirectory(prefix="smolcorpus-finemath-bench-") as tmp:
        folder = Path(tmp) / "warcs"
        folder.mkdir()
        math_urls = build_input(folder, 1 if args.quick else 5)
        paths = [str(folder)]
        folder_records = WarcHtmlReader(paths)
        for _ in folder_records.run():
            pass
        startup_folder = Path(tmp) / "startup"
        startup_folder.mkdir()
        build_startup_input(startup_folder)
        # each path twice, each time in a fresh process: on the input, and on one record (its once-per-task costs)
        rows = [(name, fastest(name, folder, math_urls, args.repeat), run_path(name, startup_folder, set()))
                for name in PATHS]  # fmt: skip
        tools = stage_tools()
        config = {"pipeline": "finemath", "name": "bench", "output_dir": str(Path(tmp) / "pipeline"),
                  "finemath": {"warc": {"paths": paths}}, "executor": {"tasks": 1, "workers": 1}}  # fmt: skip
        config_path = Path(tmp) / "config.json"
        config_path.write_text(json.dumps(config))
        from smolcorpus.config import validate_config
        from smolcorpus.run import plan_config

        stage_names = [stage.name for stage in plan_config(validate_config(config))[1]]
        stages = [(name, tools.run_child(name, config_path)) for name in stage_names]

    records = count_records(folder_records)
    # the steady rate leaves out what a task pays once (a Common Crawl task reads ≈ 35,000 records a WARC file)
    steady = {name: max(r["seconds"] - startup["seconds"], 1e-9) for name, r, startup in rows}
    base, floor = records / steady["datatrove-plain"], records / steady["reader"]
    print(f"\nfinemath front end: {records:,} WARC records ({len(math_urls)} math pages, "
          f"{len(math_urls) / records:.1%}), one core\n")  # fmt: skip
    print(f"{'path':<20}{'seconds':>9}{'startup s':>11}{'records/s/core':>16}{'ms/record':>11}{'vs plain':>10}"
          f"{'× floor':>9}{'math recall':>13}{'CPU-h/3B pages':>16}")  # fmt: skip
    for name, r, startup in rows:
        rate = records / steady[name]
        label = f"{name} (floor)" if name == "reader" else name
        print(f"{label:<20}{r['seconds']:>9.2f}{startup['seconds']:>11.2f}{rate:>16,.1f}{1000 / rate:>11.2f}"
              f"{rate / base:>9.2f}x{floor / rate:>8.2f}x{r['recall']:>12.0%}{3e9 / rate / 3600:>16,.0f}")  # fmt: skip
    read, prefilter = steady["reader"], steady["reader+prefilter"] - steady["reader"]
    rest = steady["smolcorpus-prefilt"] - steady["reader+prefilter"]
    total = steady["smolcorpus-prefilt"]
    print(f"\nrecords/s/core = records / (seconds - startup s), startup = the same path on one record in a fresh "
          f"process\nwhere the front end's time goes: reading {read / total:.0%}, prefilter {prefilter / total:.0%}, "
          f"extraction + language ID of the pages it passes {rest / total:.0%}")  # fmt: skip
    front_end = records / steady["smolcorpus-prefilt"]
    print(f"floor: the reader alone, {floor:,.1f} records/s/core ({3e9 / floor / 3600:,.0f} CPU-hours a snapshot); "
          f"the front end takes {floor / front_end:.2f}× its time per record")  # fmt: skip
    print("target: ≥ 830 records/s/core for smolcorpus-prefilt (≤ 1,000 CPU-hours a snapshot), "
          "recall 100%, filter stage peak RSS ≤ 500 MB")  # fmt: skip
    print("\nfinemath stages, one task each (own process, one core)\n")
    print(f"{'stage':<22}{'seconds':>9}{'peak RSS MB':>13}")
    for name, r in stages:
        print(f"{name:<22}{r['seconds']:>9.2f}{r['rss_mb']:>13,.0f}")


if __name__ == "__main__":
    main()
