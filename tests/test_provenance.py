import json
import subprocess

import yaml

from smolcorpus import __version__
from smolcorpus.config import validate_config
from smolcorpus.provenance import git_revision, write_run_info


def test_run_info_records_config_versions_and_revision(tmp_path):
    (tmp_path / "docs").mkdir()
    config = validate_config(
        {"pipeline": "tokenize", "output_dir": str(tmp_path / "out"), "input": {"paths": [str(tmp_path / "docs")]}}
    )
    path = write_run_info(config, config_file=None)
    info = json.loads(path.read_text())
    assert info["smolcorpus_version"] == __version__
    assert info["versions"]["datatrove"].startswith("0.10")
    assert info["config"]["output_dir"] == str(tmp_path / "out")
    assert yaml.safe_load((tmp_path / "out" / "config.resolved.yaml").read_text()) == info["config"]
    assert info["git_revision"] == git_revision()


def test_git_revision_of_a_checkout(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "f").write_text("x")
    subprocess.run(["git", "-C", str(tmp_path), "add", "f"], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "m"],
                   check=True)  # fmt: skip
    sha = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert git_revision(tmp_path) == sha.strip()
    (tmp_path / "f").write_text("changed")
    assert git_revision(tmp_path) == sha.strip() + "-dirty"
    assert git_revision(tmp_path / "nowhere") is None


def test_credentials_are_redacted_in_every_file_a_run_writes(tmp_path, shared_data):
    """A tokenize run whose config carries S3 keys, a session token, an HF token and a password in a URL: the
    run works with the real values, and none of them is in run_info.json, config.resolved.yaml or any
    logs/*/executor.json (they all were)."""
    from smolcorpus.run import run_config

    secrets = ("AKIAEXAMPLEKEY0000000", "example-secret-1", "example-secret-2", "hf_exampletokenexampletoken00",
               "example-password-3")  # fmt: skip
    articles = tmp_path / "articles.jsonl"
    truth = json.loads(
        (shared_data / "extraction_gt" / "article_extraction_benchmark" / "ground-truth.json").read_text()
    )
    with open(articles, "w") as f:
        for key, value in list(truth.items())[:5]:
            f.write(json.dumps({"id": key, "text": value["articleBody"]}) + "\n")
    config = validate_config({
        "pipeline": "tokenize",
        "name": "redaction-test",
        "output_dir": str(tmp_path / "out"),
        "input": {
            "paths": [str(articles)],
            "storage_options": {
                "key": secrets[0], "secret": secrets[1],
                "client_kwargs": {"endpoint_url": "http://127.0.0.1:9000", "aws_session_token": secrets[2]},
                "token": secrets[3],
            },
        },
        "executor": {"kind": "local", "tasks": 1, "workers": 1,
                     "slurm": {"partition": "debug",
                               "env_command": f"export HF_TOKEN={secrets[3]} && export URL=https://u:{secrets[4]}@h"}},
    })  # fmt: skip
    run_config(config, quiet=True)
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["num_documents"] == 5
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file() and p.suffix in (".json", ".yaml", ".md")]
    names = {p.name for p in written}
    assert {"run_info.json", "config.resolved.yaml", "executor.json"} <= names
    for path in written:
        text = path.read_text(errors="replace")
        for secret in secrets:
            assert secret not in text, (path, secret)
    resolved = yaml.safe_load((tmp_path / "out" / "config.resolved.yaml").read_text())
    options = resolved["input"]["storage_options"]
    assert options["client_kwargs"]["endpoint_url"] == "http://127.0.0.1:9000"  # where, not who: kept
    assert options["key"] == "<redacted>" and options["client_kwargs"]["aws_session_token"] == "<redacted>"
    assert resolved["tokenize"]["eos_token"] is None or "redacted" not in str(resolved["tokenize"]["eos_token"])
