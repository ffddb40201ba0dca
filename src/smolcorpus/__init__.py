"""smolcorpus: build FineMath- and Stack-Edu-style pretraining corpora on top of datatrove."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("smolcorpus")
except PackageNotFoundError:  # running from a source tree that was not pip-installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
