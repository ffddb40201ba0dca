"""`smolcorpus publish`: stage a finished run as a Hub dataset and upload it."""

from __future__ import annotations

import argparse

from smolcorpus.cli.flags import add_quiet_flag


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


def add_commands(sub: argparse._SubParsersAction) -> None:
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
    publish.add_argument("--license", help="license id for the card (default: the pipeline's, as run_info.json says)")
    add_quiet_flag(publish)
    publish.set_defaults(func=cmd_publish)
