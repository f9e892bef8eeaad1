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

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from pes21_bot.clock import Clock

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


class BeatingRequest(BaseRequest):
    """The getUpdates connection, stamping a heartbeat after every completed round."""

    __slots__ = ("_beat", "_inner", "_started")

    def __init__(self, inner: BaseRequest, on_round: Callable[[], None]) -> None:
        self._inner = inner
        self._beat = on_round
        self._started = False

    @property
    def read_timeout(self) -> float | None:
        """The wrapped request's read timeout (PTB adds it to getUpdates' own)."""
        return self._inner.read_timeout

    async def initialize(self) -> None:
        """Open the wrapped connection."""
        await self._inner.initialize()

    async def shutdown(self) -> None:
        """Close the wrapped connection."""
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send through the wrapped request; a round that got an answer is a heartbeat."""
        if not self._started:
            # Polling has started: healthy at once, not after the first long poll (10 s).
            self._started = True
            self._beat()
        result = await self._inner.do_request(
            url,
            method,
            request_data=request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        self._beat()
        return result
