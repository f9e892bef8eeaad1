"""Alerts to the admins (or a configured chat), in French, at most once per kind per hour.

Four kinds: repeated errors of the same class at the same place, a failed backup, a reminder
given up, and a card that could not be handed to a staff member. Code anywhere raises one by
logging a record with ``extra=alert_extra(KIND, ...)``; errors are counted from the log records
themselves. An alert names what happened and what to check, never a person's data, an error's
message or the token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sysconfig
import weakref
from collections import deque
from collections.abc import Coroutine
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pes21_bot.alert_tags import (
    BACKUP_FAILED,
    CARD_UNDELIVERABLE,
    ERRORS,
    REMINDER_GIVEN_UP,
)
from pes21_bot.config import Config
from pes21_bot.texts import ops as t
from pes21_bot.texts._registry import TextKey

if TYPE_CHECKING:
    from telegram.ext import Application

    AnyApplication = Application[Any, Any, Any, Any, Any, Any]

logger = logging.getLogger(__name__)

TEXTS: dict[str, TextKey] = {
    ERRORS: t.ALERT_ERRORS,
    BACKUP_FAILED: t.ALERT_BACKUP_FAILED,
    REMINDER_GIVEN_UP: t.ALERT_REMINDER_GIVEN_UP,
    CARD_UNDELIVERABLE: t.ALERT_CARD_UNDELIVERABLE,
}
EVERY = timedelta(hours=1)
# Files of the interpreter and of installed libraries: an error's place is the code that called
# them (the bot itself counts as ours even when installed, as in the Docker image).
_LIBRARIES = tuple(
    {sysconfig.get_paths()[name] for name in ("stdlib", "platstdlib", "purelib", "platlib")}
)
OWN_PACKAGE = __name__.split(".")[0]


def _ours(module: str, filename: str) -> bool:
    return module.split(".")[0] == OWN_PACKAGE or not filename.startswith(_LIBRARIES)


def error_place(record: logging.LogRecord) -> str:
    """Where an error record's exception was raised (module.function of the innermost frame of
    our code), else where it was logged; code names only, never data."""
    traceback: TracebackType | None = record.exc_info[2] if record.exc_info else None
    innermost: str | None = None
    ours: str | None = None
    while traceback is not None:
        frame = traceback.tb_frame
        module = str(frame.f_globals.get("__name__", "?"))
        innermost = f"{module}.{frame.f_code.co_name}"
        if _ours(module, frame.f_code.co_filename):
            ours = innermost
        traceback = traceback.tb_next
    return ours or innermost or f"{record.name}.{record.funcName}"


def alert_chats(config: Config) -> list[int]:
    """Where alerts and notices to the admins go: the alert chat, else each admin."""
    chat = config.operations.alerts_chat_id
    return [chat] if chat is not None else [member.id for member in config.admins]


class Alerter:
    """Sends alerts for one application; remembers when each kind was last sent."""

    def __init__(self, application: AnyApplication) -> None:
        self._application = weakref.ref(application)
        self._sent: dict[str, datetime] = {}
        self._errors: dict[str, deque[datetime]] = {}

    def _now(self) -> datetime | None:
        application = self._application()
        return application.bot_data.clock.now() if application is not None else None

    def count_error(self, error_class: str) -> int | None:
        """Count an error of a kind (its class and place); how many of that kind fell in the
        window, once over the limit."""
        application = self._application()
        now = self._now()
        if application is None or now is None:
            return None
        settings = application.bot_data.config.operations
        window = timedelta(minutes=settings.alert_errors_minutes)
        seen = self._errors.setdefault(error_class, deque())
        seen.append(now)
        while seen and now - seen[0] > window:
            seen.popleft()
        return len(seen) if len(seen) > settings.alert_errors_count else None

    def due(self, kind: str) -> bool:
        """Whether this kind (for errors, their class and place) may be sent now (not sent within
        the last hour); marks it sent."""
        now = self._now()
        if now is None:
            return False
        last = self._sent.get(kind)
        if last is not None and now - last < EVERY:
            return False
        self._sent[kind] = now
        return True

    async def send(self, kind: str, params: dict[str, str | int], key: str | None = None) -> bool:
        """Send one alert to the alert chat or every admin, unless one of the same `key` (by
        default its kind) was sent within the hour."""
        application = self._application()
        if application is None or kind not in TEXTS or not self.due(key or kind):
            return False
        data = application.bot_data
        try:
            text = data.content.render(TEXTS[kind], **params)
        except (KeyError, ValueError) as exc:
            logger.warning("alert %s not rendered: %s", kind, type(exc).__name__)
            return False
        for chat_id in alert_chats(data.config):
            try:
                await application.bot.send_message(chat_id, text, parse_mode="HTML")
            except Exception as exc:  # an alert must never raise where it was triggered
                logger.warning(
                    "alert %s not delivered to %s: %s", kind, chat_id, type(exc).__name__
                )
        return True


class AlertHandler(logging.Handler):
    """A logging handler turning alert records and repeated errors into alerts."""

    def __init__(self, application: AnyApplication, alerter: Alerter) -> None:
        super().__init__(logging.WARNING)
        self._application = weakref.ref(application)
        self._alerter = alerter
        self._loop = asyncio.get_running_loop()
        self._tasks: set[asyncio.Future[bool]] = set()

    def emit(self, record: logging.LogRecord) -> None:
        """Schedule the alert this record calls for, on the bot's loop, from any thread."""
        application = self._application()
        # A stopped bot's handler stays silent (removing it here would make the logger skip
        # the next handler for this record); install() drops it later.
        if application is None or self._loop.is_closed():
            return
        if not application.running or record.name == logger.name:
            return
        kind = getattr(record, "alert", None)
        params: dict[str, str | int] = dict(getattr(record, "alert_params", None) or {})
        if kind is None and record.levelno >= logging.ERROR:
            error_class = (
                record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else "Error"
            )
            place = error_place(record)
            # Counted and sent per class and place: one kind of error never hides another.
            key = f"{ERRORS}:{error_class}:{place}"
            count = self._alerter.count_error(key)
            if count is None:
                return
            minutes = application.bot_data.config.operations.alert_errors_minutes
            params = {"error": error_class, "place": place, "count": count, "minutes": minutes}
            self._schedule(self._alerter.send(ERRORS, params, key))
            return
        if kind is None:
            return
        self._schedule(self._alerter.send(kind, params))

    def finished_with(self, application: AnyApplication) -> bool:
        """Whether this handler serves `application` or a bot that is gone."""
        mine = self._application()
        return mine is None or mine is application or self._loop.is_closed()

    def _schedule(self, coroutine: Coroutine[Any, Any, bool]) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            task: asyncio.Future[bool] = self._loop.create_task(coroutine)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            asyncio.run_coroutine_threadsafe(coroutine, self._loop)
            return
        coroutine.close()


_ALERTERS: weakref.WeakKeyDictionary[AnyApplication, Alerter] = weakref.WeakKeyDictionary()


def install(application: AnyApplication) -> Alerter:
    """Create the application's alerter and listen to the logs (call inside its loop)."""
    alerter = Alerter(application)
    _ALERTERS[application] = alerter
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, AlertHandler) and handler.finished_with(application):
            root.removeHandler(handler)
    root.addHandler(AlertHandler(application, alerter))
    return alerter


async def send_alert(application: AnyApplication, kind: str, /, **params: str | int) -> bool:
    """Send an alert now (when the application has an alerter); never raises."""
    alerter = _ALERTERS.get(application)
    if alerter is None:
        return False
    try:
        return await alerter.send(kind, params)
    except Exception:  # pragma: no cover - send already guards each call
        logger.warning("alert %s failed", kind)
        return False
