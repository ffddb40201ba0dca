"""Errors that smolcorpus raises on purpose, each with a message that names the culprit and the fix."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path


class SmolcorpusError(Exception):
    """Base class: the CLI prints these without a traceback."""


class ConfigError(SmolcorpusError, ValueError):
    """A config file (or CLI override) is invalid; raised before any work starts."""


class AssetNotFoundError(SmolcorpusError, FileNotFoundError):
    """A model, tokenizer or word list could not be resolved offline; the message says what to install or pass."""


class InputFileError(SmolcorpusError):
    """An input file could not be read (corrupt, truncated, wrong format). Fails the task that owns the file."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"cannot read input file {path}: {reason}")
        self.path = path
        self.reason = reason


class StageFailedError(SmolcorpusError):
    """Some tasks of a pipeline stage did not complete; rerunning the same command retries only those."""


class DiskFullError(SmolcorpusError, OSError):
    """A write failed for want of space (a full disk, or the quota): the message names the folder and what is free
    there now. Nothing half-written counts as done, so a rerun, once there is space, redoes only what did not
    finish."""

    ERRNOS = (errno.ENOSPC, errno.EDQUOT)
    MESSAGES = tuple(os.strerror(code) for code in ERRNOS)  # as they read in a task's log

    def __init__(self, folder: str | os.PathLike):
        self.folder = str(folder)
        super().__init__(
            f"no space left on the disk of {self.folder} ({self.free_bytes(folder) / 1e6:,.1f} MB free now): "
            "free space there, then rerun the same command (finished tasks are kept); "
            "`smolcorpus run CONFIG --estimate` tells how much a run writes"
        )

    @classmethod
    def of(cls, error: OSError, folder: str | os.PathLike) -> DiskFullError:
        """The error for `error`, naming the folder of the file it names, else `folder`."""
        filename = getattr(error, "filename", None)
        return cls(Path(os.fsdecode(filename)).parent if filename else folder)

    @staticmethod
    def free_bytes(folder: str | os.PathLike) -> int:
        """Bytes free for this user on the disk of `folder` (or of its nearest existing parent)."""
        path = Path(folder).absolute()
        while not path.exists() and path != path.parent:
            path = path.parent
        return shutil.disk_usage(path).free

    @classmethod
    def caused(cls, error: BaseException | str) -> bool:
        """Whether `error` (an exception, with its causes, or a logged error line) is a full disk or quota."""
        if isinstance(error, str):
            return any(message in error for message in cls.MESSAGES)
        seen = set()
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            if isinstance(error, cls) or getattr(error, "errno", None) in cls.ERRNOS or cls.caused(str(error)):
                return True
            error = error.__cause__ or error.__context__
        return False
