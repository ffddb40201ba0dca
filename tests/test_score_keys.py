"""Scores are written and read under one spelling: the keys a scorer's name gives are the keys the threshold
filter and the curated writers read."""

from datatrove.data import Document

from smolcorpus.classifiers.score import ScoreThresholdFilter
from smolcorpus.score_keys import int_score_key, score_key, score_keys
from smolcorpus.writers.curated import finemath_row


def test_keys_of_a_name():
    assert score_keys("edu") == ("edu_score", "edu_int_score") == (score_key("edu"), int_score_key("edu"))


def test_threshold_and_writer_read_the_keys_a_name_gives():
    kept = Document(text="a", id="1", metadata={score_key("math"): 3.4, int_score_key("math"): 3})
    below = Document(text="b", id="2", metadata={score_key("math"): 1.2, int_score_key("math"): 1})
    threshold = ScoreThresholdFilter("math", 3)
    assert threshold.filter(kept) is True and threshold.filter(below) is not True
    row = finemath_row(kept, score_name="math")
    assert (row["score"], row["int_score"]) == (3.4, 3)
