"""The report's charts: thresholds drawn where they cut the int-score bars, PNGs that decode."""

import base64
import io

from PIL import Image

from smolcorpus.report.charts import LINE_COLOUR, flow_chart, score_chart, threshold_lines

STACK_EDU = [{"label": "default", "min_int_score": 3}, {"label": "Java", "min_int_score": 2},
             {"label": "Python", "min_int_score": 3}]  # fmt: skip


def image(uri: str) -> Image.Image:
    assert uri.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB")


def line_pixels(picture: Image.Image) -> int:
    """Pixels of the threshold colour (within antialiasing's shift)."""
    red = [int(LINE_COLOUR[i : i + 2], 16) for i in (1, 3, 5)]
    near = [n for n, colour in picture.getcolors(1 << 20)
            if max(abs(a - b) for a, b in zip(colour, red, strict=True)) < 16]  # fmt: skip
    return sum(near)


def test_threshold_lines_sit_between_the_bars_they_separate():
    assert threshold_lines(STACK_EDU) == [(1.5, "Java ≥ 2"), (2.5, "default ≥ 3, Python ≥ 3")]
    # a fractional threshold keeps the next integer up; a threshold on the float score has no place here
    assert threshold_lines([{"label": "x", "min_int_score": 2.5}, {"label": "recall", "min_score": 0.4}]) == [
        (2.5, "x ≥ 2.5")]  # fmt: skip


def test_score_chart_draws_the_lines_and_flow_chart_renders():
    grades = {0: 40, 1: 25, 2: 20, 3: 9, 4: 3}
    drawn, plain = image(score_chart("edu", grades, STACK_EDU)), image(score_chart("edu", grades, []))
    assert line_pixels(drawn) > 100 and line_pixels(plain) == 0
    columns = {"documents": [(95, 11), (11, 11), (11, 11)],
               "characters": [(3_160_307, 41_180), (41_180, 41_180), (None, None)],
               "tokens": [(None, None), (None, None), (None, 9_322)]}  # fmt: skip
    flow = image(flow_chart(["filter", "curate", "tokenize"], columns))
    assert flow.width > 800 and len(flow.getcolors(1 << 20)) > 10
