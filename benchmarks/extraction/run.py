"""Math extraction benchmark: formulas kept per markup kind, article and forum main-text F1, pages/s/core.

Three extractors on the same pages, one core:

  smolcorpus    `extract_math_text` (formulas → TeX, main content, Markdown)
  trafilatura   datatrove's `Trafilatura` step with its default settings (precision, plain text)
  resiliparse   resiliparse's `extract_plain_text(main_content=True)` (what OpenWebMath built on)

Formulas: every page of ../shared/data/math_dev (curated formula lists, INDEX.jsonl) and math_html (the TeX each
page carries in its source, `formula_inventory`). "exact" = the formula's TeX, whitespace removed, is in the text;
"loose" = the same after `notation_key` (style/spacing commands, braces and symbol spellings forgiven; see
src/smolcorpus/extraction/formula_recall.py). Kinds whose ground truth is approximate are marked `~` (the list says
why). Negative pages (math_dev's `$` amounts and backticks) count formulas invented.

Main text: token F1 against the human ground truth of extraction_gt's article-extraction benchmark (181 pages)
and magic-html's article (65) and forum (80) pages.

Speed is CPU time (time.process_time) on one core, after one warm-up page each: pages per second over every page,
and milliseconds per page on the 46 math pages (math_dev's negatives are not math; the FineMath benchmark's math
pages) and on the article and forum pages.

    python benchmarks/extraction/run.py            # everything
    python benchmarks/extraction/run.py --quick    # math pages and 40 article/forum pages
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("SMOLCORPUS_SHARED_DATA", ROOT / ".." / "shared" / "data"))
sys.path.insert(0, str(ROOT / "src"))

from smolcorpus.extraction.formula_recall import formula_inventory, kept  # noqa: E402


def read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def extractors() -> dict:
    from datatrove.pipeline.extractors import Trafilatura
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    from smolcorpus.extraction.math_extractor import extract_math_text

    plain = Trafilatura(timeout=30)
    return {
        "smolcorpus": lambda page, url: extract_math_text(page, url=url).text,
        "trafilatura": lambda page, url: plain.extract(page.decode("utf-8", errors="replace")) or "",
        "resiliparse": lambda page, url: extract_plain_text(
            HTMLTree.parse(page.decode("utf-8", errors="replace")), main_content=True
        ),
    }


APPROXIMATE = re.compile(r"approximate|NOT determined|whole page|conversion-dependent", re.IGNORECASE)


def math_pages() -> list[dict]:
    """Every math page: file, kind, url, formulas, whether its list is approximate (and why)."""
    pages = []
    for line in (SHARED_DATA / "math_dev" / "INDEX.jsonl").read_text().splitlines():
        entry = json.loads(line)
        why = APPROXIMATE.search(entry["notes"] + " " + entry["formula_source"])
        pages.append({"set": "math_dev", "file": entry["file"], "kind": entry["category"], "url": entry["url"],
                      "formulas": entry["formulas"], "page": read(SHARED_DATA / "math_dev" / entry["file"]),
                      "approximate": why[0] if why else None})  # fmt: skip
    for line in (SHARED_DATA / "math_html" / "INDEX.jsonl").read_text().splitlines():
        entry = json.loads(line)
        markers, name = entry["markers"], entry["file"]
        if "d_math" in markers:
            kind = "distill-d-math"
        elif "annotation_x_tex" in markers:
            kind = "wikipedia-mathml"
        elif "mathjax_demo" in name:
            kind = "mathjax-demo"
        else:
            kind = "mathjax-rendered-page"
        page = read(SHARED_DATA / name)
        url = entry.get("url") or ""
        pages.append({"set": "math_html", "file": name, "kind": kind, "url": url if url.startswith("http") else None,
                      "formulas": formula_inventory(page), "page": page, "approximate": None})  # fmt: skip
    return pages


def article_pages(limit: int | None) -> list[tuple[str, bytes, str]]:
    """(set, page, ground-truth text) for the article and forum ground truth."""
    out = []
    gt = SHARED_DATA / "extraction_gt"
    truth = json.loads((gt / "article_extraction_benchmark" / "ground-truth.json").read_text())
    for key, value in sorted(truth.items())[:limit]:
        out.append(("articles (AEB, 181)", read(gt / "article_extraction_benchmark" / "html" / f"{key}.html.gz"),
                    value["articleBody"]))  # fmt: skip
    for kind in ("article", "forum"):
        truth = json.loads((gt / "magic_html_benchmark" / f"groundtruth_{kind}.json").read_text())
        for key, value in sorted(truth.items())[:limit]:
            out.append((f"magic-html {kind}s ({len(truth)})",
                        read(gt / "magic_html_benchmark" / kind / f"{key}.html.gz"), value["content"]))  # fmt: skip
    return out


def token_f1(predicted: str, truth: str) -> float:
    a, b = Counter(re.findall(r"\w+", predicted.lower())), Counter(re.findall(r"\w+", truth.lower()))
    common = sum((a & b).values())
    return 0.0 if not common else 2 * common / (sum(a.values()) + sum(b.values()))


def invented_formulas(text: str) -> int:
    """Formula delimiters in the text of a page without math ($ amounts escaped by Markdown do not count)."""
    return len(re.findall(r"(?<!\\)\$\$?[^$\n]{1,200}?(?<!\\)\$", text)) + len(re.findall(r"\\\(|\\\[", text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="math pages and the first 40 pages of each F1 set")
    parser.add_argument("--show", metavar="SUBSTRING", help="print smolcorpus's misses on pages matching this")
    args = parser.parse_args()
    if not SHARED_DATA.is_dir():
        sys.exit(f"needs ../shared/data (or SMOLCORPUS_SHARED_DATA); not found at {SHARED_DATA}")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    systems = extractors()
    from smolcorpus.extraction.math_extractor import WARMUP_PAGE

    for extract in systems.values():  # lazy set-up (the AsciiMath grammar: 0.45 s) is paid once a task, not a page
        extract(WARMUP_PAGE.encode(), None)
    pages = math_pages()
    articles = article_pages(40 if args.quick else None)
    seconds, calls = Counter(), Counter()
    math_seconds, math_calls = Counter(), Counter()  # the math pages, negatives left out
    by_kind = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))  # kind → system → [formulas, exact, loose]
    per_set = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    invented = defaultdict(int)
    approximate = {}
    for page in pages:
        for name, extract in systems.items():
            started = time.process_time()
            text = extract(page["page"], page["url"])
            spent = time.process_time() - started
            seconds[name] += spent
            calls[name] += 1
            if "negative" not in page["kind"]:
                math_seconds[name] += spent
                math_calls[name] += 1
            if not page["formulas"]:
                if "negative" in page["kind"]:
                    invented[name] += invented_formulas(text)
                continue
            exact, loose = kept(page["formulas"], text)
            for table, key in ((by_kind, page["kind"]), (per_set, page["set"])):
                row = table[key][name]
                row[0] += len(page["formulas"])
                row[1] += exact
                row[2] += loose
            if name == "smolcorpus" and args.show and args.show in page["file"]:
                _show_misses(page, text)
        if page["approximate"]:
            approximate[page["kind"]] = f"{Path(page['file']).name}: {page['approximate']}"

    f1 = defaultdict(lambda: defaultdict(list))
    for set_name, page, truth in articles:
        for name, extract in systems.items():
            started = time.process_time()
            text = extract(page, None)
            seconds[name] += time.process_time() - started
            calls[name] += 1
            f1[set_name][name].append(token_f1(text, truth))

    names = list(systems)
    print("\nFormulas kept, exact / notation-insensitive (% of the page's formulas)\n")
    print(f"| kind | pages | formulas | {' | '.join(names)} |")
    print("|---|---:|---:|" + "---:|" * len(names))
    pages_per_kind = Counter(p["kind"] for p in pages if p["formulas"])
    for kind in sorted(by_kind):
        row = by_kind[kind]
        total = row[names[0]][0]
        cells = " | ".join(f"{100 * row[n][1] / total:.0f} / {100 * row[n][2] / total:.0f}" for n in names)
        marker = " ~" if kind in approximate else ""
        print(f"| {kind}{marker} | {pages_per_kind[kind]} | {total} | {cells} |")
    for set_name in sorted(per_set):
        row = per_set[set_name]
        total = row[names[0]][0]
        cells = " | ".join(f"**{100 * row[n][1] / total:.1f} / {100 * row[n][2] / total:.1f}**" for n in names)
        print(f"| **all {set_name}** | | {total} | {cells} |")
    print(f"| negative pages: formulas invented | 2 | 0 | {' | '.join(str(invented[n]) for n in names)} |")
    print("\nMain-text token F1 (mean over pages)\n")
    print(f"| set | {' | '.join(names)} |")
    print("|---|" + "---:|" * len(names))
    for set_name, row in f1.items():
        print(f"| {set_name} | {' | '.join(f'{sum(row[n]) / len(row[n]):.4f}' for n in names)} |")
    print("\nSpeed on all of the pages above, CPU time on one core\n")
    print("| extractor | pages | pages/s/core | time vs trafilatura | ms/page, math pages | ms/page, others |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in names:
        ratio = seconds[name] / seconds["trafilatura"]
        math_ms = 1000 * math_seconds[name] / math_calls[name]
        other_ms = 1000 * (seconds[name] - math_seconds[name]) / (calls[name] - math_calls[name])
        print(
            f"| {name} | {calls[name]} | {calls[name] / seconds[name]:.1f} | {ratio:.2f}x | {math_ms:.1f} | "
            f"{other_ms:.1f} |"
        )
    if approximate:
        print("\n~ approximate ground truth:")
        for kind, why in sorted(approximate.items()):
            print(f"  {kind}: {why}")


def _show_misses(page: dict, text: str) -> None:
    from smolcorpus.extraction.formula_recall import notation_key

    loose_text = notation_key(text)
    for formula in page["formulas"]:
        if notation_key(formula) not in loose_text:
            print(f"MISS {Path(page['file']).name}: {formula[:200]!r}")


if __name__ == "__main__":
    main()
