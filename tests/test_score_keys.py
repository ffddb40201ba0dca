"""Scores are written and read under one spelling: the keys a scorer's name gives are the keys the threshold
filter and the curated writers read."""

from datatrove.data import Document

from smolcorpus.classifiers.score import ScoreThresholdFilter
from smolcorpus.score_keys import (
    grade_counter,
    int_score_key,
    is_score_key,
    parse_grade_counter,
    score_key,
    score_keys,
)
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


def test_grade_counters_read_back_as_written():
    # the scorer counts `<name>_int_score=<grade>`; the report's histograms parse it back, negative grades too
    assert parse_grade_counter(grade_counter("math_int", 3)) == ("math_int", 3)
    assert parse_grade_counter(grade_counter("edu", -1)) == ("edu", -1)
    assert parse_grade_counter("dropped_below_threshold") is None and parse_grade_counter("edu_int_score=") is None


def test_samples_keep_every_score_and_no_other_number():
    assert is_score_key(score_key("edu")) and is_score_key(int_score_key("edu")) and is_score_key("language_score")
    assert not is_score_key("math_formulas")
