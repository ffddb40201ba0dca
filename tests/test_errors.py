"""Errors raised on purpose name the culprit; the CLI prints them as one line and exits 2, without a traceback."""

import subprocess
import sys

from smolcorpus.errors import ConfigError, InputFileError, SmolcorpusError


def test_input_file_error_names_the_file_and_the_reason():
    error = InputFileError("s3://bucket/part-0.jsonl.gz", "truncated gzip stream")
    assert str(error) == "cannot read input file s3://bucket/part-0.jsonl.gz: truncated gzip stream"
    assert (error.path, error.reason) == ("s3://bucket/part-0.jsonl.gz", "truncated gzip stream")
    assert isinstance(error, SmolcorpusError) and issubclass(ConfigError, ValueError)


def test_the_cli_reports_them_without_a_traceback(tmp_path):
    missing = tmp_path / "missing.html"
    result = subprocess.run([sys.executable, "-m", "smolcorpus.cli", "extract", str(missing)], capture_output=True,
                            text=True)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: cannot read input file {missing}: no such file"


def test_disk_full_error_names_the_folder_and_what_is_free_there(tmp_path):
    import errno

    from smolcorpus.errors import DiskFullError

    error = DiskFullError(tmp_path / "out" / "not yet made")  # its free space is that of the nearest existing parent
    assert str(error).startswith(f"no space left on the disk of {tmp_path / 'out' / 'not yet made'} (")
    assert "MB free now): free space there, then rerun the same command" in str(error)
    assert isinstance(error, OSError) and isinstance(error, SmolcorpusError)

    cause = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "logs" / "stats.json"))
    assert DiskFullError.of(cause, "elsewhere").folder == str(tmp_path / "logs")
    try:
        try:
            raise cause
        except OSError as e:
            raise RuntimeError("closing the file failed") from e  # the full disk is the cause, not the error
    except RuntimeError as wrapped:
        assert DiskFullError.caused(wrapped)
    assert DiskFullError.caused("OSError: [Errno 122] Disk quota exceeded")  # a task's log line
    assert not DiskFullError.caused(OSError(errno.EACCES, "Permission denied"))
