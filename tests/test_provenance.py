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
