"""Package-level checks of the source tree itself."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "smolcorpus"


def test_no_source_file_points_outside_the_repository():
    """A reader of the code has the repository, not the workplace's shared folder: no module cites `../shared/…` or
    the shared design document's sections."""
    outside = re.compile(r"\.\./shared|ARCHITECTURE\.md")
    found = []
    for path in sorted(SRC.rglob("*.py")):
        lines = path.read_text().splitlines()
        found += [f"{path.relative_to(SRC)}:{n}" for n, line in enumerate(lines, start=1) if outside.search(line)]
    assert not found, found
