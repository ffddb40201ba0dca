"""Screenshots of a console and a report in headless Chromium (what scripts/readme_screenshots.py makes for the
README), on the session's real demo run."""

from __future__ import annotations

import io

import pytest

from smolcorpus.report import screenshot as shots


def test_terminal_lines_keep_what_a_terminal_shows():
    captured = "\x1b[32mstage filter\x1b[0m\n  0%|     | 0/4\r 50%|##   | 2/4\r100%|#####| 4/4\r\nsummary\n\n"
    assert shots.terminal_lines(captured) == ["stage filter", "100%|#####| 4/4", "summary"]


def test_console_page_escapes_the_output():
    page = shots.console_page("<script>alert(1)</script>", "smolcorpus demo")
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>$ smolcorpus demo</b>" in page


def picture(path):
    from PIL import Image

    return Image.open(io.BytesIO(path.read_bytes())).convert("RGB")


@pytest.mark.slow
def test_console_and_report_screenshots_of_the_demo(demo_run, tmp_path):
    try:
        shots.chromium_binary()
    except shots.ScreenshotError as e:
        pytest.skip(f"{e} (CI installs it)")
    output, summary, console = demo_run
    page = tmp_path / "console.html"
    page.write_text(shots.console_page(console + summary, "smolcorpus demo"), encoding="utf-8")
    terminal = picture(shots.screenshot(page, tmp_path / "console.png", width=900, height=700))
    assert terminal.size == (900, 700)
    dark, light = terminal.convert("L").getextrema()
    assert dark < 40 and light > 150  # a dark terminal with light text on it
    report = picture(shots.screenshot(output / "code" / "report.html", tmp_path / "report.png", 1200, 1500))
    assert report.size == (1200, 1500)
    colours = report.resize((300, 375)).quantize(64).convert("RGB").getcolors(1 << 16)
    assert len(colours) >= 8 and max(n for n, _ in colours) < 0.95 * 300 * 375  # text, tables and charts


def test_a_missing_page_is_an_error(tmp_path):
    try:
        shots.chromium_binary()
    except shots.ScreenshotError as e:
        pytest.skip(f"{e} (CI installs it)")
    with pytest.raises(shots.ScreenshotError):
        shots.screenshot(tmp_path / "nothing" / "x.html", tmp_path / "x.png", 100, 100, timeout=60)
