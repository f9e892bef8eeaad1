"""The charts of the Word activity report (matplotlib, PNG), sized to be read on paper.

Each chart is drawn 16 cm wide at 200 dpi, with the document's text size, and placed at that
width: it stays sharp when printed. The object API (no pyplot) keeps no global state, so charts
render on any thread.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

GREEN = "#1f6f4a"
PALETTE = ("#1f6f4a", "#e9a23b", "#2a9d8f", "#8e5572", "#577590", "#bc4749")
WIDTH_CM = 16.0
CM_PER_INCH = 2.54
DPI = 200


def _figure(height_cm: float) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")  # headless: no display on the server
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(
        figsize=(WIDTH_CM / CM_PER_INCH, height_cm / CM_PER_INCH),
        dpi=DPI,
        layout="constrained",
        facecolor="white",  # the page's colour, not a grey box on paper
    )
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure, axes


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _number(value: float) -> str:
    text = f"{value:,.1f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u00a0").replace(".", ",")


def horizontal_bars(labels: Sequence[str], values: Sequence[float], axis_label: str) -> bytes:
    """One bar per label, top to bottom, each with its value written at its end."""
    height = 2.5 + 0.9 * max(len(labels), 1)
    figure, axes = _figure(min(height, 14.0))
    rows = list(range(len(labels)))
    axes.barh(rows, values, color=GREEN)
    axes.set_yticks(rows, labels, fontsize=10)
    axes.invert_yaxis()
    axes.set_xlabel(axis_label, fontsize=10)
    axes.xaxis.get_major_locator().set_params(integer=True)
    for row, value in zip(rows, values, strict=True):
        axes.text(value, row, f" {_number(value)}", va="center", fontsize=10)
    axes.margins(x=0.12)
    return _png(figure)


def vertical_bars(labels: Sequence[str], values: Sequence[float], axis_label: str) -> bytes:
    """One column per label, left to right, each with its value written above it."""
    figure, axes = _figure(8.0)
    positions = list(range(len(labels)))
    axes.bar(positions, values, color=GREEN)
    axes.set_xticks(positions, labels, fontsize=10)
    axes.set_ylabel(axis_label, fontsize=10)
    axes.yaxis.get_major_locator().set_params(integer=True)
    for position, value in zip(positions, values, strict=True):
        axes.text(position, value, _number(value), ha="center", va="bottom", fontsize=10)
    axes.margins(y=0.15)
    return _png(figure)


def stacked_columns(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], axis_label: str
) -> bytes:
    """Columns per label (months), stacked by series (programmes), with a legend below."""
    figure, axes = _figure(9.0)
    positions = list(range(len(labels)))
    bottom = [0] * len(positions)
    for index, (name, values) in enumerate(series):
        color = PALETTE[index % len(PALETTE)]
        axes.bar(positions, values, bottom=bottom, label=name, color=color)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    crowded = len(labels) > 12
    axes.set_xticks(
        positions,
        labels,
        fontsize=9,
        rotation=45 if crowded else 0,
        ha="right" if crowded else "center",
    )
    axes.set_ylabel(axis_label, fontsize=10)
    axes.yaxis.get_major_locator().set_params(integer=True)
    if series:
        # Below the columns, so it never hides one.
        axes.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.18 if crowded else -0.1),
            ncols=len(series),
            fontsize=9,
            frameon=False,
        )
    return _png(figure)
