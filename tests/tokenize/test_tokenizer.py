"""The offline SmolLM2 tokenizer resolved as every pipeline resolves it: what the manifest records, an end-of-text
id, a picklable spec that workers load themselves, and a clear error for an end-of-text token it does not have."""

import pickle

import numpy as np
import pytest

from smolcorpus.errors import ConfigError
from smolcorpus.tokenize.tokenizer import resolve_tokenizer_spec


def test_the_default_is_smollm2_offline(real_documents):
    spec = resolve_tokenizer_spec(None)
    assert spec.vocab_size == 49_152 and spec.eos_token_id == 0 and spec.dtype == np.uint16
    assert len(spec.sha256) == 64 and spec.name.startswith("default")
    tokenizer = pickle.loads(pickle.dumps(spec)).load()
    text = next(iter(real_documents.values()))
    ids = tokenizer.encode(text).ids
    assert 0 < len(ids) < len(text) and max(ids) < spec.vocab_size
    assert tokenizer.decode(ids) == text


def test_an_eos_token_outside_the_vocabulary_is_a_config_error():
    with pytest.raises(ConfigError, match=r"tokenize.eos_token '</s>' is not in the vocabulary"):
        resolve_tokenizer_spec(None, eos_token="</s>")
