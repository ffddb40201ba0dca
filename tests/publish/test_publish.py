"""Publishing real pipeline outputs (the demo's code and web-math corpora): staging, the card, loading every
subset with `datasets`, and the upload call. The Hub itself cannot be reached from here: the upload test puts a
recording fake at the `huggingface_hub.HfApi` boundary and checks what smolcorpus sends it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from smolcorpus.cli import main
from smolcorpus.demo import run_demo
from smolcorpus.publish.staging import (
    STAGING_MARKER,
    PublishError,
    check_repo_id,
    read_run_output,
    stage,
    verify_staged,
)
from smolcorpus.publish.upload import upload_staged
from smolcorpus.runtime.provenance import RUN_INFO_NAME


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
    defaults = [c["config_name"] for c in header["configs"] if c.get("default")]
    assert defaults == [max(run.subsets, key=lambda s: s.documents).name] and header["license"]
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


def test_bad_input_is_refused_before_anything_is_written(demo_output, tmp_path, capsys):
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
    # through the CLI: a clear message, exit status 2, and no staging folder started
    assert main(["publish", str(unfinished), "--repo-id", "org/x", "--dry-run"]) == 2
    assert "no manifest.json" in capsys.readouterr().err
    assert not (unfinished / "publish").exists()
    (unfinished / RUN_INFO_NAME).write_text('{"config": ')  # a run_info.json cut short
    with pytest.raises(PublishError, match="unreadable"):
        read_run_output(unfinished)


def test_staging_never_touches_the_run_or_a_foreign_folder(demo_output, tmp_path):
    run = read_run_output(demo_output / "code")
    for inside in (demo_output / "code", demo_output, demo_output / "code" / "curated" / "x"):
        with pytest.raises(PublishError, match="run folder|inside the run"):
            stage(run, inside, "org/x")
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(PublishError, match="not made by `smolcorpus publish`"):
        stage(run, foreign, "org/x")
    assert (foreign / "notes.txt").read_text() == "keep me"
    assert read_run_output(demo_output / "code").subsets == run.subsets  # the run is intact
    first = stage(run, tmp_path / "staged", "org/x")
    again = stage(run, tmp_path / "staged", "org/y")  # an earlier staging is replaced, once the new one is complete
    assert first == again and "org/y" in (again / "README.md").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "staged"]  # no .partial / .previous left


def test_credentials_in_the_config_are_not_published(demo_output, tmp_path, monkeypatch):
    """A run that read WARCs from S3 with keys in its config: the card and config file say where, not who."""
    run_folder = tmp_path / "run"
    shutil.copytree(demo_output / "web" / "corpus", run_folder)
    info = json.loads((run_folder / RUN_INFO_NAME).read_text())
    info["config"]["finemath"]["warc"]["storage_options"] = {
        "key": "AKIAEXAMPLEKEY", "secret": "example-secret-1",
        "client_kwargs": {"endpoint_url": "http://127.0.0.1:9000", "aws_session_token": "example-secret-2"},
    }  # fmt: skip
    env_command = "export HF_TOKEN=hf_examplesecret3 && source .venv/bin/activate"
    info["config"]["executor"]["slurm"] = {"partition": "cpu", "env_command": env_command}
    (run_folder / RUN_INFO_NAME).write_text(json.dumps(info))
    staged = stage(read_run_output(run_folder), tmp_path / "staged", "org/x")
    published = "".join(p.read_text() for p in (staged / "README.md", staged / "smolcorpus_config.yaml"))
    for secret in ("AKIAEXAMPLEKEY", "example-secret-1", "example-secret-2", "hf_examplesecret3"):
        assert secret not in published
    assert "http://127.0.0.1:9000" in published and "<redacted>" in published
    assert str(Path.home()) + "/" not in published


def test_cli_dry_run_stages_verifies_and_uploads_nothing(demo_output, tmp_path, monkeypatch, capsys):
    import huggingface_hub

    def no_hub(*args, **kwargs):
        raise AssertionError("a dry run must not reach the Hub")

    monkeypatch.setattr(huggingface_hub, "HfApi", no_hub)
    target = tmp_path / "staged"
    assert main(["publish", str(demo_output / "code"), "--repo-id", "org/code", "--dry-run", "--quiet",
                 "--staging", str(target)]) == 0  # fmt: skip
    captured = capsys.readouterr()
    out = captured.out
    assert "examples/s" not in captured.err  # --quiet: no `datasets` progress bars
    assert "stack-edu-python" in out and "rows load with datasets" in out and "dry run: nothing uploaded" in out
    header = card_header((target / "README.md").read_text())
    default = next(c for c in header["configs"] if c.get("default"))
    assert default["config_name"] == "stack-edu-python"  # the largest subset, not the first in name order


def test_a_tokenize_run_publishes_its_token_shards(demo_output, tmp_path):
    run = read_run_output(demo_output / "tokens")
    assert [s.name for s in run.subsets] == ["default"]
    staged = stage(run, tmp_path / "staged", "org/tokens")
    manifest = json.loads((demo_output / "tokens" / "manifest.json").read_text())
    assert verify_staged(staged, run) == {"default": manifest["num_documents"]}
    assert card_header((staged / "README.md").read_text())["configs"][0]["config_name"] == "default"
