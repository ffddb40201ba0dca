"""`smolcorpus report`: a run's HTML report."""

from __future__ import annotations

import argparse
import sys


def cmd_report(args: argparse.Namespace) -> int:
    from smolcorpus.report import unfinished_stages, write_report

    print(f"report written to {write_report(args.run_dir, args.output)}")
    if unfinished := unfinished_stages(args.run_dir):
        print(f"warning: no stats.json for {', '.join(unfinished)}: these stages did not finish (the report says so)",
              file=sys.stderr)  # fmt: skip
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="write a run's HTML report (funnel, samples, scores, tokens)",
                            description="Turn a run's datatrove stats, summary and samples into one self-contained "
                            "HTML file with PNG charts: documents, characters and tokens per stage, languages and "
                            "domains, classifier score histograms with their thresholds, sample documents per drop "
                            "reason and kept group, the funnel per step, tokens per subset/language and throughput "
                            "per stage. `smolcorpus run` writes it at the end.")  # fmt: skip
    report.add_argument("run_dir", help="the output folder of `smolcorpus run`")
    report.add_argument("--output", help="where to write (default: RUN_DIR/report.html)")
    report.set_defaults(func=cmd_report)
