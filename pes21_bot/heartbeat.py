"""Liveness heartbeats: the polling loop and the reminder job each stamp a small file.

The container's health check (pes21_bot.health) runs in another process and reads the stamps:
a bot whose polling is stuck, or whose reminder job stopped running, turns unhealthy even while
its database answers.
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from telegram.ext import Application
from telegram.request import BaseRequest

from pes21_bot.clock import Clock
from pes21_bot.wrapped_request import WrappedRequest

logger = logging.getLogger(__name__)

POLLING = "polling"
REMINDERS = "reminders"
# A getUpdates round lasts at most PTB's long-polling timeout (10 s) plus network time.
POLLING_INTERVAL = timedelta(seconds=30)
# Stamps closer together than this are skipped: one small write per interval is enough.
MIN_GAP = timedelta(seconds=5)
# Healthy while the last stamp is younger than this many intervals.
STALE_AFTER_INTERVALS = 3

_BY_APPLICATION: weakref.WeakKeyDictionary[Application[Any, Any, Any, Any, Any, Any], Heartbeats]
_BY_APPLICATION = weakref.WeakKeyDictionary()


class Heartbeats:
    """Writes `<folder>/<name>` with the current time; errors are logged once, never raised."""

    def __init__(self, folder: Path, clock: Clock, min_gap: timedelta = MIN_GAP) -> None:
        self.folder = folder
        self._clock = clock
        self._min_gap = min_gap
        self._last: dict[str, datetime] = {}
        self._failing = False
        # Told of every beat, even one not written (pes21_bot.watchdog watches them in memory).
        self.listeners: list[Callable[[str], None]] = []

    def beat(self, name: str) -> None:
        """Stamp `name` now (skipped when the last stamp is very recent)."""
        for listener in self.listeners:
            listener(name)
        now = self._clock.now()
        last = self._last.get(name)
        if last is not None and now - last < self._min_gap:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = self.folder / f".{name}.tmp"
            partial.write_text(now.isoformat(), encoding="ascii")
            os.replace(partial, self.folder / name)
        except OSError as exc:
            if not self._failing:
                logger.warning("heartbeat %s not written: %s", name, type(exc).__name__)
            self._failing = True
            return
        self._failing = False
        self._last[name] = now


def last_beat(folder: Path, name: str) -> datetime | None:
    """When `name` last beat, or None when it never did (or the stamp is unreadable)."""
    try:
        moment = datetime.fromisoformat((folder / name).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def stale_beats(folder: Path, now: datetime, intervals: dict[str, timedelta]) -> list[str]:
    """One line per heartbeat missing or older than STALE_AFTER_INTERVALS of its interval."""
    problems = []
    for name, interval in intervals.items():
        moment = last_beat(folder, name)
        if moment is None:
            problems.append(f"{name}: no heartbeat")
        elif now - moment > interval * STALE_AFTER_INTERVALS:
            problems.append(f"{name}: last heartbeat {int((now - moment).total_seconds())} s ago")
    return problems


def attach(application: Application[Any, Any, Any, Any, Any, Any], heartbeats: Heartbeats) -> None:
    """Let the application's jobs find their heartbeats."""
    _BY_APPLICATION[application] = heartbeats


def heartbeat_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Heartbeats | None:
    """This application's heartbeats (None in tests and tools that have none)."""
    return _BY_APPLICATION.get(application)


def beat(application: Application[Any, Any, Any, Any, Any, Any], name: str) -> None:
    """Stamp `name` for this application, if it has heartbeats (the real bot does)."""
    heartbeats = _BY_APPLICATION.get(application)
    if heartbeats is not None:
        heartbeats.beat(name)


class BeatingRequest(WrappedRequest):
    """The getUpdates connection, stamping a heartbeat after every completed round."""

    __slots__ = ("_beat", "_started")

    def __init__(self, inner: BaseRequest, on_round: Callable[[], None]) -> None:
        super().__init__(inner)
        self._beat = on_round
        self._started = False

    def before_round(self) -> None:
        """Polling has started: healthy at once, not after the first long poll (10 s)."""
        if not self._started:
            self._started = True
            self._beat()

    def round_answered(self) -> None:
        """A round that got an answer is a heartbeat."""
        self._beat()
