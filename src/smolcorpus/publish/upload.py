"""Upload a staged dataset folder to the Hugging Face Hub.

huggingface_hub 2.x's `upload_folder` is the large-folder path: files stream through hf_xet, big folders are
committed in a few batches, and re-running the same call resumes an interrupted upload. The token is whatever
huggingface_hub finds (`HF_TOKEN` or the saved `hf auth login`); smolcorpus never reads, logs or writes it.
"""

from __future__ import annotations

from pathlib import Path

from smolcorpus.publish.staging import STAGING_MARKER, check_repo_id


def upload_staged(folder: str | Path, repo_id: str, private: bool = False, api=None) -> str:
    """Create the dataset repository if needed and upload `folder`; return the commit URL.

    `private=True` also makes an existing public repository private (create_repo leaves an existing one as is)."""
    from huggingface_hub import HfApi

    check_repo_id(repo_id)
    api = api or HfApi()
    api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
    if private:
        api.update_repo_settings(repo_id, private=True, repo_type="dataset")
    commit = api.upload_folder(
        repo_id=repo_id,
        folder_path=str(folder),
        repo_type="dataset",
        commit_message=f"Upload {Path(folder).name} with smolcorpus",
        ignore_patterns=[STAGING_MARKER, "*.partial", "*.previous"],
    )
    return getattr(commit, "commit_url", str(commit))
