"""How to spell the `smolcorpus` command in a hint that a person will paste into a fresh shell.

`scripts/demo.sh` installs into `.venv` and runs `.venv/bin/smolcorpus`; a shell that has not activated the
virtualenv has no `smolcorpus` on its PATH, so a hint that says `smolcorpus extract …` fails there with `command not
found`. A hint names the command as it will run: `smolcorpus` when that name on PATH is this installation, else this
installation's script (`.venv/bin/smolcorpus`, relative to the current folder when it is under it).
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path


def smolcorpus_command() -> str:
    """`smolcorpus`, the path of this installation's script, or `<python> -m smolcorpus.cli` where there is none."""
    script = Path(sys.executable).parent / "smolcorpus"  # console scripts sit next to the virtualenv's python
    on_path = shutil.which("smolcorpus")
    if not script.is_file():
        return "smolcorpus" if on_path else f"{shlex.quote(sys.executable)} -m smolcorpus.cli"
    if on_path and os.path.samefile(on_path, script):
        return "smolcorpus"
    relative = os.path.relpath(script)
    return shlex.quote(relative if not relative.startswith("..") else str(script))


def activate_hint() -> str | None:
    """`source .venv/bin/activate` (the virtualenv's activate script, spelled as `smolcorpus_command` spells the
    script), or None when `smolcorpus` already runs this installation or there is no activate script."""
    command = smolcorpus_command()
    activate = Path(sys.executable).parent / "activate"
    if command == "smolcorpus" or not activate.is_file():
        return None
    return f"source {shlex.quote(str(Path(shlex.split(command)[0]).parent / 'activate'))}"
