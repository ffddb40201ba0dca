"""The dataset card (README.md) of a staged dataset: YAML metadata the Hub reads, then how the data was built."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from smolcorpus.runtime.redaction import redact

SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
                   (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B"))  # fmt: skip


def public_config(config: dict) -> str:
    """The run's config as YAML for the world: storage credentials redacted (only where-not-who options such as
    `endpoint_url` or `anon` stay), an `env_command` that mentions a token or secret redacted, and the home
    folder written as `~`."""
    text = yaml.safe_dump(redact(config), sort_keys=False)  # redact builds new dicts: `config` is untouched
    return text.replace(str(Path.home()) + "/", "~/")


def size_category(documents: int) -> str:
    return next((name for limit, name in SIZE_CATEGORIES if documents < limit), "n>1B")


def card_metadata(run, license_id: str) -> dict:
    """The YAML header: one config per subset (the largest is the default), license, size category."""
    configs = []
    default = default_subset(run)
    for subset in run.subsets:
        config = {
            "config_name": subset.name,
            "data_files": [{"split": "train", "path": f"data/{subset.name}/*.parquet"}],
        }
        if subset is default:
            config["default"] = True
        configs.append(config)
    total = sum(s.documents for s in run.subsets)
    return {
        "license": license_id,
        "pretty_name": run.run_name,
        "size_categories": [size_category(total)],
        "task_categories": ["text-generation"],
        "language": run.publication["languages"],
        "tags": ["smolcorpus", run.pipeline],
        "configs": configs,
    }


def default_subset(run):
    """The subset with the most documents (the first on a tie): Stack-Edu's Python rather than its Markdown."""
    return max(run.subsets, key=lambda subset: subset.documents)


def classifier_metrics(model_folders: list[str]) -> list[tuple[str, dict]]:
    """(model folder, validation metrics) of every classifier folder the run used that holds a config.json."""
    found = []
    for path in model_folders:
        config_file = Path(path) / "config.json"
        if config_file.is_file():
            model = json.loads(config_file.read_text())
            found.append((path, model.get("metrics", {}).get("validation", {})))
    return found


def dataset_card(run, repo_id: str, license_id: str) -> str:
    metadata = {k: v for k, v in card_metadata(run, license_id).items() if v is not None}
    config = run.run_info["config"]
    lines = ["---", yaml.safe_dump(metadata, sort_keys=False).rstrip(), "---", "", f"# {run.run_name}", "",
             run.publication["card_description"], "", "```python", "from datasets import load_dataset", "",
             f'ds = load_dataset("{repo_id}", name="{default_subset(run).name}", split="train")', "```", "",
             "## Subsets", "", "| subset | documents | tokens (SmolLM2 tokenizer) |", "|---|---:|---:|"]  # fmt: skip
    for subset in run.subsets:
        tokens = "n/a" if subset.tokens is None else f"{subset.tokens:,}"
        lines.append(f"| `{subset.name}` | {subset.documents:,} | {tokens} |")
    summary = run.folder / "summary.md"
    if summary.is_file():
        versions = run.run_info.get("versions", {})
        built_with = (
            "Built with [smolcorpus](https://github.com/smolcorpus/smolcorpus) "
            f"{run.run_info.get('smolcorpus_version')} (pipeline `{run.pipeline}`, "
            f"datatrove {versions.get('datatrove')}). "
            "Every input item was kept or dropped with a reason; the funnel:"
        )
        lines += ["", "## How it was built", "", built_with, "", summary.read_text().rstrip()]
    metrics = classifier_metrics(run.publication["classifier_models"])
    if metrics:
        lines += ["", "## Classifiers", ""]
        for path, validation in metrics:
            shown = {k: v for k, v in validation.items() if isinstance(v, int | float)}
            lines.append(
                f"- `{Path(path).name}`: " + (", ".join(f"{k} {v:.3g}" for k, v in shown.items()) or "no metrics")
            )
    lines += ["", "## Pipeline configuration", "", "```yaml", public_config(config).rstrip(), "```",
              "", f"Git revision of the code that built it: `{run.run_info.get('git_revision')}`.", ""]  # fmt: skip
    return "\n".join(lines)
