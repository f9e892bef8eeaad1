"""The activity chart (PNG): projects welcomed per month and programme, and the intake funnel."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from pes21_bot.content import Content
from pes21_bot.domain.figures import Funnel
from pes21_bot.domain.periods import Bucket


@dataclass(frozen=True)
class ChartData:
    """What the chart shows, with its French labels already chosen."""

    bucket_labels: list[str]
    series: list[tuple[str, list[int]]]  # programme label, count per bucket
    funnel: list[tuple[str, int]]
    bar_title: str
    funnel_title: str
    axis_label: str
    empty_note: str


def bucket_label(content: Content, bucket: Bucket, with_year: bool = True) -> str:
    """'janv. 2025' (or 'janv.') for a month, '2025' for a year."""
    if bucket.by_year:
        return str(bucket.start.year)
    month = content.label("stat_months", str(bucket.start.month))
    return f"{month} {bucket.start.year}" if with_year else month


def chart_data(
    content: Content,
    buckets: Sequence[Bucket],
    counts: Sequence[dict[str, int]],
    programmes: Sequence[str],
    funnel: Funnel,
) -> ChartData:
    """Labels and series of the chart, from the counts per bucket and the funnel."""
    by_year = bool(buckets) and buckets[0].by_year
    years = {b.start.year for b in buckets}
    one_year = len(years) == 1 and not by_year
    bar_title = content.label("stat_chart", "yearly" if by_year else "monthly")
    if one_year:
        bar_title = f"{bar_title}, {years.pop()}"
    series = [
        (content.label("stat_programmes", p), [c.get(p, 0) for c in counts]) for p in programmes
    ]
    return ChartData(
        bucket_labels=[bucket_label(content, b, with_year=not one_year) for b in buckets],
        series=[(label, values) for label, values in series if any(values)],
        funnel=[(content.label("stat_funnel", step), n) for step, n in funnel.steps()],
        bar_title=bar_title,
        funnel_title=content.label("stat_chart", "funnel"),
        axis_label=content.label("stat_chart", "projects"),
        empty_note=content.label("stat_chart", "empty"),
    )


def render_chart(data: ChartData) -> bytes:
    """The PNG: stacked bars of projects welcomed per bucket, and the intake funnel."""
    import matplotlib

    matplotlib.use("Agg")  # headless: no display on the server
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # The object API (no pyplot) keeps no global state, so charts can render in threads.
    figure = Figure(figsize=(10, 8), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    bars, funnel = figure.subplots(2, 1, height_ratios=(3, 2))
    positions = list(range(len(data.bucket_labels)))
    bottom = [0] * len(positions)
    for label, values in data.series:
        bars.bar(positions, values, bottom=bottom, label=label)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    bars.set_title(data.bar_title)
    bars.set_ylabel(data.axis_label)
    long_labels = sum(len(label) for label in data.bucket_labels) > 80
    bars.set_xticks(
        positions,
        data.bucket_labels,
        rotation=45 if long_labels else 0,
        ha="right" if long_labels else "center",
    )
    if data.series:
        bars.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    else:
        bars.text(0.5, 0.5, data.empty_note, ha="center", va="center", transform=bars.transAxes)
    bars.yaxis.get_major_locator().set_params(integer=True)
    names = [name for name, _ in data.funnel]
    values = [value for _, value in data.funnel]
    rows = list(range(len(names)))
    funnel.barh(rows, values, color="#2a9d8f")
    funnel.set_yticks(rows, names)
    funnel.invert_yaxis()
    funnel.set_title(data.funnel_title)
    funnel.xaxis.get_major_locator().set_params(integer=True)
    for row, value in zip(rows, values, strict=True):
        funnel.text(value, row, f" {value:,}".replace(",", "\u00a0"), va="center")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
