"""`smolcorpus run` and `tokenize` (cli/run.py): end to end on real documents, dry runs, bad configs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from smolcorpus.cli import main


def smolcorpus(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smolcorpus.cli", *args], capture_output=True, text=True)


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


def test_tokenize_command_skips_a_bom_and_counts_texts_of_another_type(real_documents, tmp_path):
    """`smolcorpus tokenize` on a JSONL file with a UTF-8 byte order mark and texts that are a list and an object:
    the first record is kept, the others are counted drops, never tokenized as their Python repr."""
    texts = list(real_documents.values())[:2]
    lines = [{"id": "first", "text": texts[0]}, {"id": "list", "text": ["a", "b"]}, {"id": "object", "text": {"a": 1}},
             {"id": "last", "text": texts[1]}]  # fmt: skip
    source = tmp_path / "bom.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + b"\n".join(json.dumps(line).encode() for line in lines))
    output = tmp_path / "tokens"
    result = smolcorpus("tokenize", str(source), "--output", str(output))
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads((output / "manifest.json").read_text())["num_documents"] == 2
    assert "dropped_wrong_type_text=2" in result.stdout and "invalid_json" not in result.stdout


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


def test_tokenize_carry_with_pack_length_is_a_config_error_naming_both(real_corpus, tmp_path):
    """A packed row mixes documents, so carried columns cannot go with it: exit 2 before any work, naming the two
    keys and their flags, no traceback (it was a 27-line ValueError traceback and exit 1)."""
    output = tmp_path / "tokens"
    result = smolcorpus("tokenize", str(real_corpus / "articles"), "--output", str(output), "--carry", "source",
                        "--pack-length", "2048")  # fmt: skip
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: smolcorpus tokenize: invalid config\n")
    assert "carry_columns and pack_length conflict (--carry and --pack-length" in result.stderr
    assert not output.exists()


CONFLICTS = {
    "carry and pack": ("tokenize:\n  pack_length: 2048\n  carry_columns: [source]\n", "tokenize (line",
                       "carry_columns and pack_length conflict"),
    "subsets without a grader": ("  precision: {subsets: {2plus: 2}}\n", "finemath.precision (line",
                                 "subsets set, but model is null"),
    "recall threshold without a model": ("  recall: {threshold: 0.3}\n", "finemath.recall (line",
                                         "threshold set, but model is null"),
    "Gopher thresholds while the rules are off": ("  quality: {min_doc_words: 20}\n", "finemath.quality (line",
                                                  "min_doc_words set, but enabled is false"),
    "another pipeline's section": ("input: {paths: [WARC]}\n", "(top level)",
                                   "pipeline 'finemath' reads `finemath`, not `input`"),
}  # fmt: skip


@pytest.mark.parametrize("conflict", CONFLICTS, ids=list(CONFLICTS))
def test_conflicting_keys_in_yaml_exit_2_naming_them(conflict, shared_data, tmp_path):
    """Keys that cannot go together, or a key that a missing one makes do nothing, fail at validation."""
    extra, where, message = CONFLICTS[conflict]
    warc = shared_data / "warc" / "dolma_science-0.warc.gz"
    text = f"pipeline: finemath\noutput_dir: {tmp_path / 'out'}\nfinemath:\n  warc: {{paths: [{warc}]}}\n"
    text += extra.replace("WARC", str(warc))
    config = tmp_path / "run.yaml"
    config.write_text(text)
    result = smolcorpus("run", str(config), "--dry-run")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert f"  - {where}" in result.stderr and message in result.stderr, result.stderr
    assert "Value error" not in result.stderr


def test_code_scoring_conflicts_exit_2_naming_the_keys(tmp_path):
    """Stack-Edu: thresholds without a model, and a model or threshold for a language not read (a typo: `python`)."""
    root = Path(__file__).resolve().parents[2] / "src"
    config = tmp_path / "run.yaml"
    base = f"pipeline: stack_edu\noutput_dir: {tmp_path / 'out'}\nstack_edu:\n  source_trees: {{roots: [{root}]}}\n"
    config.write_text(base + "  scoring: {default_threshold: 2}\n")
    result = smolcorpus("run", str(config), "--dry-run")
    assert result.returncode == 2
    assert "stack_edu.scoring (line 5): default_threshold set, but no model" in result.stderr
    config.write_text(base + f"  scoring: {{models: {{python: {root}}}, thresholds: {{python: 2}}}}\n")
    result = smolcorpus("run", str(config), "--dry-run")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "scoring.models.python, scoring.thresholds.python: not in `languages`" in result.stderr
    assert "spelled C, C#, C++, Go, Java" in result.stderr
