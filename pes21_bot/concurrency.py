"""Updates of different people run concurrently; those of one chat run one after the other.

Fairness under load (issue 18): an update waiting for its own chat's earlier updates holds no
processing slot, so one chat's backlog never keeps the others waiting; a chat's backlog and a
person's pace are bounded, and what goes beyond is dropped with a notice (``on_dropped``).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger(__name__)

# PTB takes its own semaphore before do_process_update, that is before an update's turn in its
# chat: it is made wide enough to never bind, and the real bound is taken once the turn comes.
_UNBOUND = 1 << 30

QUEUE = "queue"
RATE = "rate"

# Telegram refuses an acknowledgement some seconds after the press ("query is too old"); past
# this age the bot does not even try (a late answer only earns an error).
ACK_WINDOW = 10.0

# When each press being handled arrived, and the processor's clock, by callback query id: the
# acknowledgement helper (handlers/ui.py) has the query, not the processor.
_PRESSED_AT: dict[str, tuple[Callable[[], float], float]] = {}


def ack_too_late(query_id: str) -> bool:
    """Whether a press's acknowledgement would come after Telegram's window."""
    pressed = _PRESSED_AT.get(query_id)
    if pressed is None:
        return False
    now, received = pressed
    return now() - received > ACK_WINDOW


@dataclass(frozen=True)
class Pace:
    """How much one chat and one person may ask at once."""

    max_queued_per_chat: int = 20
    per_person_per_minute: int = 40


class _Bucket:
    """A token bucket: ``per_minute`` tokens a minute, at most ``per_minute`` saved up."""

    def __init__(self, per_minute: int, now: float) -> None:
        self.tokens = float(per_minute)
        self.rate = per_minute / 60.0
        self.burst = float(per_minute)
        self.updated = now

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Overlap the waits (database, Telegram) of many people without reordering anyone's steps.

    A person answering fast, or pressing a button twice, must see their updates handled in
    order: each chat has a lock; different chats proceed in parallel up to the global bound,
    which is taken only once the chat's turn has come. A press of a button whose previous
    press is still waiting or running is a double tap: ``repeats`` tells the handlers that open
    a new message, so they open it once.
    """

    def __init__(
        self,
        max_concurrent_updates: int,
        pace: Pace | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(_UNBOUND)
        self.slots = max_concurrent_updates
        self.pace = pace or Pace()
        self.now = now
        # Set by the application: who to tell about a dropped update, and whether to still run
        # updates (false once stopping: what still waits is dropped, so SIGTERM ends quickly).
        self.on_dropped: Callable[[Update, str], None] | None = None
        self.accepting: Callable[[], bool] = lambda: True
        # Who the per-person pace does not apply to (the team: set by the application).
        self.unpaced: Callable[[int], bool] = lambda _user_id: False
        self._semaphore_bound: asyncio.Semaphore | None = None
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._pressing: dict[tuple[int, int, str], int] = {}
        self._repeats: set[int] = set()
        self._buckets: dict[int, _Bucket] = {}
        self._dropped_on_stop = 0

    @staticmethod
    def _press(update: object) -> tuple[int, int, str] | None:
        """Who pressed which button of which message (None for anything else)."""
        query = update.callback_query if isinstance(update, Update) else None
        if query is None or query.message is None:
            return None
        return query.from_user.id, query.message.message_id, query.data or ""

    @property
    def idle(self) -> bool:
        """Whether no update is waiting or being handled (tests wait for a press's whole work)."""
        return not self._waiting

    @property
    def _bound(self) -> asyncio.Semaphore:
        if self._semaphore_bound is None:  # created in the running loop
            self._semaphore_bound = asyncio.Semaphore(self.slots)
        return self._semaphore_bound

    def repeats(self, update: Update) -> bool:
        """Whether this press came while the same press was still waiting or being handled."""
        return update.update_id in self._repeats

    @staticmethod
    def _key(update: object) -> int | None:
        if not isinstance(update, Update):
            return None
        if update.effective_chat is not None:
            return update.effective_chat.id
        return update.effective_user.id if update.effective_user is not None else None

    def _refusal(self, update: Update, key: int) -> str | None:
        """Why this update is dropped on arrival (None: it is taken)."""
        if self._waiting.get(key, 0) >= self.pace.max_queued_per_chat:
            return QUEUE
        user = update.effective_user
        chat = update.effective_chat
        # A person's pace counts what they write or press to the bot; a group's own pace is
        # Telegram's and the rate limiter's business.
        if user is None or (chat is not None and chat.type != ChatType.PRIVATE):
            return None
        if self.unpaced(user.id):
            return None
        now = self.now()
        bucket = self._buckets.get(user.id)
        if bucket is None:
            bucket = self._buckets[user.id] = _Bucket(self.pace.per_person_per_minute, now)
        if len(self._buckets) > 10_000:  # forget full buckets so the table stays small
            self._buckets = {
                k: b for k, b in self._buckets.items() if b.tokens < b.burst or k == user.id
            }
        return None if bucket.take(now) else RATE

    def _clock(self) -> float:
        """The processor's time, read through ``now`` when asked (tests replace it)."""
        return self.now()

    def _drop(self, update: Update, coroutine: Awaitable[Any], reason: str) -> None:
        if inspect.iscoroutine(coroutine):
            coroutine.close()
        logger.info("update %s dropped (%s)", update.update_id, reason)
        if self.on_dropped is not None:
            self.on_dropped(update, reason)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handler coroutine once this chat's previous update is done."""
        key = self._key(update)
        if key is None:
            async with self._bound:
                await coroutine
            return
        assert isinstance(update, Update)
        reason = self._refusal(update, key)
        if reason is not None:
            self._drop(update, coroutine, reason)
            return
        press = self._press(update)
        if press is not None:
            assert update.callback_query is not None
            _PRESSED_AT[update.callback_query.id] = (self._clock, self.now())
            if self._pressing.get(press):
                self._repeats.add(update.update_id)
            self._pressing[press] = self._pressing.get(press, 0) + 1
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._bound:
                if self.accepting():
                    await coroutine
                else:
                    self._skip(coroutine)
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # forget idle chats so the table stays small
                del self._waiting[key]
                del self._locks[key]
            if press is not None:
                assert update.callback_query is not None
                _PRESSED_AT.pop(update.callback_query.id, None)
                self._repeats.discard(update.update_id)
                self._pressing[press] -= 1
                if not self._pressing[press]:
                    del self._pressing[press]

    def _skip(self, coroutine: Awaitable[Any]) -> None:
        """The bot is stopping: an update that has not started is left (logged once)."""
        if inspect.iscoroutine(coroutine):
            coroutine.close()
        if not self._dropped_on_stop:
            logger.warning("stopping: updates not started yet are left")
        self._dropped_on_stop += 1

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Say how many updates a stop left unhandled."""
        if self._dropped_on_stop:
            logger.warning("stopping: %s updates left unhandled", self._dropped_on_stop)
