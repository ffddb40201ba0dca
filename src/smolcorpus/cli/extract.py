"""`smolcorpus extract`: one page's (or one WARC's) math-preserving extraction, or how it was made."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from smolcorpus.errors import ConfigError, InputFileError


def cmd_extract(args: argparse.Namespace) -> int:
    from smolcorpus.extraction.math_extractor import extract_pages
    from smolcorpus.readers.warc import html_records

    path = Path(args.file)
    if not path.is_file():
        raise InputFileError(str(path), "no such file")
    if ".warc" in path.name or path.name.endswith(".arc.gz"):
        pages = [(url, html) for url, html in html_records(str(path)) if args.url in (None, url)]
        if not pages:
            raise InputFileError(str(path), f"no HTML response record{' for ' + args.url if args.url else ''}")
    else:
        pages = [(args.url, path.read_bytes())]
    if args.timeout is None:
        from smolcorpus.config import FineMathConfig

        args.timeout = FineMathConfig.model_fields["extraction_timeout"].default
    if args.timeout <= 0:
        raise ConfigError(f"--timeout must be a positive number of CPU seconds, not {args.timeout:g}")
    failed = 0
    for url, result in extract_pages(pages, args.timeout, args.explain):
        if result == "extraction_timeout":
            print(f"error: {url or path.name}: extraction took more than {args.timeout:g} s of CPU time (the "
                  "finemath pipeline drops such a page as extraction_timeout); --timeout SECONDS changes the "
                  "limit", file=sys.stderr)  # fmt: skip
        elif isinstance(result, str):
            print(f"error: {url or path.name}: {result.replace('extraction_error: ', 'extraction failed: ')}",
                  file=sys.stderr)  # fmt: skip
        else:
            _print(result, url or path.name, args.explain)
            continue
        failed += 1
    return 1 if failed else 0


def _print(result, name: str, explain_only: bool) -> None:
    if explain_only:
        print(explain(result, name))
        return
    # the page's formulas as every count has them (formula_count.page_formulas): the same total as --explain's
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(result.math.found.items()))
    found = f"{result.math.total} ({kinds})" if result.math.total else "none"
    print(f"<!-- {name}: formulas: {found}; {len(result.text):,} characters -->", file=sys.stderr)
    print(result.text)


def explain(result, name: str) -> str:
    """`extract --explain`: how the main content was chosen, formulas found and kept per kind, and the ones that
    did not reach the text."""
    lines = [f"{name}: {len(result.text):,} characters of text"]
    if result.main_content == "article":
        lines.append("main content: the article block trafilatura chose")
    else:
        lines.append(f"main content: {result.main_content}, each extracted (a thread, Q&A page or exercise list)")
    counts: dict[str, list[int]] = {}
    for formula in result.formulas:
        row = counts.setdefault(formula.kind, [0, 0])
        row[0] += 1
        row[1] += formula.kept
    lines.append(f"{'formulas by kind':<24}{'found':>7}{'kept':>7}")
    for kind, (found, kept) in sorted(counts.items()):
        lines.append(f"  {kind:<22}{found:>7}{kept:>7}")
    lines.append(f"  {'total':<22}{len(result.formulas):>7}{sum(f.kept for f in result.formulas):>7}")
    if result.math.errors:
        lines.append(f"broken formulas skipped (unparsable markup): {result.math.errors}")
    dropped = [f for f in result.formulas if not f.kept]
    if dropped:
        lines.append("not in the text (outside the main content, or in a block the extractor dropped):")
        lines += [f"  [{f.kind}] {f.tex if len(f.tex) <= 100 else f.tex[:97] + '...'}" for f in dropped]
    return "\n".join(lines)


def add_commands(sub: argparse._SubParsersAction) -> None:
    extract = sub.add_parser("extract", help="print a page's math-preserving extraction (Markdown with TeX)",
                             description="Extract one HTML file, or the HTML responses of a WARC file, the way the "
                             "finemath pipeline does: formulas become $...$ / $$...$$ TeX, then trafilatura writes "
                             "Markdown. Formula counts go to stderr.")  # fmt: skip
    extract.add_argument("file", help="an .html file, or a .warc/.warc.gz file")
    extract.add_argument("--url", help="the page's URL (for an HTML file), or which WARC record to extract")
    extract.add_argument("--explain", action="store_true",
                         help="instead of the text, print how the main content was chosen, the formulas found and "
                         "kept per markup kind, and each formula that did not reach the text")  # fmt: skip
    extract.add_argument("--timeout", type=float, metavar="SECONDS",
                         help="CPU seconds a page may take (default: the finemath pipeline's, "
                         "finemath.extraction_timeout's default); a slower page is an error")  # fmt: skip
    extract.set_defaults(func=cmd_extract)
