"""`smolcorpus mix`: a training stage's mixture of token folders."""

from __future__ import annotations

import argparse

from smolcorpus.cli.flags import add_quiet_flag


def cmd_mix(args: argparse.Namespace) -> int:
    from smolcorpus.config import load_mix_config
    from smolcorpus.tokenize.mixture import build_mixture, format_mixture

    config = load_mix_config(args.config)
    if args.seed is not None:
        config = config.model_copy(update={"seed": args.seed})
    print(format_mixture(build_mixture(config, progress=not args.quiet)))
    print(f"written to {config.output_dir}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    mix = sub.add_parser("mix", help="build a training stage's mixture of token folders",
                         description="Give each source (a token folder) its share of the stage's token budget, "
                         "sampling whole documents (seeded), and write mixed shards + manifest, or a weights file "
                         "for trainers that mix on the fly. Prints the realized shares.")  # fmt: skip
    mix.add_argument("config", help="mixture YAML (examples: configs/mixtures/)")
    mix.add_argument("--seed", type=int, help="override the config's seed")
    add_quiet_flag(mix)
    mix.set_defaults(func=cmd_mix)
