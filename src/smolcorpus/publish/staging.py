"""Stage a finished run's output as a Hugging Face dataset repository: data files per subset + a dataset card.

Subsets: the corpus pipelines' curated folders (`finemath-3plus`, `finemath-4plus`, …; one per language for the
code corpus, `stack-edu-python`, …); a `tokenize` run has one subset, its token shards. Counts come from the
Parquet metadata and the token manifests. Nothing is staged from a run that did not finish (no summary or
manifest): `PublishError` says which file is missing, before anything is written.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from smolcorpus.errors import SmolcorpusError
from smolcorpus.provenance import RUN_INFO_NAME
from smolcorpus.runtime.atomic_folder import fresh_partial, swap_in
from smolcorpus.tokenize.manifest import reading_shard

REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")


class PublishError(SmolcorpusError):
    """An output folder that cannot be published as it is, or a bad repository id."""


@dataclass
class Subset:
    name: str
    files: list[Path]
    documents: int
    tokens: int | None


@dataclass
class RunOutput:
    folder: Path
    pipeline: str
    run_name: str
    run_info: dict
    publication: dict  # what the pipeline's spec says about publishing (run_info.json's `publication`)
    subsets: list[Subset] = field(default_factory=list)


def check_repo_id(repo_id: str) -> str:
    if not REPO_ID.match(repo_id) or ".." in repo_id or repo_id.endswith((".git", ".")):
        raise PublishError(f"bad repository id {repo_id!r}: expected ORG/NAME (letters, digits, '-', '_', '.')")
    return repo_id


def _manifest(folder: Path) -> dict | None:
    path = folder / "manifest.json"
    return json.loads(path.read_text()) if path.is_file() else None


def read_run_output(folder: str | Path) -> RunOutput:
    """What a finished run produced, by subset; PublishError if the folder is not a finished run."""
    folder = Path(folder)
    info_path = folder / RUN_INFO_NAME
    if not info_path.is_file():
        raise PublishError(f"{folder}: no {RUN_INFO_NAME}; not the output folder of `smolcorpus run`")
    try:
        info = json.loads(info_path.read_text())
        pipeline = info["config"]["pipeline"]
    except (ValueError, KeyError, TypeError) as e:
        raise PublishError(f"{info_path}: unreadable ({type(e).__name__}: {e}); was the run interrupted?") from e
    publication = info.get("publication")
    if not isinstance(publication, dict):
        raise PublishError(f"{info_path}: no `publication` section (written by smolcorpus runs since 0.1); rerun "
                           "`smolcorpus run` on the same config once: finished stages are skipped")  # fmt: skip
    run = RunOutput(folder, pipeline, info["config"].get("name", "smolcorpus"), info, publication)
    if publication["subset_prefix"] is None:  # the output folder is one subset of token shards
        manifest = _manifest(folder)
        if manifest is None:
            raise PublishError(f"{folder}: no manifest.json; the run did not finish (rerun `smolcorpus run`)")
        files = [folder / shard["file"] for shard in manifest["shards"]]
        for file in files:  # a damaged shard is named here, before anything is staged
            _num_rows(file)
        run.subsets.append(Subset("default", files, manifest["num_documents"], manifest["num_tokens"]))
        return run
    if not (folder / "summary.json").is_file():
        raise PublishError(f"{folder}: no summary.json; the run did not finish (rerun `smolcorpus run`)")
    if not (folder / "curated").is_dir():
        raise PublishError(f"{folder}: no curated/ folder; the curate stage did not run (rerun `smolcorpus run`)")
    for curated in sorted(p for p in (folder / "curated").iterdir() if p.is_dir()):
        files = sorted(curated.glob("*.parquet"))
        documents = sum(_num_rows(f) for f in files)
        if not documents:
            continue
        manifest = _manifest(folder / "tokens" / curated.name)
        if manifest is None:
            raise PublishError(f"{folder}/tokens/{curated.name}: no manifest.json; the tokenize stage did not finish")
        if manifest["num_documents"] != documents:
            raise PublishError(f"{curated}: {documents} rows but its token manifest lists {manifest['num_documents']}")
        name = publication["subset_prefix"] + curated.name
        run.subsets.append(Subset(name, files, documents, manifest["num_tokens"]))
    if not run.subsets:
        raise PublishError(f"{folder}: the run kept no documents; nothing to publish")
    return run


STAGING_MARKER = ".smolcorpus-staging"  # marks a folder `stage` made, so a rerun may replace it


def check_staging_target(run: RunOutput, target: str | Path) -> Path:
    """`target` resolved; PublishError if staging there could touch the run's own files or a foreign folder.

    Allowed: a new folder outside the run, a folder under `RUN/publish/`, or an earlier staging (it has the
    marker file) anywhere; it is replaced only once the new staging is complete."""
    target = Path(target).resolve()
    run_folder = run.folder.resolve()
    if target == run_folder or run_folder.is_relative_to(target):
        raise PublishError(f"staging folder {target} is (or contains) the run folder {run_folder}; choose another")
    if target.is_relative_to(run_folder) and not target.is_relative_to(run_folder / "publish"):
        raise PublishError(f"staging folder {target} is inside the run's outputs; use {run_folder / 'publish'}/…")
    if target.exists() and not (target / STAGING_MARKER).is_file():
        raise PublishError(f"staging folder {target} exists and was not made by `smolcorpus publish`; "
                           "choose a new folder (it would be replaced)")  # fmt: skip
    return target


def stage(run: RunOutput, target: str | Path, repo_id: str, license_id: str | None = None) -> Path:
    """Lay out `data/<subset>/*.parquet`, README.md and the config in `target`; return `target`.

    Built in `<target>.partial` and renamed when complete, so `target` is never half-staged; an earlier staging
    in `target` is replaced only then."""
    from smolcorpus.publish.card import dataset_card, public_config

    check_repo_id(repo_id)
    target = check_staging_target(run, target)
    partial = fresh_partial(target)
    for subset in run.subsets:
        destination = partial / "data" / subset.name
        destination.mkdir(parents=True)
        for i, source in enumerate(subset.files):
            _link_or_copy(source, destination / f"{i:05d}.parquet")
    (partial / "README.md").write_text(dataset_card(run, repo_id, license_id or run.publication["license"]))
    # the config as run, with credentials removed (the resolved file on disk may hold S3 keys)
    (partial / "smolcorpus_config.yaml").write_text(public_config(run.run_info["config"]))
    (partial / STAGING_MARKER).write_text(f"staged for {repo_id} from {run.folder}\n")
    return swap_in(partial, target)


def _link_or_copy(source: Path, destination: Path) -> None:
    try:
        os.link(source, destination)  # same filesystem: no copy of multi-GB shards
    except OSError:
        shutil.copy2(source, destination)


def verify_staged(target: str | Path, run: RunOutput) -> dict[str, int]:
    """Load every subset with `datasets` as the Hub would; return rows per subset (PublishError on mismatch)."""
    import tempfile

    import datasets

    rows = {}
    # a fresh cache: `datasets` may otherwise return an earlier build of a folder at the same path
    with tempfile.TemporaryDirectory(prefix="smolcorpus-verify-") as cache:
        for subset in run.subsets:
            loaded = datasets.load_dataset(str(target), name=subset.name, split="train", cache_dir=cache)
            if len(loaded) != subset.documents:
                raise PublishError(
                    f"staged subset {subset.name}: {len(loaded)} rows load, {subset.documents} expected"
                )
            rows[subset.name] = len(loaded)
            del loaded  # release the Arrow files before the cache folder goes
    return rows


def _num_rows(path: Path) -> int:
    with reading_shard(path):
        return pq.ParquetFile(path).metadata.num_rows
