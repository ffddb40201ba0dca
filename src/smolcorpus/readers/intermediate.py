"""Reading a stage's intermediate JSONL.gz (e.g. `work/filtered/`) in a later stage.

datatrove's JsonlReader raises when its folder holds no file, which is what a stage leaves when every document
was dropped (or a task kept nothing): a legitimate outcome, not an error. This reader yields nothing then, and
counts it, so the later stages (dedup, curate, tokenize, summary) finish and the funnel shows where everything
went.
"""

from __future__ import annotations

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.readers import JsonlReader
from datatrove.utils.logging import logger


class IntermediateReader(JsonlReader):
    """`JsonlReader(folder, glob_pattern="*.jsonl.gz")` that tolerates an empty or missing folder."""

    name = "🐿 Intermediate JSONL"

    def __init__(self, folder: str):
        super().__init__(folder, glob_pattern="*.jsonl.gz")

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        if not self.data_folder.exists("") or not self.data_folder.list_files(glob_pattern=self.glob_pattern):
            logger.warning(f"{self.data_folder.path}: no documents reached this stage (every one was dropped)")
            self.stat_update("empty_input")
            return
        yield from super().run(None, rank, world_size)
