import json
import re
import subprocess
import sys

import pytest

from smolcorpus.cli import build_parser, main

SUBCOMMANDS = [
    "run",
    "tokenize",
    "demo",
    "extract",
    "mix",
    "publish",
    "report",
    "annotate",
    "classifier",
    "local-judge",
    "version",
]
NESTED = [["classifier", "train"], ["classifier", "evaluate"], ["classifier", "score"], ["classifier", "distill"]]


def smolcorpus(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smolcorpus.cli", *args], capture_output=True, text=True)


@pytest.mark.parametrize("command", [[], *[[c] for c in SUBCOMMANDS], *NESTED])
def test_help_on_every_subcommand(command):
    result = smolcorpus(*command, "--help")
    assert result.returncode == 0
    assert "usage: smolcorpus" in result.stdout


def test_parser_lists_every_subcommand():
    help_text = build_parser().format_help()
    assert all(command in help_text for command in SUBCOMMANDS)


def test_tokenize_command_end_to_end(real_corpus, real_documents, tmp_path):
    output = tmp_path / "tokens"
    result = smolcorpus("tokenize", str(real_corpus / "cc"), str(real_corpus / "articles"), "--output", str(output),
                        "--carry", "source", "--tasks", "2")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((output / "manifest.json").read_text())
    expected = {k for k in real_documents if k.startswith(("article/", "http"))}
    assert manifest["num_documents"] == len(expected)
    assert "tokenize: 2 task(s)" in result.stdout
    run_info = json.loads((output / "run_info.json").read_text())
    assert run_info["config"]["tokenize"]["carry_columns"] == ["source"]


def test_tokenize_packed_and_nanotron(real_corpus, tmp_path):
    output = tmp_path / "packed"
    result = smolcorpus("tokenize", str(real_corpus / "articles"), "--output", str(output), "--pack-length", "1023",
                        "--nanotron", "--tasks", "1")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((output / "manifest.json").read_text())
    assert manifest["pack_length"] == 1023 and manifest["num_rows"] * 1024 == manifest["num_tokens"]
    ds_files = list((output / "nanotron").glob("*.ds"))
    assert ds_files, "datatrove's DocumentTokenizer wrote no .ds file"
    # the .ds file holds the same documents: its tokens = ours + the dropped tail
    ds_tokens = sum(f.stat().st_size for f in ds_files) // 2
    assert ds_tokens == manifest["num_tokens"] + manifest["dropped_tail_tokens"]


def test_bad_config_exits_2_with_a_message_and_no_traceback(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("pipeline: tokenize\noutput_dir: out\ninput:\n  paths: [nowhere]\n")
    result = smolcorpus("run", str(config))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert "input path does not exist: nowhere" in result.stderr and "Traceback" not in result.stderr


def test_dry_run_prints_stages_and_writes_nothing(real_corpus, tmp_path):
    output = tmp_path / "out"
    config = tmp_path / "run.yaml"
    config.write_text(f"pipeline: tokenize\noutput_dir: {output}\ninput:\n  paths: [{real_corpus}]\n")
    result = smolcorpus("run", str(config), "--dry-run", "--tasks", "5")
    assert result.returncode == 0, result.stderr
    assert "stage tokenize: 5 task(s): DocumentFileReader, TokenShardWriter" in result.stdout
    assert "stage manifest: 1 task(s): ManifestWriter" in result.stdout
    assert not output.exists()


def test_main_returns_2_on_missing_config(capsys):
    assert main(["run", "/nonexistent/config.yaml"]) == 2
    assert "config file not found" in capsys.readouterr().err


def test_extract_prints_markdown_with_tex(shared_data, tmp_path):
    import gzip

    page = tmp_path / "tsne.html"
    source = shared_data / "extraction_gt" / "trafilatura_eval" / "html" / "en.wikipedia.org.tsne.html.gz"
    page.write_bytes(gzip.decompress(source.read_bytes()))
    result = smolcorpus("extract", str(page), "--url", "https://en.wikipedia.org/wiki/T-distributed_stochastic")
    assert result.returncode == 0, result.stderr
    assert "mathml_annotation 34" in result.stderr and "$p_{j\\mid i}" in result.stdout
    warc = smolcorpus("extract", str(shared_data / "warc" / "warcio_example.warc.gz"))
    assert warc.returncode == 0 and "illustrative examples" in warc.stdout and "http://example.com/" in warc.stderr
    missing = smolcorpus("extract", str(tmp_path / "nope.html"))
    assert missing.returncode != 0 and "no such file" in missing.stderr


def test_extract_explain_lists_kinds_records_and_dropped_formulas(shared_data, tmp_path):
    """A Stack Exchange page (math_dev): the answers as records, the TeX kept, and the one formula that lives in
    a comment (outside the main content) listed as not in the text."""
    import gzip

    page = tmp_path / "se.html"
    page.write_bytes(
        gzip.decompress((shared_data / "math_dev" / "pages" / "se_worldbuilding_162264.html.gz").read_bytes())
    )
    result = smolcorpus("extract", str(page), "--explain")
    assert result.returncode == 0, result.stderr
    report = result.stdout
    assert "main content: 3 records (div.js-post-body)" in report
    assert re.search(r"tex_in_text\s+21\s+20", report) and "[tex_in_text] $1/r^2$" in report
    assert "begingroup" not in report


def test_quiet_goes_before_or_after_the_command():
    parser = build_parser()
    assert parser.parse_args(["--quiet", "demo"]).quiet and parser.parse_args(["demo", "-q"]).quiet
    assert not parser.parse_args(["demo"]).quiet and parser.parse_args(["run", "x.yaml", "--quiet"]).quiet
