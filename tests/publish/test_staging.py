"""Staging real pipeline outputs (the demo's code and web-math corpora) as a dataset: subsets that load with
`datasets`, refusals before anything is written, and a staging that never touches the run or a foreign folder."""

from __future__ import annotations

import json
import shutil

import pytest

from smolcorpus.cli import main
from smolcorpus.provenance import RUN_INFO_NAME
from smolcorpus.publish.staging import (
    PublishError,
    check_repo_id,
    read_run_output,
    stage,
    verify_staged,
)
from tests.publish.helpers import card_header


@pytest.mark.slow
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


@pytest.mark.slow
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
    # a run_info.json without what publishing needs (written before runs recorded it): rerun, then publish
    info = json.loads((unfinished / RUN_INFO_NAME).read_text())
    (unfinished / RUN_INFO_NAME).write_text(json.dumps({k: v for k, v in info.items() if k != "publication"}))
    with pytest.raises(PublishError, match="no `publication` section.*rerun"):
        read_run_output(unfinished)
    (unfinished / RUN_INFO_NAME).write_text('{"config": ')  # a run_info.json cut short
    with pytest.raises(PublishError, match="unreadable"):
        read_run_output(unfinished)


@pytest.mark.slow
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


@pytest.mark.slow
def test_a_tokenize_run_publishes_its_token_shards(demo_output, tmp_path):
    run = read_run_output(demo_output / "tokens")
    assert [s.name for s in run.subsets] == ["default"]
    staged = stage(run, tmp_path / "staged", "org/tokens")
    manifest = json.loads((demo_output / "tokens" / "manifest.json").read_text())
    assert verify_staged(staged, run) == {"default": manifest["num_documents"]}
    assert card_header((staged / "README.md").read_text())["configs"][0]["config_name"] == "default"


def test_a_truncated_shard_is_named_before_anything_is_staged(demo_output, tmp_path, capsys):
    """`publish --dry-run` on a run with a damaged file: one line naming it, exit 2, no staging folder (a tokenize
    run's token shard, and a corpus run's curated Parquet)."""
    for run_name, damaged_file in (("tokens", lambda run: sorted(run.glob("*.parquet"))[0]),
                                   ("code", lambda run: sorted((run / "curated").rglob("*.parquet"))[0])):  # fmt: skip
        copy = tmp_path / run_name
        shutil.copytree(demo_output / run_name, copy)
        shard = damaged_file(copy)
        shard.write_bytes(shard.read_bytes()[:64])
        assert main(["publish", str(copy), "--repo-id", "org/x", "--dry-run"]) == 2
        error = capsys.readouterr().err
        assert f"cannot read input file {shard}: not a readable Parquet shard" in error
        assert "Traceback" not in error and len(error.strip().splitlines()) == 1
        assert not (copy / "publish").exists()
