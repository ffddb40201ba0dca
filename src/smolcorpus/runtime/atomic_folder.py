"""Whole outputs: a folder built in `<folder>.partial`, then swapped in, and a small file written to
`<file>.partial`, then renamed, so that readers (and reruns) never see one half-written (a full disk, a kill)."""

from __future__ import annotations

import os
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


def write_text_whole(path: str | Path, text: str) -> None:
    """Write `text` to `path` (UTF-8) under a temporary name, then rename it: `path` is whole or as it was."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
