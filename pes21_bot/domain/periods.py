"""Periods of the figures: parsing what people write, Paris days as UTC bounds, chart buckets.

Pure: no database, no Telegram.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

MIN_YEAR = 2000
# Past this many months the chart groups by year, so it stays readable.
MAX_MONTH_BUCKETS = 36


class PeriodError(ValueError):
    """A period argument that cannot be used; `reason` picks the French message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "usage", "reversed" or "future"


@dataclass(frozen=True)
class Period:
    """Calendar days [start, end) in the configured time zone; `end` is the day after the last."""

    start: date
    end: date

    @classmethod
    def year_of(cls, year: int) -> Period:
        """The whole calendar year."""
        return cls(date(year, 1, 1), date(year + 1, 1, 1))

    @property
    def last_day(self) -> date:
        """The last day included."""
        return self.end - timedelta(days=1)

    @property
    def year(self) -> int | None:
        """The year when the period is exactly one calendar year, else None."""
        if self.start == date(self.start.year, 1, 1) and self.end == date(
            self.start.year + 1, 1, 1
        ):
            return self.start.year
        return None

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """[local midnight of start, local midnight of end) as UTC instants for occurred_at."""
        return local_midnight(self.start, zone), local_midnight(self.end, zone)


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """00:00 local time on that day, as a UTC instant."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def year_earlier(moment: datetime, zone: tzinfo) -> datetime:
    """The same local date and time one year earlier (29 February becomes 28 February)."""
    local = moment.astimezone(zone)
    try:
        shifted = local.replace(year=local.year - 1)
    except ValueError:
        shifted = local.replace(year=local.year - 1, day=28)
    return shifted.astimezone(UTC)


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_FRENCH_DAY = re.compile(r"(\d{2})/(\d{2})/(\d{4})")


def parse_day(text: str) -> date | None:
    """A day written 2025-06-30 or 30/06/2025, or None."""
    if match := _ISO_DAY.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _FRENCH_DAY.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _check_year(year: int, today: date) -> None:
    if year < MIN_YEAR:
        raise PeriodError("usage")
    if year > today.year:
        raise PeriodError("future")


def parse_period(args: Sequence[str], today: date) -> Period:
    """Nothing (current year), a year, or two days (both included); raises PeriodError."""
    if not args:
        return Period.year_of(today.year)
    if len(args) == 1 and re.fullmatch(r"\d{4}", args[0]):
        year = int(args[0])
        _check_year(year, today)
        return Period.year_of(year)
    if len(args) != 2:
        raise PeriodError("usage")
    start, last = parse_day(args[0]), parse_day(args[1])
    if start is None or last is None:
        raise PeriodError("usage")
    if start > last:
        raise PeriodError("reversed")
    _check_year(start.year, today)
    if start > today:
        raise PeriodError("future")
    if last.year > today.year + 1:
        raise PeriodError("usage")
    return Period(start, last + timedelta(days=1))


EXPORT_FORMATS = ("xlsx", "csv")
ANONYMOUS_OPTION = "anonyme"


@dataclass(frozen=True)
class ExportRequest:
    """What /export was asked for."""

    period: Period
    file_format: str  # "xlsx" or "csv"
    anonymous: bool


def parse_export_args(args: Sequence[str], today: date) -> ExportRequest:
    """A period followed by optional words `csv`/`xlsx` and `anonyme`; raises PeriodError."""
    file_format = "xlsx"
    anonymous = False
    rest: list[str] = []
    for arg in args:
        word = arg.casefold()
        if word in EXPORT_FORMATS:
            file_format = word
        elif word == ANONYMOUS_OPTION:
            anonymous = True
        else:
            rest.append(arg)
    return ExportRequest(parse_period(rest, today), file_format, anonymous)


@dataclass(frozen=True)
class Bucket:
    """One bar of the chart: the days [start, end) labelled by the month (or year) it starts."""

    start: date
    end: date
    by_year: bool


def chart_buckets(period: Period) -> list[Bucket]:
    """Months of the period (years past MAX_MONTH_BUCKETS months), clipped to the period."""
    months = (period.last_day.year - period.start.year) * 12 + (
        period.last_day.month - period.start.month + 1
    )
    by_year = months > MAX_MONTH_BUCKETS
    buckets: list[Bucket] = []
    cursor = period.start
    while cursor < period.end:
        if by_year or cursor.month == 12:
            following = date(cursor.year + 1, 1, 1)
        else:
            following = date(cursor.year, cursor.month + 1, 1)
        end = min(following, period.end)
        buckets.append(Bucket(cursor, end, by_year))
        cursor = end
    return buckets
