"""The judge's rubrics: each kind of corpus gets its rubric, a real document lands inside the prompt unchanged, and
every prompt ends with the machine-readable score line the judge parses."""

import json

import pytest

from smolcorpus.classifiers.rubrics import MATH, SCORE_LINE, WEB_EDU, get_rubric


def test_each_spec_names_its_rubric_and_version():
    assert get_rubric("web-edu") is WEB_EDU and get_rubric("math") is MATH
    python = get_rubric("code:Python")
    assert python.name == "code:Python" and python.version
    with pytest.raises(ValueError, match="unknown rubric 'code:'"):
        get_rubric("code:")


def test_a_real_source_file_lands_in_the_prompt_unchanged(shared_data):
    entry = json.loads((shared_data / "code" / "index.jsonl").read_text().splitlines()[0])
    source = (shared_data / entry["file"]).read_text()
    prompt = get_rubric(f"code:{entry['language']}").prompt(source)
    assert source in prompt and f"valid {entry['language']} code" in prompt
    assert prompt.rstrip().splitlines()[-1].startswith("where N is") and SCORE_LINE in prompt
    # braces in code (dicts, f-strings) are document text, never template fields
    assert get_rubric("code:Rust").prompt('fn main() { println!("{}", 1); }').count("{}") == 1
    # the language's advanced topic is named; an unknown language gets the general one
    assert "ownership and lifetimes" in get_rubric("code:Rust").template
    assert "algorithms and data structures" in get_rubric("code:Haskell").template


def test_web_and_math_rubrics_grade_on_0_to_5():
    for rubric in (WEB_EDU, MATH):
        prompt = rubric.prompt("The derivative of x^2 is 2x.")
        assert "The derivative of x^2 is 2x." in prompt and "from 0 to 5" in prompt


def test_grade_only_prompts_ask_for_the_total_alone():
    for spec in ("web-edu", "math", "code:Python"):
        rubric = get_rubric(spec)
        full, bare = rubric.prompt("x = 1", "Python"), rubric.prompt("x = 1", "Python", grade_only=True)
        assert SCORE_LINE in full and SCORE_LINE not in bare and "justification" not in bare
        assert bare.rstrip().endswith("answer with the total only: one digit from 0 to 5.")
        assert bare.split("</document>")[0] == full.split("</document>")[0]  # the same criteria and document
