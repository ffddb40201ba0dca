"""Dedup stage wiring over datatrove: exact (normalised content hash) and MinHash near-dedup, with presets."""

from smolcorpus.dedup.exact import exact_dedup_filter, exact_dedup_stages, normalized_content
from smolcorpus.dedup.minhash import PRESETS, minhash_filter, minhash_stages

__all__ = ["PRESETS", "exact_dedup_filter", "exact_dedup_stages", "minhash_filter", "minhash_stages",
           "normalized_content"]  # fmt: skip
