"""Tokenization: tokenizer resolution, Parquet token shards + manifest, and the streaming training loader.

`TokenShardDataset` and `LoaderPosition` need torch (the `[torch]` extra) and are imported lazily.
"""

from smolcorpus.tokenize.manifest import ManifestWriter, build_manifest, read_manifest
from smolcorpus.tokenize.shards import TokenShardWriter, encode_documents
from smolcorpus.tokenize.tokenizer import TokenizerSpec, resolve_tokenizer_spec

__all__ = [
    "LoaderPosition",
    "ManifestWriter",
    "TokenShardDataset",
    "TokenShardWriter",
    "TokenizerSpec",
    "build_manifest",
    "encode_documents",
    "read_manifest",
    "resolve_tokenizer_spec",
]


def __getattr__(name: str):
    if name in ("TokenShardDataset", "LoaderPosition"):
        from smolcorpus.tokenize import loader

        return getattr(loader, name)
    raise AttributeError(f"module 'smolcorpus.tokenize' has no attribute {name!r}")
