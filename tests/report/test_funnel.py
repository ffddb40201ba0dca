"""The funnel summary from ledgers and curated files written by the real writers."""

import json

from datatrove.data import Document

from smolcorpus.report.funnel import FunnelSummaryWriter, build_funnel, format_funnel
from smolcorpus.writers.curated import StackEduWriter
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
    assert summary["totals"] == {"read": 5, "kept_files": 3, "kept_tokens": 0, "dropped_files": 2}
    assert summary["dropped_by_reason"] == {"filters/binary": 1, "filters/minified": 1}
    assert summary["languages"]["Python"]["read"] == 4
    assert "| Go | filters | minified | 1 |" in (tmp_path / "summary.md").read_text()


def test_token_estimates_use_the_languages_kept_ratio():
    kept = {"Python": {"files": 2, "bytes": 1000, "tokens": 250}}
    dropped = {("Python", "filters", "minified"): {"files": 1, "bytes": 400}}
    summary = build_funnel(dropped, kept)
    assert summary["languages"]["Python"]["dropped"][0]["tokens_estimate"] == 100
    assert "≈ tokens" in format_funnel(summary)
