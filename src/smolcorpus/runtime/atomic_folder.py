"""Whole-folder outputs: build in `<folder>.partial`, then swap in, so readers never see a half-written folder."""

from __future__ import annotations

import shutil
from pathlib import Path


def fresh_partial(folder: str | Path) -> Path:
    """An empty `<folder>.partial` next to `folder` (a leftover from an interrupted build is removed)."""
    folder = Path(folder)
    partial = folder.with_name(folder.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    return partial


def swap_in(partial: str | Path, folder: str | Path) -> Path:
    """Replace `folder` with the complete `partial`; an earlier `folder` is deleted only after the swap."""
    partial, folder = Path(partial), Path(folder)
    if not folder.exists():
        partial.rename(folder)
        return folder
    previous = folder.with_name(folder.name + ".previous")
    if previous.exists():
        shutil.rmtree(previous)
    folder.rename(previous)
    partial.rename(folder)
    shutil.rmtree(previous)
    return folder
