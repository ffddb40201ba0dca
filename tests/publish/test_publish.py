"""Publishing real pipeline outputs (the demo's code and web-math corpora): staging, the card, loading every
subset with `datasets`, and the upload call. The Hub itself cannot be reached from here: the upload test puts a
recording fake at the `huggingface_hub.HfApi` boundary and checks what smolcorpus sends it."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from smolcorpus.demo import run_demo
from smolcorpus.publish.staging import PublishError, check_repo_id, read_run_output, stage, verify_staged
from smolcorpus.publish.upload import upload_staged


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory):
    output = tmp_path_factory.mktemp("publish_demo") / "demo"
    run_demo(output, tasks=2, workers=2)
    return output


def card_header(readme: str) -> dict:
    return yaml.safe_load(readme.split("---")[1])


@pytest.mark.parametrize("corpus", ["code", "web/corpus"])
def test_dry_run_stages_loadable_subsets_with_a_truthful_card(demo_output, corpus, tmp_path):
    run = read_run_output(demo_output / corpus)
    staged = stage(run, tmp_path / "staged", "smolcorpus/demo")
    rows = verify_staged(staged, run)
    header = card_header((staged / "README.md").read_text())
    assert [c["config_name"] for c in header["configs"]] == [s.name for s in run.subsets]
    assert header["configs"][0]["default"] is True and header["license"]
    readme = (staged / "README.md").read_text()
    for subset in run.subsets:
        manifest = json.loads(
            (demo_output / corpus / "tokens" / subset.name.split("-")[-1] / "manifest.json").read_text()
        )
        assert rows[subset.name] == subset.documents == manifest["num_documents"]
        assert subset.tokens == manifest["num_tokens"]
        assert f"| `{subset.name}` | {manifest['num_documents']:,} | {manifest['num_tokens']:,} |" in readme
    assert "## Pipeline configuration" in readme and (staged / "smolcorpus_config.yaml").is_file()


def test_upload_sends_the_staged_folder_as_a_dataset(demo_output, tmp_path):
    """Fake at the huggingface_hub boundary (no Hub access here): records the calls smolcorpus makes."""

    class RecordingApi:
        def __init__(self):
            self.calls = []

        def create_repo(self, repo_id, **kwargs):
            self.calls.append(("create_repo", repo_id, kwargs))

        def upload_folder(self, **kwargs):
            self.calls.append(("upload_folder", kwargs))
            return type("Commit", (), {"commit_url": "https://huggingface.co/datasets/org/x/commit/abc"})()

    run = read_run_output(demo_output / "web" / "corpus")
    staged = stage(run, tmp_path / "staged", "org/x")
    api = RecordingApi()
    assert upload_staged(staged, "org/x", private=True, api=api).endswith("/commit/abc")
    assert api.calls[0] == ("create_repo", "org/x", {"repo_type": "dataset", "private": True, "exist_ok": True})
    upload = api.calls[1][1]
    assert upload["folder_path"] == str(staged) and upload["repo_type"] == "dataset"
    assert upload["commit_message"] == "Upload staged with smolcorpus" and "token" not in upload


def test_bad_input_is_refused_before_anything_is_written(demo_output, tmp_path):
    for bad in ("no-slash", "org/na me", "org/../x", "-org/x"):
        with pytest.raises(PublishError, match="bad repository id"):
            check_repo_id(bad)
    unfinished = tmp_path / "unfinished"
    shutil.copytree(demo_output / "code", unfinished)
    (unfinished / "summary.json").unlink()
    with pytest.raises(PublishError, match="did not finish"):
        read_run_output(unfinished)
    (unfinished / "summary.json").write_text("{}")
    (unfinished / "tokens" / "python" / "manifest.json").unlink()
    with pytest.raises(PublishError, match="no manifest.json"):
        read_run_output(unfinished)
    with pytest.raises(PublishError, match="run_info.json"):
        read_run_output(tmp_path)
    assert not (tmp_path / "staged").exists()


def test_a_tokenize_run_publishes_its_token_shards(demo_output, tmp_path):
    run = read_run_output(demo_output / "tokens")
    assert [s.name for s in run.subsets] == ["default"]
    staged = stage(run, tmp_path / "staged", "org/tokens")
    manifest = json.loads((demo_output / "tokens" / "manifest.json").read_text())
    assert verify_staged(staged, run) == {"default": manifest["num_documents"]}
    assert card_header((staged / "README.md").read_text())["configs"][0]["config_name"] == "default"
