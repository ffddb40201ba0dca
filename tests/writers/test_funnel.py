"""The funnel summary from ledgers and curated files written by the real writers."""

import json

from datatrove.data import Document

from smolcorpus.writers.curated import StackEduWriter
from smolcorpus.writers.funnel import FunnelSummaryWriter, build_funnel, format_funnel
from smolcorpus.writers.ledger import DropLedger


def test_read_equals_kept_plus_dropped(tmp_path):
    kept = [Document(text="x = 1\n" * 10, id=f"k{i}", metadata={"language": "Python"}) for i in range(3)]
    list(StackEduWriter(str(tmp_path / "curated")).run(iter(kept)))
    ledger = DropLedger(str(tmp_path / "dropped"), "filters")
    with ledger:
        ledger.record(0, "binary", "r1", "Python", 100)
        dropped = Document(text="y", id="d1", metadata={"language": "Go", "filter_reason": "minified"})
        ledger.write(dropped, 0)
    list(FunnelSummaryWriter(str(tmp_path), str(tmp_path / "dropped"), str(tmp_path / "curated")).run())
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["totals"] == {"read": 5, "kept_files": 3, "kept_tokens": 0, "dropped_files": 2,
                                 "dropped_with_formulas": 0}  # fmt: skip
    assert summary["dropped_by_reason"] == {"filters/binary": 1, "filters/minified": 1}
    assert summary["languages"]["Python"]["read"] == 4
    assert "| Go | filters | minified | 1 |" in (tmp_path / "summary.md").read_text()


def test_token_estimates_use_the_languages_kept_ratio():
    kept = {"Python": {"files": 2, "bytes": 1000, "tokens": 250}}
    dropped = {("Python", "filters", "minified"): {"files": 1, "bytes": 400}}
    summary = build_funnel(dropped, kept)
    assert summary["languages"]["Python"]["dropped"][0]["tokens_estimate"] == 100
    assert "≈ tokens" in format_funnel(summary)


def test_dropped_pages_with_formulas_are_counted_per_step_and_reason(tmp_path):
    ledger = DropLedger(str(tmp_path / "dropped"), "quality", samples_folder=str(tmp_path / "samples"))
    with ledger:
        for i, formulas in enumerate([4, 0, None, 1]):
            metadata = {"language": "en", "filter_reason": "gopher_short_doc", "math_formulas": formulas}
            ledger.write(Document(text="text", id=f"p{i}", metadata=metadata), 0)
    list(FunnelSummaryWriter(str(tmp_path), str(tmp_path / "dropped"), str(tmp_path / "curated")).run())
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["dropped_with_formulas_by_reason"] == {"quality/gopher_short_doc": 2}
    assert summary["totals"]["dropped_with_formulas"] == 2
    assert summary["languages"]["en"]["dropped"][0]["with_formulas"] == 2
    markdown = (tmp_path / "summary.md").read_text()
    assert "| en | quality | gopher_short_doc | 4 | 2 |" in markdown and "2 dropped pages held formulas" in markdown


def test_kept_tokens_are_a_number_or_n_a_never_none():
    kept = {"Python": {"files": 2, "bytes": 1000, "tokens": 250}, "Go": {"files": 1, "bytes": 10, "tokens": None}}
    dropped = {("Rust", "filters", "minified"): {"files": 1, "bytes": 400}}
    markdown = format_funnel(build_funnel(dropped, kept))
    assert "None" not in markdown
    assert "| Rust | 1 | 0 | 0 | 1 |" in markdown  # nothing kept: 0 tokens
    assert "| Go | 1 | 1 | n/a | 0 |" in markdown and "n/a: no token count" in markdown
