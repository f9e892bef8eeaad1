"""When an event that happened outside the bot is dated: its real day, not the recording's."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from typing import Any

# A day in the past stands for this local hour, so the event falls in that day whatever the zone.
PAST_HOUR = time(12, 0)


def real_moment(day: date | None, now: datetime, tz: tzinfo) -> datetime:
    """Now for today (or no day), else noon of that local day, in UTC."""
    if day is None or day >= now.astimezone(tz).date():
        return now
    return datetime.combine(day, PAST_HOUR, tzinfo=tz).astimezone(UTC)


def dated(day: date | None, now: datetime, tz: tzinfo) -> tuple[datetime, dict[str, Any]]:
    """The event's moment, and the recording's date to add to its data when they differ."""
    moment = real_moment(day, now, tz)
    return moment, ({} if moment == now else {"recorded_at": now.isoformat()})
