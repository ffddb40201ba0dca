"""Publishing a finished run as a Hugging Face dataset: staging with a dataset card, checking, uploading."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class PublishResult:
    staged: Path
    rows: dict[str, int]  # rows per subset, as `datasets` loads them from the staged folder
    subsets: list  # staging.Subset
    commit_url: str | None  # None for a dry run


def publish_run(
    output_dir: str | Path,
    repo_id: str,
    staging: str | Path | None = None,
    license_id: str | None = None,
    dry_run: bool = False,
    private: bool = False,
) -> PublishResult:
    """Stage `output_dir` (default folder `OUTPUT_DIR/publish/ORG__NAME`), load every subset back with `datasets`,
    then upload unless `dry_run`. PublishError before anything is written for a bad repo id or unfinished run."""
    from smolcorpus.publish.staging import check_repo_id, read_run_output, stage, verify_staged

    check_repo_id(repo_id)
    run = read_run_output(output_dir)
    target = Path(staging or Path(output_dir) / "publish" / repo_id.replace("/", "__"))
    stage(run, target, repo_id, license_id)
    rows = verify_staged(target, run)
    commit_url = None
    if not dry_run:
        from smolcorpus.publish.upload import upload_staged

        commit_url = upload_staged(target, repo_id, private=private)
    return PublishResult(target, rows, run.subsets, commit_url)
