"""What every executor writes about itself (`executor.json`), with credentials redacted."""

from __future__ import annotations

import json

from datatrove.executor.base import ExecutorJSONEncoder

from smolcorpus.runtime.redaction import redact


class RedactedJsonMixin:
    """datatrove writes every executor's settings, pipeline steps included, to `logs/<stage>/executor.json`;
    this writes the same document with credentials redacted (storage options, tokens: `runtime/redaction.py`)."""

    def save_executor_as_json(self, indent: int = 4):
        data = json.loads(json.dumps(self, cls=ExecutorJSONEncoder))
        with self.logging_dir.open("executor.json", "w") as f:
            json.dump(redact(data), f, indent=indent)
