"""Make the README's two screenshots from a fresh demo run: the console of `smolcorpus demo` and its code run's report.

    .venv/bin/python scripts/readme_screenshots.py            # writes docs/images/console.png and report.png

Needs Chromium on the PATH (apt-get install chromium). The demo runs into a temporary folder (about a minute on 2
cores) with a terminal width of 110 columns, so the bars fit the picture.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from smolcorpus.report.screenshot import console_page, screenshot, terminal_lines  # noqa: E402

COMMAND = "smolcorpus demo"
LINE_PIXELS = 18  # at the console page's 13 px font and 1.35 line height
WRAP_CHARACTERS = 118  # characters of that font in a line of the 1,000-pixel page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=Path, default=ROOT / "docs" / "images", help="where the PNGs go")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "demo"
        environment = {**os.environ, "COLUMNS": "110"}
        # bytes, not text: text mode would turn the progress bars' carriage returns into line breaks
        command = [sys.executable, "-m", "smolcorpus.cli", "demo", "--output", str(output)]
        run = subprocess.run(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        printed = run.stdout.decode("utf-8", errors="replace")
        if run.returncode != 0:
            print(printed[-3000:], file=sys.stderr)
            return run.returncode
        page = Path(folder) / "console.html"
        page.write_text(console_page(printed, COMMAND), encoding="utf-8")
        # rows as the page wraps them (about 120 characters across 1,000 pixels), the command line included
        rows = 1 + sum(max(1, -(-len(line) // WRAP_CHARACTERS)) for line in terminal_lines(printed))
        height = LINE_PIXELS * rows + 30
        console = screenshot(page, arguments.images / "console.png", width=1000, height=height)
        report = screenshot(output / "code" / "report.html", arguments.images / "report.png", width=1200, height=1500)
    print(f"wrote {console} and {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
