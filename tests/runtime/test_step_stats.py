"""Counting on behalf of a step: a drop is counted as `dropped_<reason>` and ledgered; a step running another
step takes over its counters."""

import gzip
import json

from datatrove.data import Document
from datatrove.pipeline.filters import LambdaFilter

from smolcorpus.runtime.step_stats import count_drop, merge_stats
from smolcorpus.writers.ledger import DropLedger


def test_a_drop_is_counted_and_ledgered(tmp_path):
    step = LambdaFilter(lambda doc: True)
    ledger = DropLedger(str(tmp_path), "reader")
    with ledger:
        count_drop(step, "too_large", ledger, 0, "file.py", "Python", 12_000_000)
        count_drop(step, "too_large")  # a step without a ledger still counts
    assert step.stats["dropped_too_large"].total == 2
    with gzip.open(tmp_path / "reader" / "00000.jsonl.gz", "rt") as f:
        lines = [json.loads(line) for line in f]
    assert lines == [{"id": "file.py", "language": "Python", "reason": "too_large", "bytes": 12_000_000,
                      "step": "reader", "formulas": None}]  # fmt: skip


def test_an_inner_steps_counters_become_the_outer_steps():
    inner = LambdaFilter(lambda doc: "keep" in doc.text)
    outer = LambdaFilter(lambda doc: True)
    documents = [Document(text=t, id=str(i)) for i, t in enumerate(["keep a", "drop b", "keep c"])]
    assert [d.id for d in inner.run(iter(documents))] == ["0", "2"]
    merge_stats(outer, inner, exclude=("total",))
    merge_stats(outer, inner, keys=("forwarded",), prefix="inner/")
    assert outer.stats["forwarded"].total == 2 and outer.stats["dropped"].total == 1
    assert outer.stats["inner/forwarded"].total == 2 and "total" not in outer.stats.stats
