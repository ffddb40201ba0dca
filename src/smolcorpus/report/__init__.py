"""What a run tells its user, read from the files the run wrote: the HTML report (`page.py`: one self-contained
page from the stage stats, the funnel summary that `writers/funnel.py` wrote, and the samples; charts:
`charts.py`) and its screenshots (`screenshot.py`)."""

from smolcorpus.report.page import ReportError, unfinished_stages, write_report

__all__ = ["ReportError", "unfinished_stages", "write_report"]
