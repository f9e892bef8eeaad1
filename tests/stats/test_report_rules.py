"""Pure rules: periods in Paris time, export options, French formats, message splitting."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime
from typing import get_type_hints
from zoneinfo import ZoneInfo

import pytest

from pes21_bot.content import Content
from pes21_bot.domain.figures import ProgrammeFigures, figure_rows
from pes21_bot.domain.french_format import NBSP, fr_change, fr_decimal, fr_int, fr_percent
from pes21_bot.domain.periods import (
    Period,
    PeriodError,
    chart_buckets,
    parse_export_args,
    parse_period,
    year_earlier,
)
from pes21_bot.messages.markdown import html_to_markdown
from pes21_bot.messages.splitting import split_message
from tests.stats.filled import filled_stats, filled_value

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2026, 3, 10)


def test_a_year_starts_at_midnight_in_paris() -> None:
    start, end = Period.year_of(2025).bounds(PARIS)
    assert start == datetime(2024, 12, 31, 23, 0, tzinfo=UTC)  # winter: UTC+1
    assert end == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
    summer_start, _ = Period(date(2025, 7, 1), date(2025, 8, 1)).bounds(PARIS)
    assert summer_start == datetime(2025, 6, 30, 22, 0, tzinfo=UTC)  # summer: UTC+2


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], Period(date(2026, 1, 1), date(2027, 1, 1))),
        (["2025"], Period(date(2025, 1, 1), date(2026, 1, 1))),
        (["2025-01-01", "2025-06-30"], Period(date(2025, 1, 1), date(2025, 7, 1))),
        (["01/01/2025", "30/06/2025"], Period(date(2025, 1, 1), date(2025, 7, 1))),
        (["2026-03-10", "2026-03-10"], Period(date(2026, 3, 10), date(2026, 3, 11))),
    ],
)
def test_periods_people_write(args: list[str], expected: Period) -> None:
    assert parse_period(args, TODAY) == expected


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["abc"], "usage"),
        (["2025-13-40", "2025-12-31"], "usage"),
        (["2025-02-30", "2025-03-01"], "usage"),
        (["2025-01-01"], "usage"),
        (["2025", "2026", "2027"], "usage"),
        (["1999"], "usage"),
        (["99999"], "usage"),
        (["2025-06-30", "2025-01-01"], "reversed"),
        (["2027"], "future"),
        (["9999"], "future"),
        (["2026-04-01", "2026-05-01"], "future"),
        (["2025-01-01", "9999-12-31"], "usage"),
    ],
)
def test_odd_periods_are_refused_with_a_reason(args: list[str], reason: str) -> None:
    with pytest.raises(PeriodError) as refused:
        parse_period(args, TODAY)
    assert refused.value.reason == reason


def test_export_options_in_any_order() -> None:
    request = parse_export_args(["anonyme", "2025", "CSV"], TODAY)
    assert (request.period.year, request.file_format, request.anonymous) == (2025, "csv", True)
    assert parse_export_args([], TODAY).file_format == "xlsx"
    with pytest.raises(PeriodError):
        parse_export_args(["2025", "pdf"], TODAY)


def test_a_year_earlier_keeps_the_local_time() -> None:
    moment = datetime(2025, 7, 1, 10, 0, tzinfo=PARIS)
    assert year_earlier(moment, PARIS) == datetime(2024, 7, 1, 10, 0, tzinfo=PARIS)
    leap = datetime(2024, 2, 29, 12, 0, tzinfo=PARIS)
    assert year_earlier(leap, PARIS) == datetime(2023, 2, 28, 12, 0, tzinfo=PARIS)


def test_chart_buckets_are_months_then_years() -> None:
    months = chart_buckets(Period(date(2025, 1, 15), date(2025, 3, 10)))
    assert [(b.start, b.end) for b in months] == [
        (date(2025, 1, 15), date(2025, 2, 1)),
        (date(2025, 2, 1), date(2025, 3, 1)),
        (date(2025, 3, 1), date(2025, 3, 10)),
    ]
    decade = chart_buckets(Period(date(2016, 1, 1), date(2026, 1, 1)))
    assert len(decade) == 10 and all(b.by_year for b in decade)


def test_french_numbers() -> None:
    assert fr_int(1234) == f"1{NBSP}234"
    assert fr_int(1_000_000) == f"1{NBSP}000{NBSP}000"
    assert fr_decimal(12.5) == "12,5" and fr_decimal(3.0) == "3"
    assert fr_decimal(1234.56) == f"1{NBSP}234,6"
    assert fr_percent(1, 8) == f"12,5{NBSP}%"
    assert fr_percent(1, 0) == "—"
    assert fr_change(56, 50) == f"+12{NBSP}%"
    assert fr_change(45, 50) == f"−10{NBSP}%"
    assert fr_change(5, 0) is None


def test_long_texts_are_split_between_lines() -> None:
    lines = [f"<b>Ligne {i}</b> " + "x" * 90 for i in range(100)]
    parts = split_message(lines)
    assert len(parts) == 3
    assert all(len(part) <= 4096 for part in parts)
    assert all(part.count("<b>") == part.count("</b>") for part in parts)
    assert "\n".join(parts).split("\n") == lines


def test_markdown_of_the_report() -> None:
    html = "<b>En 2025, c'est :</b>\n• 56 projets &amp; plus\n<i>note</i>"
    assert html_to_markdown(html) == "**En 2025, c'est :**\n- 56 projets & plus\n_note_\n"


def test_every_figure_has_a_label_and_a_definition(content: Content) -> None:
    labels = content.lists["stat_figures"]
    definitions = content.lists["stat_definitions"]
    assert set(labels) == set(definitions)
    produced = {row.figure for row in figure_rows(filled_stats())}
    assert produced <= set(labels), produced - set(labels)


def test_a_programme_with_any_activity_is_shown() -> None:
    hints = get_type_hints(ProgrammeFigures)
    assert ProgrammeFigures("dla").is_empty
    for item in fields(ProgrammeFigures):
        if item.name == "programme":
            continue
        one = ProgrammeFigures("dla", **{item.name: filled_value(hints[item.name])})
        # A median delay exists only beside claims: alone it is no activity.
        assert one.is_empty is (item.name == "median_claim_hours"), item.name
