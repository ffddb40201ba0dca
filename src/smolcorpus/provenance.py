"""What produced an output folder: the resolved config, package versions and the git revision, next to the data.
It reads a `RunConfig`, so it is a root module beside `config/` (written by `run.py`, read by `publish/`), not
in `runtime/`, which never reads one."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import yaml

from smolcorpus import __version__
from smolcorpus.config import RunConfig
from smolcorpus.runtime.atomic_folder import write_text_whole
from smolcorpus.runtime.redaction import redact

RUN_INFO_NAME = "run_info.json"
RESOLVED_CONFIG_NAME = "config.resolved.yaml"


def git_revision(path: str | Path | None = None) -> str | None:
    """`<sha>` (with `-dirty` if uncommitted changes) of the git checkout holding `path`, or None."""
    where = Path(path) if path else Path(__file__).resolve().parent
    try:
        sha = subprocess.run(
            ["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{sha}-dirty" if dirty else sha


def _package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def run_info(config: RunConfig, config_file: str | None, publication: dict | None = None) -> dict:
    """What run_info.json holds; `publication`: what `publish` needs to know of the pipeline (its spec's
    `publication()`), so that publishing reads the output folder alone."""
    return {
        "smolcorpus_version": __version__,
        "git_revision": git_revision(),
        "versions": {name: _package_version(name) for name in ("datatrove", "tokenizers", "pyarrow", "trafilatura")},
        "python": sys.version.split()[0],
        "config_file": str(Path(config_file).resolve()) if config_file else None,
        "command": redact(sys.argv),
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config": redact(config.model_dump(mode="json")),
        "publication": redact(publication) if publication else None,
    }


def write_run_info(config: RunConfig, config_file: str | None = None, publication: dict | None = None) -> Path:
    """Write `run_info.json` and `config.resolved.yaml` into the run's output folder (local folders only), with
    credentials redacted."""
    out = Path(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    # credentials redacted (smolcorpus.runtime.redaction): the run keeps the real values in memory, the files do not
    resolved = yaml.safe_dump(redact(config.model_dump(mode="json")), sort_keys=False)
    write_text_whole(out / RESOLVED_CONFIG_NAME, resolved)
    path = out / RUN_INFO_NAME
    write_text_whole(path, json.dumps(run_info(config, config_file, publication), indent=2))
    return path
