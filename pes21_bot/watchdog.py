"""A thread apart from the event loop: it ends a stuck bot, and a stop that takes too long.

The container restarts the process when it exits: a polling loop or reminder job that stopped
beating (a blocked event loop, a lost connection never noticed) is ended with a non-zero code,
after leaving a mark that the next start turns into one alert to the admins. A stop (SIGTERM)
still running after ``STOP_DEADLINE`` is ended the same way: every change is its own database
transaction, so what was not committed is rolled back and the database stays consistent.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path

from telegram.constants import ParseMode
from telegram.error import TelegramError

from pes21_bot.alerts import alert_chats
from pes21_bot.config import Config
from pes21_bot.context import Context
from pes21_bot.heartbeat import POLLING, REMINDERS, heartbeat_of
from pes21_bot.texts.fair import RESTARTED_AFTER_STALL

logger = logging.getLogger(__name__)

STALL_EXIT = 70  # EX_SOFTWARE: Docker's restart policy starts the bot again
STOP_DEADLINE = 9.0  # seconds: Docker sends SIGKILL after 10
CHECK_EVERY = 1.0
MARKER = "redemarrage-apres-blocage"


def limits(config: Config) -> dict[str, float]:
    """Seconds without a beat after which each heartbeat means the bot is stuck."""
    base = timedelta(minutes=config.fairness.watchdog_minutes).total_seconds()
    return {
        POLLING: base,
        # The reminder job may run less often than the watchdog's limit: three of its rounds.
        REMINDERS: max(base, 3.0 * config.reminders.interval_seconds),
    }


class Watchdog:
    """Watches heartbeats from its own thread; ``exit`` ends the process (os._exit by default)."""

    def __init__(
        self,
        folder: Path,
        limits: dict[str, float],
        running: Callable[[], bool],
        now: Callable[[], float] = time.monotonic,
        exit: Callable[[int], None] = os._exit,
    ) -> None:
        self.folder = folder
        self.limits = limits
        self.running = running
        self.now = now
        self.exit = exit
        started = now()
        self._beats = dict.fromkeys(limits, started)
        self._was_running = False
        self._stopping_since: float | None = None
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self, name: str) -> None:
        """A heartbeat from the event loop (a plain assignment: safe across threads)."""
        if name in self._beats:
            self._beats[name] = self.now()

    def stale(self) -> list[str]:
        """The heartbeats older than their limit, with their age."""
        now = self.now()
        return [
            f"{name} ({int(now - self._beats[name])} s)"
            for name, limit in self.limits.items()
            if now - self._beats[name] > limit
        ]

    def check(self) -> bool:
        """One round; True when it ended the process (``exit`` was called)."""
        if self.running():
            self._was_running = True
            stale = self.stale()
            if stale:
                logger.error("watchdog: no heartbeat from %s; exiting to be restarted", stale)
                self._mark(stale)
                return self._end(STALL_EXIT)
            return False
        if not self._was_running:
            return False  # still starting
        now = self.now()
        if self._stopping_since is None:
            self._stopping_since = now
        elif now - self._stopping_since > STOP_DEADLINE:
            logger.warning("watchdog: the stop takes too long; exiting now")
            return self._end(0)
        return False

    def _mark(self, stale: Iterable[str]) -> None:
        """Leave the mark the next start reports to the admins (minutes stuck)."""
        minutes = max(1, int(max(self.now() - b for b in self._beats.values()) // 60))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / MARKER).write_text(f"{minutes}\n{', '.join(stale)}\n", "ascii")
        except OSError as exc:
            logger.warning("watchdog: mark not written: %s", type(exc).__name__)

    def _end(self, code: int) -> bool:
        for handler in logging.getLogger().handlers:
            with contextlib.suppress(ValueError, OSError):  # a closed stream: exit all the same
                handler.flush()
        self._done.set()
        self.exit(code)
        return True

    def _run(self) -> None:
        while not self._done.wait(CHECK_EVERY):
            self.check()

    def start(self) -> None:
        """Start watching, in a daemon thread."""
        self._thread = threading.Thread(target=self._run, name="watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (the process is ending normally)."""
        self._done.set()


def take_mark(folder: Path) -> int | None:
    """The minutes a previous run was stuck, if it was ended by the watchdog (mark removed)."""
    marker = folder / MARKER
    try:
        first = marker.read_text("ascii").split("\n", 1)[0]
        marker.unlink()
    except OSError:
        return None
    try:
        return int(first)
    except ValueError:
        return 1


async def report_restart(context: Context) -> None:
    """After a restart by the watchdog: one alert to the admins (job run once at start)."""
    application = context.application
    heartbeats = heartbeat_of(application)
    minutes = take_mark(heartbeats.folder) if heartbeats is not None else None
    if minutes is None:
        return
    data = context.bot_data
    text = data.content.render(RESTARTED_AFTER_STALL, minutes=minutes)
    logger.warning("restarted by the watchdog after %s minutes without heartbeat", minutes)
    for chat_id in alert_chats(data.config):
        try:
            await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            logger.warning("restart alert not sent: %s", type(exc).__name__)
