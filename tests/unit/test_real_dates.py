"""Events of what happened outside the bot are dated at their real day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from pes21_bot.domain.real_dates import dated, real_moment

PARIS = ZoneInfo("Europe/Paris")


def test_a_past_day_is_its_local_noon_and_today_is_now() -> None:
    # 00:30 in Paris on 1 January 2026 is still 31 December 2025 in UTC.
    now = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    assert real_moment(date(2026, 1, 1), now, PARIS) == now
    assert real_moment(None, now, PARIS) == now
    yesterday = real_moment(date(2025, 12, 31), now, PARIS)
    assert yesterday == datetime(2025, 12, 31, 11, 0, tzinfo=UTC)
    assert yesterday.astimezone(PARIS).date() == date(2025, 12, 31)


def test_the_recording_date_is_kept_only_when_the_day_is_past() -> None:
    now = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    assert dated(date(2026, 3, 10), now, PARIS) == (now, {})
    moment, data = dated(date(2023, 6, 1), now, PARIS)
    assert moment.year == 2023 and data == {"recorded_at": "2026-03-10T09:30:00+00:00"}
