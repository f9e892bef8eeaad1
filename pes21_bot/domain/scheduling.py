"""Pure time rules: quiet hours, months and working days, backoff, weekly slots, code lockout."""

from __future__ import annotations

import calendar
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment


@dataclass(frozen=True)
class QuietRules:
    """When no reminder may be sent: a nightly window and whole days, in a local time zone."""

    start: time
    end: time
    days_off: frozenset[int]  # 0 = Monday ... 6 = Sunday
    zone: ZoneInfo

    def __post_init__(self) -> None:
        if len(self.days_off) >= 7:
            raise ValueError("at least one day must allow reminders")


def _quiet_local(local: datetime, rules: QuietRules) -> bool:
    if local.weekday() in rules.days_off:
        return True
    clock = local.time().replace(tzinfo=None)
    if rules.start == rules.end:
        return False
    if rules.start < rules.end:  # a window inside one day, e.g. 12:00-14:00
        return rules.start <= clock < rules.end
    return clock >= rules.start or clock < rules.end  # across midnight, e.g. 20:00-08:30


def is_quiet(moment: datetime, rules: QuietRules) -> bool:
    """Whether a reminder may not be sent at this moment."""
    return _quiet_local(_aware(moment).astimezone(rules.zone), rules)


def next_allowed(moment: datetime, rules: QuietRules) -> datetime:
    """The moment itself when allowed, else the first allowed moment after it (UTC)."""
    local = _aware(moment).astimezone(rules.zone)
    for _ in range(8 * 2):
        if not _quiet_local(local, rules):
            return local.astimezone(UTC)
        # Jump to the end of tonight's window (or to the next midnight on a day off) and retry.
        if local.weekday() in rules.days_off:
            candidate = datetime.combine(local.date() + timedelta(days=1), time(0), rules.zone)
        else:
            day = local.date()
            if rules.start > rules.end and local.time().replace(tzinfo=None) >= rules.start:
                day += timedelta(days=1)
            candidate = datetime.combine(day, rules.end, rules.zone)
        local = candidate if candidate > local else local + timedelta(minutes=1)
    raise ValueError("no allowed moment within a week")  # unreachable with a valid QuietRules


def is_late(due_at: datetime, now: datetime, rules: QuietRules, grace: timedelta) -> bool:
    """Whether a reminder goes out later than it normally would have (the bot was down)."""
    return now - next_allowed(due_at, rules) > grace


def add_months(day: date, months: int) -> date:
    """The same day some months later, clamped to the month's end (31/01 + 1 = 28/02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def easter_sunday(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (2 * e + 2 * i - h - k + 32) % 7
    m = (a + 11 * h + 19 * weekday_shift) // 433
    month = (h + weekday_shift - 7 * m + 90) // 25
    return date(year, month, (h + weekday_shift - 7 * m + 33 * month + 19) % 32)


@functools.cache
def public_holidays(year: int) -> frozenset[date]:
    """France's eleven public holidays (Alsace-Moselle's two extra days are not Dijon's)."""
    easter = easter_sunday(year)
    fixed = ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25))
    moving = (1, 39, 50)  # Easter Monday, Ascension, Whit Monday
    return frozenset(
        [date(year, month, day) for month, day in fixed]
        + [easter + timedelta(days=offset) for offset in moving]
    )


def add_working_days(moment: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The same local time after `days` working days (weekends and public holidays skipped)."""
    local = _aware(moment).astimezone(zone)
    day = local.date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in public_holidays(day.year):
            remaining -= 1
    return datetime.combine(day, local.time().replace(tzinfo=None), zone).astimezone(UTC)


def backoff(attempts: int, base: timedelta = timedelta(minutes=1)) -> timedelta:
    """Wait before retrying after a 5xx or time-out: 1, 2, 4... minutes, at most 2 hours."""
    return min(base * 2 ** max(0, attempts - 1), timedelta(hours=2))


def next_weekly_slot(now: datetime, weekday: int, at: time, zone: ZoneInfo) -> datetime:
    """The first weekday/time (local) strictly after now, in UTC."""
    local = _aware(now).astimezone(zone)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    slot = datetime.combine(day, at, zone)
    if slot <= local:
        slot = datetime.combine(day + timedelta(days=7), at, zone)
    return slot.astimezone(UTC)


def same_local_week(moment: datetime, now: datetime, zone: ZoneInfo) -> bool:
    """Whether two moments fall in the same Monday-to-Sunday week, local time."""
    first = _aware(moment).astimezone(zone).isocalendar()
    second = _aware(now).astimezone(zone).isocalendar()
    return (first.year, first.week) == (second.year, second.week)


def local_day_start(day: date, rules: QuietRules) -> datetime:
    """The first allowed moment of a calendar day (or after it), used as a due time."""
    return next_allowed(datetime.combine(day, time(0), rules.zone), rules)


def locked_until(
    failures: Sequence[datetime], max_failures: int, window: timedelta, lock: timedelta
) -> datetime | None:
    """When typing codes is allowed again: `max_failures` wrong codes within `window` block
    further tries for `lock` after the last of them; None when not blocked at all."""
    ordered = sorted(failures)
    until: datetime | None = None
    for index in range(max_failures - 1, len(ordered)):
        if ordered[index] - ordered[index - max_failures + 1] <= window:
            until = ordered[index] + lock
    return until
