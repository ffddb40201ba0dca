"""What every rule-based step of `finemath` drops, on real math pages and on real junk, by step and reason.

Two sets, both real pages of ../shared/data:

  math   every math page: math_html/INDEX.jsonl (Distill, MathJax demos, and the math pages inside extraction_gt)
         and math_dev/INDEX.jsonl without its negative pages: 46 pages, 4 of them Chinese
  junk   the pages of `junk_pages.tsv` beside this file, labelled by hand: spam, adult, error, placeholder,
         navigation, listing and boilerplate pages from the shared crawl WARCs and the extraction ground truth

Each page becomes a document as the WARC reader makes it (decoded HTML, its URL; pages without one get
`https://<set><n>.page.example/<file>`), then goes through the filter stage's steps exactly as
`pipelines/finemath.py` builds them from a config (reader and writer left out), and the drop ledgers say which
step dropped it and why. Configurations:

  defaults     the shipped defaults
  before       the defaults of the previous release: Gopher repetition and quality on the whole text, language ID
               on the whole text (formulas included)
  +repetition  the defaults with Gopher's repetition rules on (on the prose)
  +quality     the defaults with Gopher's quality rules on (on the prose)
  +decontam    the defaults with decontamination against the shared benchmark sets (GSM8K, MATH-500, Minerva,
               AIME24, AMC23; 13-grams)

Then each optional rule's drops next to what the defaults already drop: a rule earns a place in the defaults only
if it removes junk that the defaults keep, without removing math. Last, every rule after extraction alone, on every
page of both sets as if it had reached the rule (no prefilter before it): what it would catch of junk that got
through, and what it costs in math. Language ID drops the Chinese math
pages on purpose (`languages: [en]`); the math share is also given over the English math pages.

    python benchmarks/finemath_filters/run.py            # every configuration
    python benchmarks/finemath_filters/run.py --quick    # defaults and before only
"""

from __future__ import annotations

import argparse
import csv
import functools
import gzip
import json
import os
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("SMOLCORPUS_SHARED_DATA", ROOT / ".." / "shared" / "data")).resolve()
sys.path.insert(0, str(ROOT / "src"))

CONTAMINATION = ["gsm8k_test.jsonl", "math500_test.jsonl", "minerva_math_test.jsonl", "aime24_test.jsonl",
                 "amc23_test.jsonl"]  # fmt: skip
CONFIGURATIONS = {
    "defaults": {},
    "before": {"quality": {"enabled": True, "repetition": True, "on_prose": False}},
    "+repetition": {"quality": {"repetition": True}},
    "+quality": {"quality": {"enabled": True}},
    "+decontam": {"decontamination": {"benchmarks": [str(SHARED_DATA / "contamination" / f) for f in CONTAMINATION]}},
}
LID_ON_PROSE = {"before": False}  # the configurations whose language ID reads the whole text


def read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def math_pages() -> list[dict]:
    """{id, page, url, language} of every math page (the Chinese ones are `zh`, from their text)."""
    pages = []
    for index, base in ((SHARED_DATA / "math_html" / "INDEX.jsonl", SHARED_DATA),
                        (SHARED_DATA / "math_dev" / "INDEX.jsonl", SHARED_DATA / "math_dev")):  # fmt: skip
        for line in index.read_text().splitlines():
            entry = json.loads(line)
            if entry.get("category", "").startswith("negative"):
                continue
            url = entry.get("url") or ""
            pages.append({"id": f"math:{entry['file']}", "html": read(base / entry["file"]),
                          "url": url if url.startswith("http") else None})  # fmt: skip
    return pages


@functools.cache
def warc_pages(file: str) -> list[tuple[str, bytes]]:
    """(url, body) of every HTML response of a shared WARC, read once (junk_pages.tsv names many of one file)."""
    from smolcorpus.readers.warc import html_records

    return list(html_records(str(SHARED_DATA / file)))


def junk_pages() -> list[dict]:
    """{id, page, url, kind} of every page of junk_pages.tsv."""
    lines = [line for line in (Path(__file__).parent / "junk_pages.tsv").read_text().splitlines()
             if not line.startswith("#")]  # fmt: skip
    pages = []
    for row in csv.DictReader(lines, delimiter="\t"):
        name = row["page"]
        if "#" in name:
            file, number = name.split("#")
            url, html = warc_pages(file)[int(number)]
        else:
            url, html = None, read(SHARED_DATA / name)
        pages.append({"id": f"junk:{name}", "html": html, "url": url, "kind": row["kind"]})
    return pages


def documents(pages: list[dict]):
    from datatrove.data import Document

    from smolcorpus.readers.warc import decode_html

    for number, page in enumerate(pages):
        text, _ = decode_html(page["html"], "text/html")
        url = page["url"] or f"https://{page['id'].split(':')[0]}{number}.page.example/{Path(page['id']).name}"
        yield Document(text=text or "", id=page["id"], metadata={"url": url})


def run_configuration(name: str, pages: list[dict]) -> dict[str, tuple[str, str]]:
    """page id → (step, reason) of every page the filter stage drops under configuration `name`."""
    from smolcorpus.config import FineMathConfig
    from smolcorpus.filters.language_id import FastTextLanguageID
    from smolcorpus.pipelines.finemath import _filter_steps
    from smolcorpus.pipelines.layout import CorpusLayout

    with tempfile.TemporaryDirectory() as folder:
        settings = FineMathConfig.model_validate({"warc": {"paths": [folder]}, **CONFIGURATIONS[name]})
        layout = CorpusLayout(folder)
        steps = _filter_steps(settings, layout)[1:-1]  # the WARC reader and the JSONL writer left out
        for step in steps:
            if isinstance(step, FastTextLanguageID):
                step.on_prose = LID_ON_PROSE.get(name, True)
        data = documents(pages)
        for step in steps:
            data = step.run(data, rank=0, world_size=1)
        for _ in data:
            pass
        for step in steps:  # ledgers are written when their step closes
            for writer in (getattr(step, "exclusion_writer", None), getattr(step, "drop_ledger", None)):
                if writer is not None:
                    writer.close()
        dropped = {}
        for ledger in Path(layout.ledgers).rglob("*.jsonl.gz"):
            with gzip.open(ledger, "rt") as lines:
                for line in lines:
                    record = json.loads(line)
                    dropped[record["id"]] = (record["step"], record["reason"])
    return dropped


@functools.cache
def extracted(page_id: str, html: bytes) -> str:
    """A page's extracted text, once per page for the views that run rules on every page."""
    from smolcorpus.extraction.math_extractor import extract_math_text

    return extract_math_text(html).text


def english_math_ids(pages: list[dict]) -> set[str]:
    """Math pages whose prose lid.176 reads as English with any score (the Chinese pages are not)."""
    from smolcorpus.filters.language_id import FastTextLanguageID
    from smolcorpus.filters.prose import prose_text

    lid = FastTextLanguageID()
    return {page["id"] for page in pages
            if lid.predict(prose_text(extracted(page["id"], page["html"])) or "x")[0] == "en"}  # fmt: skip


def rules_alone(pages: list[dict]) -> dict[str, dict[str, str]]:
    """rule → {page id: reason} for every page each post-extraction rule drops, run on every page's extraction."""
    from datatrove.data import Document
    from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter

    from smolcorpus.config import FineMathConfig, MathQualityConfig
    from smolcorpus.filters.decontamination import DecontaminationFilter, benchmark_from_file
    from smolcorpus.filters.language_id import FastTextLanguageID, LanguageScoreFilter
    from smolcorpus.filters.prose_quality import ProseGopherQuality, ProseGopherRepetition

    thresholds = MathQualityConfig().gopher_thresholds()
    defaults = FineMathConfig.model_validate({"warc": {"paths": [str(SHARED_DATA / "warc")]}})  # the config's
    benchmarks = [benchmark_from_file(str(SHARED_DATA / "contamination" / name)) for name in CONTAMINATION]
    rules = {
        "repetition (text)": GopherRepetitionFilter(),
        "repetition (prose)": ProseGopherRepetition(),
        "quality (text)": GopherQualityFilter(**thresholds),
        "quality (prose)": ProseGopherQuality(**thresholds),
        "decontamination": DecontaminationFilter(benchmarks, defaults.decontamination.n_gram),
    }
    languages = {"language (text)": FastTextLanguageID(), "language (prose)": FastTextLanguageID(on_prose=True)}
    language_filter = LanguageScoreFilter(tuple(defaults.languages), defaults.min_language_score)
    dropped: dict[str, dict[str, str]] = {name: {} for name in [*languages, *rules]}
    for page in pages:
        text = extracted(page["id"], page["html"])
        if not text.strip():
            continue  # the extraction step drops it (extraction_empty)
        for name, lid in languages.items():
            [tagged] = lid.run(iter([Document(text=text, id=page["id"])]))
            verdict = language_filter.filter(tagged)
            if verdict is not True:
                dropped[name][page["id"]] = verdict[1]
        for name, rule in rules.items():
            verdict = rule.filter(Document(text=text, id=page["id"]))
            if verdict is not True:
                dropped[name][page["id"]] = verdict[1]
    return dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the defaults and the previous defaults only")
    args = parser.parse_args()
    if not SHARED_DATA.is_dir():
        sys.exit(f"shared data not found at {SHARED_DATA}")
    math, junk = math_pages(), junk_pages()
    english = english_math_ids(math)
    names = ["defaults", "before"] if args.quick else list(CONFIGURATIONS)
    results = {name: run_configuration(name, math + junk) for name in names}

    print(f"\nmath pages: {len(math)} ({len(english)} English); junk pages: {len(junk)} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(Counter(p['kind'] for p in junk).items()))})\n")  # fmt: skip
    print("| configuration | math kept | English math kept | junk kept |")
    print("|---|---:|---:|---:|")
    for name, dropped in results.items():
        math_kept = [p["id"] for p in math if p["id"] not in dropped]
        english_kept = [i for i in math_kept if i in english]
        junk_kept = [p for p in junk if p["id"] not in dropped]
        print(f"| {name} | {len(math_kept)}/{len(math)} | {len(english_kept)}/{len(english)} "
              f"({100 * len(english_kept) / len(english):.1f}%) | {len(junk_kept)}/{len(junk)} |")  # fmt: skip

    print("\nDrops per step and reason (each page counted at the step that dropped it):\n")
    print("| configuration | step | reason | math pages | English math pages | junk pages |")
    print("|---|---|---|---:|---:|---:|")
    for name, dropped in results.items():
        counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        for page_id, key in dropped.items():
            is_math = page_id.startswith("math:")
            counts[key][0 if is_math else 2] += 1
            counts[key][1] += is_math and page_id in english
        for (step, reason), (m, e, j) in sorted(counts.items()):
            print(f"| {name} | {step} | {reason} | {m} | {e} | {j} |")

    if "defaults" in results and len(results) > 2:
        print("\nWhat each optional rule adds to the defaults (pages the defaults keep and the rule drops):\n")
        print("| rule | English math pages lost | junk pages removed | junk kinds removed |")
        print("|---|---:|---:|---|")
        base = results["defaults"]
        for name, dropped in results.items():
            if name in ("defaults", "before"):
                continue
            extra = [page_id for page_id in dropped if page_id not in base]
            lost = [i for i in extra if i in english]
            removed = [p for p in junk if p["id"] in extra]
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(Counter(p["kind"] for p in removed).items()))
            print(f"| {name} | {len(lost)} | {len(removed)} | {kinds} |")
        print("\nEnglish math pages the defaults drop:", sorted(i for i in base if i in english) or "none")

    print("\nEach rule alone on every page's extraction (as if every page reached it):\n")
    print("| rule | English math pages dropped | junk pages dropped | of the junk language ID keeps "
          "| reasons (math) | reasons (junk) |")  # fmt: skip
    print("|---|---:|---:|---:|---|---|")
    alone = rules_alone(math + junk)
    english_junk = [p["id"] for p in junk if p["id"] not in alone["language (prose)"]]
    for name, dropped in alone.items():
        on_math = Counter(reason for page_id, reason in dropped.items() if page_id in english)
        on_junk = Counter(reason for page_id, reason in dropped.items() if page_id.startswith("junk:"))
        caught = sum(page_id in dropped for page_id in english_junk)
        print(f"| {name} | {sum(on_math.values())}/{len(english)} | {sum(on_junk.values())}/{len(junk)} | "
              f"{caught}/{len(english_junk)} | "
              f"{', '.join(f'{k} {v}' for k, v in on_math.most_common())} | "
              f"{', '.join(f'{k} {v}' for k, v in on_junk.most_common())} |")  # fmt: skip


if __name__ == "__main__":
    main()
