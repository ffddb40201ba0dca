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
        from smolcorpus.config.base import default_of

        args.timeout = default_of(FineMathConfig, "extraction_timeout")
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
    from smolcorpus.extraction.explain import explain, summary_line

    if explain_only:
        print(explain(result, name))
        return
    print(summary_line(result, name), file=sys.stderr)
    print(result.text)


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
