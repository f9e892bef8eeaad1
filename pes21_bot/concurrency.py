"""Updates of different people run concurrently; those of one chat run one after the other."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Overlap the waits (database, Telegram) of many people without reordering anyone's steps.

    A person answering fast, or pressing a button twice, must see their updates handled in
    order: each chat has a lock; different chats proceed in parallel up to the global bound.
    A press of a button whose previous press is still waiting or running is a double tap:
    ``repeats`` tells the handlers that open a new message, so they open it once.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._pressing: dict[tuple[int, int, str], int] = {}
        self._repeats: set[int] = set()

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

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handler coroutine once this chat's previous update is done."""
        key = self._key(update)
        if key is None:
            await coroutine
            return
        press = self._press(update)
        if press is not None:
            if self._pressing.get(press):
                assert isinstance(update, Update)
                self._repeats.add(update.update_id)
            self._pressing[press] = self._pressing.get(press, 0) + 1
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # forget idle chats so the table stays small
                del self._waiting[key]
                del self._locks[key]
            if press is not None:
                assert isinstance(update, Update)
                self._repeats.discard(update.update_id)
                self._pressing[press] -= 1
                if not self._pressing[press]:
                    del self._pressing[press]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
