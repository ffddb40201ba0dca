"""The report's charts: matplotlib figures (Agg, no display needed) as PNG data URIs, so that the report stays one
file that opens from disk. Every function returns the `data:image/png;base64,…` string of one figure."""

from __future__ import annotations

import base64
import io
import math

from smolcorpus.score_keys import int_score_key

BAR_COLOUR, OUT_COLOUR, LINE_COLOUR = "#4c72b0", "#dd8452", "#c44e52"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def png(figure) -> str:
    """The figure as a PNG data URI (90 dpi); the figure is closed."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    _pyplot().close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def bar_chart(labels: list[str], values: list[float], title: str, xlabel: str) -> str:
    """Horizontal bars, first label on top."""
    figure, axis = _pyplot().subplots(figsize=(8, max(1.5, 0.35 * len(labels) + 1)))
    axis.barh(labels[::-1], values[::-1], color=BAR_COLOUR)
    axis.set_title(title)
    axis.set_xlabel(xlabel)
    return png(figure)


def column_chart(labels: list[str], values: list[float], title: str, xlabel: str, ylabel: str = "documents") -> str:
    """Vertical bars in the order given (a histogram over ordered bins)."""
    figure, axis = _pyplot().subplots(figsize=(8, 3))
    axis.bar(labels, values, color=BAR_COLOUR)
    axis.set_title(title)
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    return png(figure)


def threshold_lines(thresholds: list[dict]) -> list[tuple[float, str]]:
    """(x, label) of the lines to draw between int-score bars: a threshold `t` on the int score keeps scores ≥ t,
    so its line sits at ceil(t) − 0.5; thresholds at one place share a line (`default, Python ≥ 3`). Thresholds on
    the float score (`min_score`) have no place between int bars and are left to the caption."""
    places: dict[float, list[str]] = {}
    for threshold in thresholds:
        if threshold.get("min_int_score") is not None:
            value = threshold["min_int_score"]
            places.setdefault(math.ceil(value) - 0.5, []).append(f"{threshold['label']} ≥ {value:g}")
    return [(x, ", ".join(labels)) for x, labels in sorted(places.items())]


def score_chart(name: str, grades: dict[int, float], thresholds: list[dict]) -> str:
    """Documents per int score, with a dashed line where each threshold cuts (`threshold_lines`)."""
    figure, axis = _pyplot().subplots(figsize=(8, 3))
    ordered = sorted(grades.items())
    axis.bar([g for g, _ in ordered], [v for _, v in ordered], color=BAR_COLOUR, width=0.8)
    axis.set_xticks([g for g, _ in ordered])
    top = max((v for _, v in ordered), default=1)
    for x, label in threshold_lines(thresholds):
        axis.axvline(x, color=LINE_COLOUR, linestyle="--", linewidth=1.5)
        axis.text(x + 0.05, top, label, color=LINE_COLOUR, va="top", ha="left", fontsize=9)
    axis.set_title(f"{name}: documents per int score")
    axis.set_xlabel(int_score_key(name))
    axis.set_ylabel("documents")
    return png(figure)


def flow_chart(stages: list[str], columns: dict[str, list[tuple[float | None, float | None]]]) -> str:
    """One panel per quantity (documents, characters, tokens): per stage, a bar for what entered and one for what
    left, each with its number; a quantity a stage does not count has no bar (None)."""
    plt = _pyplot()
    figure, axes = plt.subplots(1, len(columns), figsize=(4 * len(columns), max(2.0, 0.6 * len(stages) + 1.2)),
                                sharey=True, squeeze=False)  # fmt: skip
    positions = list(range(len(stages)))[::-1]  # first stage on top
    for axis, (quantity, values) in zip(axes[0], columns.items(), strict=True):
        largest = max((v for pair in values for v in pair if v), default=1)
        for offset, index, colour, label in ((0.2, 0, BAR_COLOUR, "in"), (-0.2, 1, OUT_COLOUR, "out")):
            for y, pair in zip(positions, values, strict=True):
                value = pair[index]
                if value is None:
                    continue
                axis.barh(y + offset, value, height=0.38, color=colour, label=label)
                label = None  # one legend entry per series
                axis.text(value + largest * 0.01, y + offset, f"{value:,.0f}", va="center", fontsize=8)
        axis.set_xlim(0, largest * 1.35)
        axis.set_title(quantity)
        axis.set_yticks(positions, stages)
    if axes[0][0].get_legend_handles_labels()[0]:
        axes[0][0].legend(loc="lower right", fontsize=8)
    figure.suptitle("entering (in) and leaving (out) each stage")
    return png(figure)
