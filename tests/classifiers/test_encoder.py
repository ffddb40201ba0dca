"""The frozen encoder: settings read from a sentence-transformers folder, the embedding cache's key and reuse
(no weights loaded), and, marked slow, MiniLM itself (pooling, normalisation, truncation, default length)."""

import json
import os

import numpy as np
import pytest

from smolcorpus.classifiers.encoder import Encoder, _sentence_transformers_settings
from tests.concurrency import assert_two_processes_do_the_work_once


@pytest.fixture(scope="module")
def minilm():
    return Encoder(None, max_length=128)


@pytest.mark.slow  # loads MiniLM and encodes on CPU
def test_default_encoder_is_minilm_with_its_own_pooling(minilm):
    assert minilm.pooling == "mean" and minilm.normalize
    vectors = minilm.embed(["the derivative of x squared is 2x", "a recipe for lemon cake", ""])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, rtol=1e-5)


@pytest.mark.slow  # loads MiniLM and encodes on CPU
def test_long_texts_are_truncated_and_counted(minilm):
    before = minilm.truncated
    minilm.embed(["word " * 1000, "short"])
    assert minilm.truncated - before == 1


@pytest.mark.slow  # loads MiniLM twice
def test_default_max_length_is_the_length_the_encoder_was_trained_at():
    """all-MiniLM-L6-v2 was trained on 256-token inputs (sentence_bert_config.json), though its positions go to 512."""
    encoder = Encoder(None)
    assert encoder.max_length == 256 and encoder.model.config.max_position_embeddings == 512
    assert Encoder(None, max_length=2048).max_length == 512  # never past the position table


def test_sentence_transformers_files_say_pooling_normalisation_and_length(tmp_path):
    assert _sentence_transformers_settings(tmp_path) == (None, None, None)  # a plain transformers folder
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    modules = [{"type": "sentence_transformers.models.Transformer"}, {"type": "sentence_transformers.models.Pooling"}]
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    (tmp_path / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 384}))
    assert _sentence_transformers_settings(tmp_path) == ("cls", False, 384)
    modules.append({"type": "sentence_transformers.models.Normalize"})
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_mean_tokens": True}))
    assert _sentence_transformers_settings(tmp_path) == ("mean", True, 384)


def unloaded_encoder(**settings) -> Encoder:
    """An Encoder with its settings but no model: `embed` records what it is asked and returns fixed vectors."""
    encoder = object.__new__(Encoder)
    encoder.__dict__.update(name="enc", pooling="mean", max_length=256, normalize=True, dtype="float32")
    encoder.__dict__.update(settings)
    encoder.calls = []

    def embed(texts, batch_size=32):
        encoder.calls.append(list(texts))
        return np.arange(len(texts) * 2, dtype=np.float32).reshape(len(texts), 2)

    encoder.embed = embed
    return encoder


def test_embedding_cache_is_keyed_by_settings_dtype_and_data(isolated_cache):
    texts = ["a", "b", "c"]
    first = unloaded_encoder()
    vectors = first.embed_cached(texts, "sha-1")
    again = unloaded_encoder()
    np.testing.assert_array_equal(again.embed_cached(texts, "sha-1"), vectors)
    assert again.calls == []  # the same settings and data: read back, not embedded
    assert len(list((isolated_cache / "embeddings").glob("*.tmp*"))) == 0  # written whole, then renamed
    for changed, data in (({"max_length": 128}, "sha-1"), ({"pooling": "cls"}, "sha-1"), ({"dtype": "bfloat16"},
                          "sha-1"), ({"normalize": False}, "sha-1"), ({}, "sha-2")):  # fmt: skip
        other = unloaded_encoder(**changed)
        other.embed_cached(texts, data)
        assert other.calls == [texts], (changed, data)


def test_a_cached_file_of_another_size_is_not_reused(isolated_cache):
    unloaded_encoder(name="resized").embed_cached(["a", "b"], "sha-3")
    grown = unloaded_encoder(name="resized")
    assert grown.embed_cached(["a", "b", "c"], "sha-3").shape == (3, 2) and grown.calls == [["a", "b", "c"]]


def _embed_in_child(name: str, ready, calls, go) -> None:
    """A process's `embed_cached` of the same texts and settings as its siblings; `embed` reports each call and
    waits for the test's go-ahead before returning (so that siblings arrive while it is encoding)."""
    encoder = unloaded_encoder(name=name)
    plain_embed = encoder.embed

    def reporting_embed(texts, batch_size=32):
        calls.put(os.getpid())
        go.wait(120)
        return plain_embed(texts, batch_size)

    encoder.embed = reporting_embed
    ready.put(os.getpid())
    encoder.embed_cached(["a", "b", "c"], "sha-concurrent")


def test_concurrent_processes_embed_the_same_data_once(isolated_cache):
    assert_two_processes_do_the_work_once(_embed_in_child, "shared")
    assert len(list((isolated_cache / "embeddings").glob("*.npy"))) >= 1
