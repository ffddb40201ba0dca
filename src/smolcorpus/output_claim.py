"""Which output folder a run may write into, and one run at a time in it.

A run writes only into an empty (or new) folder, or into one that an earlier run of the same config made: the
first run leaves `.smolcorpus-run.json` (pipeline, name and a hash of the config without the executor settings
that only say how to run it), and a rerun with the same hash resumes. Anything else is refused before any work,
naming the folder and the fix: a folder of someone else's files, a folder of a different run, an input inside the
output folder or the output folder inside an input.

While it runs, the run holds an exclusive `flock` on `.smolcorpus-run.lock` (which says the holder's pid and
host); a second run of the same output is refused with that message. The kernel releases the lock when the holder
dies, so a lock left by a killed run is taken over by the next one without any cleanup.

Local output folders only (an `s3://` output is not checked). The inputs are the config's `InputPath` fields,
whatever the pipeline (`RunConfig.input_paths`). This module reads a `RunConfig`, so it sits in the run layer beside
`run.py`, not in `runtime/`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from smolcorpus.config import RunConfig, is_remote
from smolcorpus.errors import ConfigError
from smolcorpus.runtime.atomic_folder import write_text_whole

MARKER = ".smolcorpus-run.json"
LOCK = ".smolcorpus-run.lock"
# executor keys that say how a run executes, not what it makes (a rerun may change them and still resume)
HOW_TO_RUN = ("kind", "tasks", "workers", "slurm", "ray")


def config_hash(config: RunConfig) -> str:
    """sha256 of the resolved config without `HOW_TO_RUN` (a changed task count is refused by the stage runner,
    with its own message)."""
    data = config.model_dump(mode="json")
    data["executor"] = {k: v for k, v in data["executor"].items() if k not in HOW_TO_RUN}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output_folder(config: RunConfig) -> None:
    """Raise ConfigError when the run may not write into `config.output_dir` (see the module docstring)."""
    if is_remote(config.output_dir):
        return
    output = Path(config.output_dir).resolve()
    for path in config.input_paths():  # every `InputPath` field of the config, whatever the pipeline
        source = Path(path).resolve()
        if _inside(source, output):
            raise ConfigError(
                f"input {path} is inside the output folder {output}: the run would read its own outputs; "
                "choose an output_dir outside the inputs"
            )
        if _inside(output, source):
            raise ConfigError(
                f"the output folder {output} is inside the input {path}: a rerun would read this run's outputs; "
                "choose an output_dir outside the inputs"
            )
    if not output.exists():
        return
    if not output.is_dir():
        raise ConfigError(f"output_dir {output} is a file, not a folder")
    marker = output / MARKER
    if marker.is_file():
        try:
            made_by = json.loads(marker.read_text())
        except (OSError, ValueError):
            made_by = {}
        if made_by.get("config_hash") != config_hash(config):
            raise ConfigError(
                f"output_dir {output} holds the outputs of a different run ({made_by.get('pipeline', '?')} "
                f"'{made_by.get('name', '?')}', another config); choose a new output_dir, or delete that folder "
                "to start over"
            )
        return
    if any(entry.name != LOCK for entry in output.iterdir()):
        raise ConfigError(
            f"output_dir {output} is not empty and no smolcorpus run made it (no {MARKER}); a run writes only "
            "into a new or empty folder, or one an earlier run of the same config made: choose another output_dir"
        )


@contextlib.contextmanager
def claimed_output_folder(config: RunConfig) -> Iterator[None]:
    """Check the folder, take its lock for the duration of the run, and leave the marker (local folders)."""
    check_output_folder(config)
    if is_remote(config.output_dir):
        yield
        return
    output = Path(config.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    fd = os.open(output / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode(errors="replace").strip() or "another process"
            raise ConfigError(
                f"output_dir {output.resolve()} is in use by another run ({holder}); wait for it to finish, or "
                "give this run another output_dir"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}".encode(), 0)
        marker = output / MARKER
        if not marker.exists():
            made_by = {"pipeline": config.pipeline, "name": config.name, "config_hash": config_hash(config)}
            write_text_whole(marker, json.dumps(made_by, indent=2) + "\n")  # an empty one would refuse the rerun
        yield
    finally:
        os.close(fd)  # releases the lock
