"""The metadata keys a classifier's scores live under, spelled in one place: a scorer named `edu` writes
`edu_score` (float) and `edu_int_score` (int), and counts its documents per grade as `edu_int_score=3`; thresholds,
writers, samples and reports read them back by the same name."""

from __future__ import annotations

import re

SCORE_SUFFIX = "_score"
INT_SCORE_SUFFIX = "_int_score"
_GRADE_COUNTER = re.compile(rf"^(?P<name>.+){INT_SCORE_SUFFIX}=(?P<grade>-?\d+)$")


def score_key(name: str) -> str:
    """`<name>_score`: the classifier's float score."""
    return f"{name}{SCORE_SUFFIX}"


def int_score_key(name: str) -> str:
    """`<name>_int_score`: the score rounded to a grade (or 0/1 for binary labels)."""
    return f"{name}{INT_SCORE_SUFFIX}"


def score_keys(name: str) -> tuple[str, str]:
    """(`<name>_score`, `<name>_int_score`)."""
    return score_key(name), int_score_key(name)


def is_score_key(key: str) -> bool:
    """Whether a metadata key holds a score (`<name>_score` or `<name>_int_score`, a classifier's or language
    ID's `language_score`)."""
    return key.endswith(SCORE_SUFFIX)


def grade_counter(name: str, grade: int) -> str:
    """The scorer's counter of documents with int score `grade`: `<name>_int_score=<grade>`."""
    return f"{int_score_key(name)}={grade}"


def parse_grade_counter(counter: str) -> tuple[str, int] | None:
    """(name, grade) of a `grade_counter`, None for any other counter."""
    match = _GRADE_COUNTER.match(counter)
    return (match["name"], int(match["grade"])) if match else None
