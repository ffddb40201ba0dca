"""What a run shows on the console, on real runs through the CLI: by default the progress bars and the summary but
none of datatrove's INFO lines or per-task stats blocks (they stay in the task logs); `--verbose` shows them."""

import subprocess
import sys

from smolcorpus.runtime.console import LogLevelFilter


class Collect:
    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)
        return len(text)

    def flush(self):
        pass


def test_records_below_warning_are_dropped_whole():
    sink = Collect()
    stream = LogLevelFilter(sink)
    stream.write("2026-12-01 19:50:44.598 | INFO     | datatrove.executor.local:run:151 - Skipping 2 tasks\n")
    stream.write("\x1b[32m2026-12-01 19:50:44.598\x1b[0m | \x1b[1mSUCCESS \x1b[0m | x:y:1 - \n\nStats: All 2 tasks\n")
    stream.write("[NODE 0] 2026-12-01 19:50:44.598 | DEBUG    | x:y:1 - detail\n")
    stream.write("2026-12-01 19:50:44.600 | WARNING  | smolcorpus.readers.warc:_cut_after:233 - truncated\n")
    # a task with no input file or no duplicate to remove (more tasks than files): expected, kept in the task log
    stream.write("2026-12-01 23:54:08.150 | WARNING  | datatrove.pipeline.readers.base:run:254 - No files found on "
                 "/tmp/demo/web/corpus/work/filtered for rank=2\n")  # fmt: skip
    stream.write("\x1b[32m2026-12-01 23:54:12.669\x1b[0m | \x1b[33m\x1b[1mWARNING \x1b[0m | "
                 "datatrove.pipeline.dedup.minhash:run:625 - No .remove file for rank=1.\n")  # fmt: skip
    stream.write("2026-12-01 23:54:12.700 | WARNING  | datatrove.pipeline.readers.base:run:254 - Unexpected schema\n")
    stream.write("\rstage tokenize:  50%|█████     | 90/181 [00:01<00:01, 90.0doc/s, tasks 1/2]")
    assert sink.parts == [
        "2026-12-01 19:50:44.600 | WARNING  | smolcorpus.readers.warc:_cut_after:233 - truncated\n",
        "2026-12-01 23:54:12.700 | WARNING  | datatrove.pipeline.readers.base:run:254 - Unexpected schema\n",
        "\rstage tokenize:  50%|█████     | 90/181 [00:01<00:01, 90.0doc/s, tasks 1/2]",
    ]


def smolcorpus(*args):
    return subprocess.run([sys.executable, "-m", "smolcorpus.cli", *args], capture_output=True, text=True)


def test_default_console_shows_bars_and_summary_and_verbose_shows_datatrove(real_corpus, tmp_path):
    default = smolcorpus("tokenize", str(real_corpus / "articles"), "--output", str(tmp_path / "a"), "--tasks", "2")
    assert default.returncode == 0, default.stderr[-2000:]
    assert "stage tokenize: 100%" in default.stderr and "stage tokenize: 2 task(s)" in default.stdout
    assert "| INFO" not in default.stderr and "Stats: All 2 tasks" not in default.stderr, default.stderr[-2000:]
    task_log = (tmp_path / "a" / "logs" / "tokenize" / "logs" / "task_00000.log").read_text()
    assert "| INFO" in task_log and "Processing done for rank=0" in task_log  # the log files keep everything

    verbose = smolcorpus("tokenize", str(real_corpus / "articles"), "--output", str(tmp_path / "b"), "--tasks", "2",
                         "--verbose")  # fmt: skip
    assert verbose.returncode == 0, verbose.stderr[-2000:]
    assert "| INFO" in verbose.stderr and "Stats: All 2 tasks" in verbose.stderr
