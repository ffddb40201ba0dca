"""`smolcorpus publish` (cli/publish.py): a dry run stages and verifies, and uploads nothing."""

from __future__ import annotations

import pytest

from smolcorpus.cli import main
from tests.publish.helpers import card_header


@pytest.mark.slow
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
