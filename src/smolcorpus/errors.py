"""Errors that smolcorpus raises on purpose, each with a message that names the culprit and the fix."""


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
