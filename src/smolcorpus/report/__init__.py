"""What a run tells its user: the funnel (`funnel.py`: a step of the last stage that sums the drop ledgers and the
curated outputs into summary.json / summary.md) and the HTML report (`page.py`: one self-contained page from the
stage stats and that summary)."""

from smolcorpus.report.page import ReportError, unfinished_stages, write_report

__all__ = ["ReportError", "unfinished_stages", "write_report"]
