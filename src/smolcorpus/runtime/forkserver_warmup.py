"""Imported last by the forkserver of local runs (after the run's step modules): runs datatrove's dependency check of
every step class imported so far, so that the forked workers inherit its answers.

datatrove checks a step's `_requires_dependencies` each time a step is created, unpickling included, by reading the
metadata of every installed distribution (cached per process; measured ≈ 0.1 s of CPU per package name, in every
worker of every stage otherwise)."""

from __future__ import annotations

import contextlib

from datatrove.pipeline.base import PipelineStep
from datatrove.utils._import_utils import check_required_dependencies


def _step_classes(base: type) -> list[type]:
    classes = []
    for subclass in base.__subclasses__():
        classes += [subclass, *_step_classes(subclass)]
    return classes


def check_imported_steps() -> None:
    """datatrove's check (the one `PipelineStep.__new__` makes) for every step class imported so far."""
    for step_class in _step_classes(PipelineStep):
        required = [d for t in step_class.mro() for d in getattr(t, "_requires_dependencies", [])]
        # a step this run cannot use: creating it raises the same error where it is used
        with contextlib.suppress(ImportError):
            check_required_dependencies(step_class.__name__, required)


check_imported_steps()
