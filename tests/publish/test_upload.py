"""The upload of a staged dataset. The Hub itself cannot be reached from here: the test puts a recording fake at
the `huggingface_hub.HfApi` boundary and checks what smolcorpus sends it."""

from __future__ import annotations

import pytest

from smolcorpus.publish.staging import (
    STAGING_MARKER,
    read_run_output,
    stage,
)
from smolcorpus.publish.upload import upload_staged


@pytest.mark.slow
def test_upload_sends_the_staged_folder_as_a_dataset(demo_output, tmp_path):
    """Fake at the huggingface_hub boundary (no Hub access here): records the calls smolcorpus makes."""

    class RecordingApi:
        def __init__(self):
            self.calls = []

        def create_repo(self, repo_id, **kwargs):
            self.calls.append(("create_repo", repo_id, kwargs))

        def update_repo_settings(self, repo_id, **kwargs):
            self.calls.append(("update_repo_settings", repo_id, kwargs))

        def upload_folder(self, **kwargs):
            self.calls.append(("upload_folder", kwargs))
            return type("Commit", (), {"commit_url": "https://huggingface.co/datasets/org/x/commit/abc"})()

    run = read_run_output(demo_output / "web" / "corpus")
    staged = stage(run, tmp_path / "staged", "org/x")
    api = RecordingApi()
    assert upload_staged(staged, "org/x", private=True, api=api).endswith("/commit/abc")
    assert api.calls[0] == ("create_repo", "org/x", {"repo_type": "dataset", "private": True, "exist_ok": True})
    # --private also turns an existing public repository private (create_repo would leave it as it is)
    assert api.calls[1] == ("update_repo_settings", "org/x", {"private": True, "repo_type": "dataset"})
    upload = api.calls[2][1]
    assert upload["folder_path"] == str(staged) and upload["repo_type"] == "dataset"
    assert upload["commit_message"] == "Upload staged with smolcorpus" and "token" not in upload
    assert STAGING_MARKER in upload["ignore_patterns"] and (staged / STAGING_MARKER).is_file()
    api = RecordingApi()
    upload_staged(staged, "org/x", api=api)
    assert [call[0] for call in api.calls] == ["create_repo", "upload_folder"]
