"""Decontamination against the real benchmark sets in ../shared/data/contamination."""

import json

import pytest
from datatrove.data import Document

from smolcorpus.filters.decontamination import DecontaminationFilter, benchmark_from_file


@pytest.fixture(scope="module")
def benchmarks(shared_data):
    folder = shared_data / "contamination"
    return {
        name: benchmark_from_file(str(folder / file))
        for name, file in [("humaneval", "HumanEval.jsonl.gz"), ("mbpp", "mbpp.jsonl"),
                           ("gsm8k", "gsm8k_test.jsonl"), ("math500", "math500_test.jsonl")]
    }  # fmt: skip


def test_benchmarks_load_with_their_text_fields(benchmarks):
    assert [len(benchmarks[n].texts) for n in ("humaneval", "mbpp", "gsm8k", "math500")] == [164, 974, 1319, 500]
    assert "def has_close_elements" in benchmarks["humaneval"].texts[0]
    assert benchmarks["gsm8k"].name == "gsm8k"


def test_copies_are_caught_and_named(benchmarks):
    code = DecontaminationFilter([benchmarks["humaneval"], benchmarks["mbpp"]], n=10)
    solution = benchmarks["humaneval"].texts[5]
    page = Document(text="Here is my homework, please help:\n\n" + solution + "\nThanks!", id="a")
    assert code.filter(page) == (False, "contaminated_humaneval")
    math = DecontaminationFilter([benchmarks["gsm8k"], benchmarks["math500"]], n=13)
    question = benchmarks["gsm8k"].texts[42].split("\n")[0]
    reformatted = "**Problem.** " + question.upper().replace(" ", "  ")
    assert math.filter(Document(text=reformatted, id="b")) == (False, "contaminated_gsm8k")


def test_real_documents_are_mostly_clean(benchmarks, real_documents):
    math = DecontaminationFilter([benchmarks["gsm8k"], benchmarks["math500"]], n=13)
    code = DecontaminationFilter([benchmarks["humaneval"], benchmarks["mbpp"]], n=13)
    flagged = [i for i, text in real_documents.items() if math.match(text) or code.match(text)]
    assert len(flagged) <= 0.02 * len(real_documents), flagged


def test_counts_per_benchmark_as_a_datatrove_step(benchmarks):
    step = DecontaminationFilter(list(benchmarks.values()), n=13)
    docs = [Document(text=benchmarks["math500"].texts[i], id=f"m{i}") for i in range(3)]
    docs += [Document(text="A page about gardening and lemon trees. " * 10, id="clean")]
    kept = list(step.run(iter(docs)))
    assert [d.id for d in kept] == ["clean"]
    assert step.stats["dropped_contaminated_math500"].total == 3
    json.dumps({k: v.total for k, v in step.stats.stats.items()})


def test_digit_runs_are_not_contamination(benchmarks, shared_data):
    """A real Java file with a `0 1 2 ... 9` digit table shares that 10-gram with a HumanEval item; such runs say
    nothing about copying, so they are not indexed."""
    code = DecontaminationFilter([benchmarks["humaneval"], benchmarks["mbpp"]], n=10)
    java = shared_data / "code/java/TheAlgorithms__Java/src/main/java/com/thealgorithms/conversions"
    assert code.match((java / "DecimalToHexadecimal.java").read_text()) is None
    assert code.match("digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]") is None
    assert "NgramIndex(n=10" in str(code.index) and len(str(code.index)) < 200  # what executor.json shows
