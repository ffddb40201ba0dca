"""The command a hint prints runs in a fresh shell: `smolcorpus` when that is this installation on PATH, else the
virtualenv's script by its path (a fresh shell after the quick start has no `smolcorpus`)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PRINT_HINTS = "from smolcorpus.invocation import activate_hint, smolcorpus_command; print(smolcorpus_command()); " \
              "print(activate_hint())"  # fmt: skip


def hints(path: str, cwd: Path) -> list[str]:
    result = subprocess.run([sys.executable, "-c", PRINT_HINTS], capture_output=True, text=True, cwd=cwd,
                            env={**os.environ, "PATH": path})  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def in_fresh_shell(line: str, path: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "--norc", "--noprofile", "-c", line], capture_output=True, text=True, cwd=cwd,
                          env={"PATH": path, "HOME": os.environ.get("HOME", "/tmp")})  # fmt: skip


@pytest.mark.skipif(not (BIN / "smolcorpus").is_file(), reason="smolcorpus is not installed as a console script")
def test_without_the_virtualenv_on_path_the_hint_is_the_script_and_it_runs(tmp_path):
    bare = "/usr/bin:/bin"
    assert in_fresh_shell("smolcorpus version", bare, ROOT).returncode == 127  # what the README's reader met
    command, activate = hints(bare, ROOT)
    if BIN.parent.parent == ROOT:  # the quick start's .venv
        assert (command, activate) == (".venv/bin/smolcorpus", "source .venv/bin/activate")
    for cwd in (ROOT, tmp_path):  # relative under the repository, absolute elsewhere
        command, activate = hints(bare, cwd)
        result = in_fresh_shell(f"{command} version", bare, cwd)
        assert result.returncode == 0 and result.stdout.startswith("smolcorpus "), result.stderr
        result = in_fresh_shell(f"{activate} && smolcorpus version", bare, cwd)
        assert result.returncode == 0 and result.stdout.startswith("smolcorpus "), result.stderr


@pytest.mark.skipif(not (BIN / "smolcorpus").is_file(), reason="smolcorpus is not installed as a console script")
def test_with_the_virtualenv_active_the_hint_is_the_plain_name():
    path = f"{BIN}:/usr/bin:/bin"
    assert hints(path, ROOT) == ["smolcorpus", "None"]
    assert in_fresh_shell("smolcorpus version", path, ROOT).returncode == 0
