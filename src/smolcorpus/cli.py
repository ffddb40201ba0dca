"""The `smolcorpus` command. Thin by design: parse arguments, load the config, call into the packages."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from smolcorpus import __version__
from smolcorpus.errors import InputFileError, SmolcorpusError


def _add_quiet_flag(parser: argparse.ArgumentParser) -> None:
    """`--quiet` after the command too (`smolcorpus demo --quiet`); SUPPRESS keeps the top-level value otherwise."""
    parser.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="no progress bars and no datatrove logs on the console (logs/ keeps them)")  # fmt: skip


def _add_executor_flags(parser: argparse.ArgumentParser, default_executor: str | None = None) -> None:
    _add_quiet_flag(parser)
    parser.add_argument("--executor", choices=["local", "slurm", "ray"], default=default_executor,
                        help="override executor.kind")  # fmt: skip
    parser.add_argument("--tasks", type=int, help="override executor.tasks (shards of the input)")
    parser.add_argument("--workers", type=int, help="override executor.workers (tasks at once)")
    parser.add_argument("--dry-run", action="store_true", help="validate and print the stages, run nothing")
    parser.add_argument("--no-wait", action="store_true", help="Slurm: return after submitting the jobs")


def _executor_overrides(args: argparse.Namespace) -> dict:
    overrides = {}
    for flag, key in (("executor", "executor.kind"), ("tasks", "executor.tasks"), ("workers", "executor.workers")):
        if getattr(args, flag, None) is not None:
            overrides[key] = getattr(args, flag)
    return overrides


def cmd_run(args: argparse.Namespace) -> int:
    from smolcorpus.config import load_config

    config = load_config(args.config, overrides=_executor_overrides(args))
    return _run(config, args, config_file=args.config)


def cmd_tokenize(args: argparse.Namespace) -> int:
    from smolcorpus.config import validate_config

    data = {
        "pipeline": "tokenize",
        "name": "tokenize",
        "output_dir": args.output,
        "input": {"paths": args.inputs, "text_column": args.text_column, "id_column": args.id_column},
        "tokenize": {
            "tokenizer": args.tokenizer,
            "eos_token": args.eos_token,
            "pack_length": args.pack_length,
            "carry_columns": args.carry or [],
            "nanotron": args.nanotron,
        },
        "executor": {"kind": args.executor or "local", "tasks": args.tasks or _default_tasks(args.inputs)},
    }
    if args.workers is not None:
        data["executor"]["workers"] = args.workers
    if data["executor"]["kind"] == "slurm":
        raise SmolcorpusError("tokenize --executor slurm needs a partition: write a config and use `smolcorpus run`")
    config = validate_config(data, source="smolcorpus tokenize")
    return _run(config, args, config_file=None)


def _default_tasks(inputs: list[str]) -> int:
    """One task per input file, at most one per CPU."""
    from smolcorpus.readers import list_document_files

    try:
        n_files = len(list_document_files(inputs))
    except SmolcorpusError:
        return 1  # the config validation that follows reports the bad path
    return max(1, min(n_files, os.cpu_count() or 1))


def _run(config, args: argparse.Namespace, config_file: str | None) -> int:
    from smolcorpus.run import plan_config, run_config

    if getattr(args, "estimate", False):
        from smolcorpus.estimate import estimate_run

        print(estimate_run(config, sample_count=args.sample).render())
        return 0
    if args.dry_run:
        config, stages = plan_config(config)
        print(f"config OK: pipeline '{config.pipeline}', executor {config.executor.kind}, output {config.output_dir}")
        for stage in stages:
            steps = ", ".join(type(step).__name__ for step in stage.pipeline)
            print(f"  stage {stage.name}: {stage.tasks} task(s): {steps}")
        return 0
    print(run_config(config, config_file=config_file, wait=not args.no_wait, quiet=args.quiet).render())
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from smolcorpus.demo import run_demo

    print(run_demo(Path(args.output), tasks=args.tasks, workers=args.workers, quiet=args.quiet))
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from smolcorpus.filters.math_extractor import extract_math_text
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
    for url, html in pages:
        result = extract_math_text(html, url=url, inventory=args.explain)
        if args.explain:
            print(explain(result, url or path.name))
            continue
        found = ", ".join(f"{kind} {n}" for kind, n in sorted(result.math.found.items())) or "none"
        print(f"<!-- {url or path.name}: formulas: {found}; {len(result.text):,} characters -->", file=sys.stderr)
        print(result.text)
    return 0


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


def cmd_publish(args: argparse.Namespace) -> int:
    from smolcorpus.publish import publish_run

    if args.quiet:  # the bars of the `datasets` load check and of the upload
        import datasets
        import huggingface_hub

        datasets.disable_progress_bars()
        huggingface_hub.utils.disable_progress_bars()
    result = publish_run(args.output_dir, args.repo_id, args.staging, args.license, args.dry_run, args.private)
    for subset in result.subsets:
        tokens = f", {subset.tokens:,} tokens" if subset.tokens is not None else ""
        print(f"  {subset.name}: {result.rows[subset.name]:,} rows load with datasets{tokens}")
    print(f"staged {result.staged} (README.md dataset card + data/<subset>/)")
    print(f"uploaded: {result.commit_url}" if result.commit_url else "dry run: nothing uploaded")
    return 0


def cmd_mix(args: argparse.Namespace) -> int:
    from smolcorpus.config import load_mix_config
    from smolcorpus.tokenize.mixture import build_mixture, format_mixture

    config = load_mix_config(args.config)
    if args.seed is not None:
        config = config.model_copy(update={"seed": args.seed})
    print(format_mixture(build_mixture(config, progress=not args.quiet)))
    print(f"written to {config.output_dir}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from smolcorpus.report import unfinished_stages, write_report

    print(f"report written to {write_report(args.run_dir, args.output)}")
    if unfinished := unfinished_stages(args.run_dir):
        print(f"warning: no stats.json for {', '.join(unfinished)}: these stages did not finish (the report says so)",
              file=sys.stderr)  # fmt: skip
    return 0


def cmd_version(args: argparse.Namespace) -> int:
    print(f"smolcorpus {__version__}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smolcorpus",
        description="Build FineMath- and Stack-Edu-style pretraining corpora on datatrove.",
    )
    parser.add_argument("--version", action="version", version=f"smolcorpus {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress bars and no datatrove logs on the console (logs/ keeps them)")  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the pipeline a YAML config describes",
                         description="Run the pipeline described by CONFIG on the local, Slurm or Ray executor. "
                         "Rerunning skips completed tasks.")  # fmt: skip
    run.add_argument("config", help="YAML config file (see configs/)")
    run.add_argument("--estimate", action="store_true",
                     help="run the pipeline on a sample of the input (one task, one core, a temporary folder) and "
                     "print per-stage CPU time, pass rates, and the CPU-hours, records, output bytes and tokens "
                     "extrapolated to the whole input; writes nothing to output_dir")  # fmt: skip
    run.add_argument(
        "--sample",
        type=int,
        default=1,
        metavar="N",
        help="--estimate: input units to sample (WARC files, files or repositories; default 1)",
    )
    _add_executor_flags(run)
    run.set_defaults(func=cmd_run)

    tok = sub.add_parser("tokenize", help="tokenize Parquet/JSONL documents into Parquet token shards",
                         description="Tokenize documents into Parquet token shards with a manifest.json "
                         "(one row per document, end-of-text appended; or packed fixed-length rows).")  # fmt: skip
    tok.add_argument("inputs", nargs="+", metavar="INPUT", help="Parquet, JSONL(.gz) or CSV/TSV files, or folders")
    tok.add_argument("--output", required=True, help="output folder for shards and manifest.json")
    tok.add_argument("--tokenizer", help="Hub id, folder, tokenizer.json or .gguf (default: SmolLM2, offline)")
    tok.add_argument("--eos-token", default="<|endoftext|>", help="appended to each document")
    tok.add_argument("--text-column", default="text")
    tok.add_argument("--id-column", default="id")
    tok.add_argument("--carry", action="append", metavar="COLUMN", help="copy this input column into the shards")
    tok.add_argument("--pack-length", type=int, help="write fixed rows of N+1 tokens instead of documents")
    tok.add_argument("--nanotron", action="store_true", help="also write nanotron .ds files (datatrove)")
    _add_executor_flags(tok)
    tok.set_defaults(func=cmd_tokenize)

    demo = sub.add_parser("demo", help="a first end-to-end run on documents and models that install offline",
                          description="Collect real documents shipped with this Python installation, tokenize "
                          "them with the SmolLM2 tokenizer, read them back as training sequences, and print a "
                          "summary.")  # fmt: skip
    demo.add_argument("--output", default="out/demo", help="output folder (default: out/demo)")
    _add_quiet_flag(demo)
    demo.add_argument("--tasks", type=int, default=4)
    demo.add_argument("--workers", type=int, default=2)
    demo.set_defaults(func=cmd_demo)

    extract = sub.add_parser("extract", help="print a page's math-preserving extraction (Markdown with TeX)",
                             description="Extract one HTML file, or the HTML responses of a WARC file, the way the "
                             "finemath pipeline does: formulas become $...$ / $$...$$ TeX, then trafilatura writes "
                             "Markdown. Formula counts go to stderr.")  # fmt: skip
    extract.add_argument("file", help="an .html file, or a .warc/.warc.gz file")
    extract.add_argument("--url", help="the page's URL (for an HTML file), or which WARC record to extract")
    extract.add_argument("--explain", action="store_true",
                         help="instead of the text, print how the main content was chosen, the formulas found and "
                         "kept per markup kind, and each formula that did not reach the text")  # fmt: skip
    extract.set_defaults(func=cmd_extract)

    mix = sub.add_parser("mix", help="build a training stage's mixture of token folders",
                         description="Give each source (a token folder) its share of the stage's token budget, "
                         "sampling whole documents (seeded), and write mixed shards + manifest, or a weights file "
                         "for trainers that mix on the fly. Prints the realized shares.")  # fmt: skip
    mix.add_argument("config", help="mixture YAML (examples: configs/mixtures/)")
    mix.add_argument("--seed", type=int, help="override the config's seed")
    _add_quiet_flag(mix)
    mix.set_defaults(func=cmd_mix)

    report = sub.add_parser("report", help="write a run's HTML report (funnel, scores, tokens, throughput)",
                            description="Turn a run's datatrove stats into one self-contained HTML file with PNG "
                            "charts: the funnel per stage and step, classifier score histograms, tokens per "
                            "subset/language and throughput per stage. `smolcorpus run` writes it at the "
                            "end.")  # fmt: skip
    report.add_argument("run_dir", help="the output folder of `smolcorpus run`")
    report.add_argument("--output", help="where to write (default: RUN_DIR/report.html)")
    report.set_defaults(func=cmd_report)

    publish = sub.add_parser("publish", help="stage a finished run as a Hub dataset (card + subsets) and upload it",
                             description="Stage OUTPUT_DIR as a dataset repository (data/<subset>/*.parquet and a "
                             "README dataset card with one config per subset), check that every subset loads with "
                             "`datasets`, then upload it (unless --dry-run). The Hub token comes from HF_TOKEN or "
                             "the saved login.")  # fmt: skip
    publish.add_argument("output_dir", help="the output folder of a finished `smolcorpus run`")
    publish.add_argument("--repo-id", required=True, help="ORG/NAME of the dataset repository")
    publish.add_argument("--private", action="store_true")
    publish.add_argument("--dry-run", action="store_true", help="stage and verify only")
    publish.add_argument("--staging", help="where to stage (default: OUTPUT_DIR/publish/ORG__NAME)")
    publish.add_argument("--license", help="license id for the card (default: odc-by for finemath, else other)")
    _add_quiet_flag(publish)
    publish.set_defaults(func=cmd_publish)

    from smolcorpus.cli_classifiers import add_annotate_command, add_classifier_commands

    add_annotate_command(sub)
    add_classifier_commands(sub)

    version = sub.add_parser("version", help="print the version")
    version.set_defaults(func=cmd_version)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SmolcorpusError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
