"""MinHash near-dedup over datatrove: the steps of the three stages that find near-duplicates and the filter step
that removes them; `pipelines/dedup.py` puts them into stages.

datatrove's MinHash runs as: signatures (N tasks) → buckets (one task per bucket) → clusters (1 task) → filter
(the same N tasks over the same input, in the same order, since it drops documents by their index in each
task's stream). This module only builds those steps; the algorithm is datatrove's. The banding is the config's
(`DedupConfig`: 5-grams, 14 buckets × 8 hashes by default, FineWeb's setting, 77 % caught at Jaccard 0.75 and
98.8 % at 0.85, used for code too: The Stack v2 / StarCoder used 5-grams and a 0.7–0.85 similarity band as well).

Code (`CodeWordTokenizer`): datatrove shingles words found by a natural-language tokenizer (spaCy for English),
which costs most of the signature stage's time and ≈ 350 MB per process on source files. Shingles are built
after datatrove's `simplify_text` has lower-cased the text and removed punctuation, so on code a whitespace split
gives the same kind of words at a fraction of the cost.

Per-language dedup (`per_language=True`): each document's shingle hashes are XOR-ed with a hash of its language
before MinHashing, so documents of different languages can never share a bucket signature, while documents of
the same language hash exactly as before. One set of stages then does what one run per language would.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import numpy as np
from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.dedup import (
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.hashing import HashConfig
from datatrove.utils.word_tokenizers import WordTokenizer


def minhash_config(n_grams: int, num_buckets: int, hashes_per_bucket: int) -> MinhashConfig:
    """datatrove's MinHash settings with 64-bit hashes: shingles of `n_grams` words, `num_buckets` LSH bands of
    `hashes_per_bucket` rows."""
    return MinhashConfig(n_grams=n_grams, num_buckets=num_buckets, hashes_per_bucket=hashes_per_bucket,
                         hash_config=HashConfig(precision=64))  # fmt: skip


class CodeWordTokenizer(WordTokenizer):
    """Whitespace words and lines, for MinHash shingles of source code (see the module docstring)."""

    def __init__(self):
        super().__init__("code")

    def word_tokenize(self, text: str) -> list[str]:
        return text.split()

    def sent_tokenize(self, text: str) -> list[str]:
        return [line for line in text.splitlines() if line.strip()]

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        spans, start = [], 0
        for line in text.splitlines(keepends=True):
            if line.strip():
                spans.append((start, start + len(line.rstrip("\r\n"))))
            start += len(line)
        return spans


def language_salt(language: str) -> np.uint64:
    """A 64-bit value derived from the language name (stable across processes, unlike `hash()`)."""
    return np.uint64(int.from_bytes(hashlib.sha1(language.encode()).digest()[:8], "little"))


class LanguageMinhashSignature(MinhashDedupSignature):
    """`MinhashDedupSignature` whose shingles are salted with the document's `language` metadata."""

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1):
        return super().run(self._track_language(data), rank, world_size)

    def _track_language(self, data: DocumentsPipeline) -> Iterator[Document]:
        # the parent computes shingles of each document right after taking it from this generator
        for document in data:
            self._salt = language_salt(str(document.metadata.get("language", "")))
            yield document

    def get_shingles(self, text: str) -> np.ndarray:
        return np.bitwise_xor(super().get_shingles(text), self._salt)


def minhash_signature(work_dir: str, config: MinhashConfig, language: str | WordTokenizer = "eng",
                      per_language: bool = False) -> MinhashDedupSignature:  # fmt: skip
    """The signature stage's last step, writing under `work_dir/signatures`. `language` picks datatrove's word
    tokenizer (or is one, e.g. `CodeWordTokenizer()`); `per_language` dedups within each document `language` only."""
    signature_class = LanguageMinhashSignature if per_language else MinhashDedupSignature
    return signature_class(f"{work_dir.rstrip('/')}/signatures", config=config, language=language)


def minhash_buckets(work_dir: str, config: MinhashConfig) -> MinhashDedupBuckets:
    """The bucket stage's step (one task per bucket): signatures → `work_dir/buckets`."""
    work = work_dir.rstrip("/")
    return MinhashDedupBuckets(f"{work}/signatures", f"{work}/buckets", config=config)


def minhash_clusters(work_dir: str, config: MinhashConfig) -> MinhashDedupCluster:
    """The cluster stage's step (one task): buckets → the ids to remove, `work_dir/remove_ids`."""
    work = work_dir.rstrip("/")
    return MinhashDedupCluster(f"{work}/buckets", f"{work}/remove_ids", config=config)


def minhash_filter(work_dir: str, exclusion_writer: DiskWriter | None = None) -> MinhashDedupFilter:
    """The step that removes the duplicates `minhash_clusters` found (put it in a later stage, over the same
    documents in the same order as the signature stage read)."""
    return MinhashDedupFilter(f"{work_dir.rstrip('/')}/remove_ids", exclusion_writer=exclusion_writer)
