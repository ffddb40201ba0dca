"""Dedup steps over datatrove: exact (normalised content hash) and MinHash near-dedup. The stages they run in
are composed by `pipelines/dedup.py`."""

from smolcorpus.dedup.exact import exact_dedup_filter, exact_dedup_signature, exact_find_dedups, normalized_content
from smolcorpus.dedup.minhash import (
    minhash_buckets,
    minhash_clusters,
    minhash_config,
    minhash_filter,
    minhash_signature,
)

__all__ = ["exact_dedup_filter", "exact_dedup_signature", "exact_find_dedups", "minhash_buckets", "minhash_clusters",
           "minhash_config", "minhash_filter", "minhash_signature", "normalized_content"]  # fmt: skip
