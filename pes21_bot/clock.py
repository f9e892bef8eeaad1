"""Injectable clock: every 'now' in the bot comes from here, so tests can travel in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current UTC time."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to (tests, simulator time travel)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """Return the frozen current time."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward and return the new time."""
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to a given moment."""
        self._now = moment.astimezone(UTC)
