"""The `tokenize` pipeline's composition: its two stages built from the settings (no run: the runs are in
tests/cli/test_run.py and tests/tokenize/), the grouped token stages of the corpus pipelines, and its spec."""

from datatrove.pipeline.tokens import DocumentTokenizer

from smolcorpus.config import InputConfig, TokenizeConfig, validate_config
from smolcorpus.pipelines.tokenize import SPEC, grouped_token_stages, tokenize_stages
from smolcorpus.readers import DocumentFileReader
from smolcorpus.tokenize.grouped import GroupedManifestWriter, GroupedTokenShardWriter
from smolcorpus.tokenize.manifest import ManifestWriter
from smolcorpus.tokenize.shards import TokenShardWriter
from smolcorpus.tokenize.tokenizer import TokenizerSpec

TOKENIZER = TokenizerSpec("test", "/nowhere/tokenizer.json", "0" * 64, 49152, "<|endoftext|>", 0)


def test_tokenize_then_one_manifest_task(tmp_path):
    source = InputConfig(paths=[str(tmp_path)], text_column="body", id_column="url", max_document_bytes=1000)
    settings = TokenizeConfig(carry_columns=["source"], batch_size=7, max_tokens_per_shard=500)
    tokenize, manifest = tokenize_stages(source, settings, TOKENIZER, str(tmp_path / "tokens"), tasks=3)
    assert (tokenize.name, tokenize.tasks, manifest.name, manifest.tasks) == ("tokenize", 3, "manifest", 1)
    assert manifest.cpus_per_task == 1
    reader, writer = tokenize.pipeline
    assert isinstance(reader, DocumentFileReader) and isinstance(writer, TokenShardWriter)
    assert (reader.paths, reader.text_column, reader.id_column, reader.max_bytes) == ([str(tmp_path)], "body",
                                                                                      "url", 1000)  # fmt: skip
    assert (writer.carry_columns, writer.batch_size, writer.max_tokens_per_shard) == (["source"], 7, 500)
    assert writer.output_folder.path == str(tmp_path / "tokens") and writer.tokenizer_spec is TOKENIZER
    (step,) = manifest.pipeline
    assert isinstance(step, ManifestWriter) and step.shard_tasks == 3 and step.pack_length is None


def test_nanotron_adds_datatrove_tokenizer_next_to_the_shards(tmp_path):
    stages = tokenize_stages(InputConfig(paths=[str(tmp_path)]), TokenizeConfig(nanotron=True, pack_length=1023),
                             TOKENIZER, str(tmp_path / "tokens") + "/", tasks=1)  # fmt: skip
    nanotron = stages[0].pipeline[-1]
    assert isinstance(nanotron, DocumentTokenizer)
    assert nanotron.output_folder.path == str(tmp_path / "tokens" / "nanotron")
    assert stages[0].pipeline[1].pack_length == 1023 and stages[1].pipeline[0].pack_length == 1023


def test_grouped_token_stages_tokenize_per_group_then_summarise(tmp_path):
    summary_step = object()
    settings = TokenizeConfig(batch_size=5)
    tokenize, summary = grouped_token_stages(str(tmp_path / "curated"), str(tmp_path / "tokens"), ["python", "go"],
                                             settings, TOKENIZER, 4, [summary_step], id_column="blob_id")  # fmt: skip
    (writer,) = tokenize.pipeline
    assert isinstance(writer, GroupedTokenShardWriter) and tokenize.tasks == 4
    assert (writer.groups, writer.id_column, writer.writer_settings["batch_size"]) == (["python", "go"], "blob_id", 5)
    assert summary.name == "summary" and summary.tasks == 1 and summary.pipeline[1] is summary_step
    manifests = summary.pipeline[0]
    assert isinstance(manifests, GroupedManifestWriter) and manifests.shard_tasks == 4


def test_spec_samples_input_files(real_corpus, tmp_path):
    config = validate_config({"pipeline": "tokenize", "output_dir": str(tmp_path / "out"),
                              "input": {"paths": [str(real_corpus)]}})  # fmt: skip
    units = SPEC.input_units(config)
    assert units.name == "files" and units.config_key == "input.paths"
    assert len(units.units) == 8 and all(u.endswith((".jsonl.gz", ".parquet")) for u in units.units)
    assert SPEC.name == "tokenize" and SPEC.subset_prefix is None
    stages = SPEC.build_stages(config, TOKENIZER)
    assert [s.name for s in stages] == ["tokenize", "manifest"] and stages[0].tasks == config.executor.tasks
