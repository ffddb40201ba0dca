"""The one way the readers list their input files: a file is taken as given, a folder is walked for the files a
reader reads; names starting with "." (hidden files and folders: `.git`, `.cache`, editors' and tools' files) are
skipped inside a folder; the list is sorted by path, without repeats, so every task of a run computes the same list
and takes `files[rank::world_size]`.

Source trees are the one exception to the hidden rule: a repository's dot-folders (`.github` with its issue
templates, `.circleci`) are part of it as The Stack has them, so the source-tree reader skips only version control
and cache folders (its `skip` rule)."""

from __future__ import annotations

import os
from collections.abc import Callable

from smolcorpus.errors import InputFileError

HIDDEN_PREFIX = "."


def is_hidden(name: str) -> bool:
    """Whether a file or folder name is hidden: it starts with "."."""
    return name.startswith(HIDDEN_PREFIX)


def list_input_files(paths: list[str], wanted: Callable[[str], bool], storage_options: dict | None = None,
                     not_wanted: str | None = None, skip: Callable[[str], bool] = is_hidden) -> list[str]:  # fmt: skip
    """Files of `paths` (local or fsspec URLs): each folder walked recursively for the files whose path `wanted`
    accepts, names that `skip` accepts (default: hidden ones) left out with all they hold; a file named directly
    is kept as given. `not_wanted`: the error a file named directly that `wanted` refuses raises (InputFileError),
    or None to keep it anyway. A path that does not exist raises InputFileError. Sorted by path, de-duplicated."""
    import fsspec

    files: set[str] = set()
    for path in paths:
        fs, root = fsspec.core.url_to_fs(path, **(storage_options or {}))
        if fs.isfile(root):
            if not_wanted is not None and not wanted(root):
                raise InputFileError(path, not_wanted)
            files.add(path)
        elif fs.isdir(root):
            prefix = path.split("://", 1)[0] + "://" if "://" in path else ""
            found = _walk_local(root, skip) if _is_local(fs) else fs.find(root)
            base = len(root.rstrip("/")) + 1
            files.update(prefix + f for f in found if wanted(f) and not any(map(skip, f[base:].split("/"))))
        else:
            raise InputFileError(path, "no such file or folder")
    return sorted(files)


def _is_local(fs) -> bool:
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return protocol in ("file", "local")


def _walk_local(root: str, skip: Callable[[str], bool]) -> list[str]:
    """Every file under a local folder, skipped folders not entered and symlinked folders not followed (a link to
    an ancestor would loop; a symlinked file is listed, and its reader decides whether its target belongs)."""
    found = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = [name for name in subdirectories if not skip(name)]
        found += [os.path.join(directory, name) for name in names]
    return found
