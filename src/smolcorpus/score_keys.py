"""The metadata keys a classifier's scores live under, spelled in one place: a scorer named `edu` writes
`edu_score` (float) and `edu_int_score` (int); thresholds, writers and reports read them back by the same name."""

from __future__ import annotations


def score_key(name: str) -> str:
    """`<name>_score`: the classifier's float score."""
    return f"{name}_score"


def int_score_key(name: str) -> str:
    """`<name>_int_score`: the score rounded to a grade (or 0/1 for binary labels)."""
    return f"{name}_int_score"


def score_keys(name: str) -> tuple[str, str]:
    """(`<name>_score`, `<name>_int_score`)."""
    return score_key(name), int_score_key(name)
