"""PNG pictures of a run report and of console output, rendered by headless Chromium (the README's screenshots are
made with these by `scripts/readme_screenshots.py`, never by hand).

Chromium is found on the PATH (`chromium`, `chromium-browser`, `google-chrome`); nothing is downloaded.
"""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

from smolcorpus.errors import SmolcorpusError

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


class ScreenshotError(SmolcorpusError):
    """No Chromium on the PATH, or Chromium failed to render a page."""


def chromium_binary() -> str:
    """The first of BROWSERS on the PATH."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise ScreenshotError(
        f"no headless browser on the PATH (looked for {', '.join(BROWSERS)}; apt-get install chromium)"
    )


def screenshot(page: Path, png: Path, width: int = 1200, height: int = 1500, timeout: float = 120) -> Path:
    """Render the HTML file `page` at `width` x `height` CSS pixels into `png` (the top of the page)."""
    if not page.is_file():  # Chromium would picture its own error page
        raise ScreenshotError(f"{page}: no such file")
    png.parent.mkdir(parents=True, exist_ok=True)
    command = [chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               f"--window-size={width},{height}", f"--screenshot={png.resolve()}",
               page.resolve().as_uri()]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0 or not png.is_file():
        raise ScreenshotError(f"chromium could not render {page}: {result.stderr.strip()[-500:]}")
    return png


def terminal_lines(text: str) -> list[str]:
    """What a terminal shows of captured console output: of a line rewritten with carriage returns (a progress bar),
    its last state; ANSI colour codes removed."""
    import re

    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    lines = []
    for line in text.split("\n"):
        states = [state for state in line.split("\r") if state.strip()]
        lines.append(states[-1] if states else "")
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def console_page(text: str, command: str) -> str:
    """An HTML page that looks like a terminal window showing `command` and its output `text`."""
    body = html.escape("\n".join(terminal_lines(text)))
    style = ("body{margin:0;background:#1e1e1e}pre{margin:0;padding:14px 18px;color:#d4d4d4;"
             "font:13px/1.35 'DejaVu Sans Mono',monospace;white-space:pre-wrap}b{color:#7ec699}")  # fmt: skip
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{style}</style></head><body>"
            f"<pre><b>$ {html.escape(command)}</b>\n{body}</pre></body></html>")  # fmt: skip
