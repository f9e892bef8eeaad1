"""Every private update counts as an exchange with the person, for the retention period."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.constants import ChatType
from telegram.ext import TypeHandler

from pes21_bot.context import Context
from pes21_bot.services import retention

logger = logging.getLogger(__name__)

# The moment is noted before every other handler group, and stored after them: waiting for
# SQLite's write lock (held by another process) must not delay the answer.
BEFORE, AFTER = -1, 1


class ActivityTracker:
    """Stores a person's last interaction at most once a day (one small UPDATE)."""

    def __init__(self) -> None:
        self._touched: dict[int, date] = {}
        self._seen: dict[int, datetime] = {}

    async def note(self, update: Update, context: Context) -> None:
        """Remember when this user wrote or pressed a button (private chats only)."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or chat.type != ChatType.PRIVATE:
            return
        now = context.bot_data.clock.now()
        if self._touched.get(user.id) != now.date():
            self._seen[user.id] = now

    async def store(self, update: Update, context: Context) -> None:
        """Store the moment noted for this update, once the update was answered."""
        user = update.effective_user
        moment = self._seen.pop(user.id, None) if user is not None else None
        if user is None or moment is None:
            return
        try:
            async with context.bot_data.transaction() as session:
                await retention.touch(session, user.id, moment)
        except SQLAlchemyError:  # the update itself was handled; the next one tries again
            logger.exception("last interaction not stored")
            return
        self._touched[user.id] = moment.date()


def activity_handlers() -> list[tuple[Any, int]]:
    """The two handlers and their groups, for Application.add_handler."""
    tracker = ActivityTracker()
    return [
        (TypeHandler(Update, tracker.note), BEFORE),
        (TypeHandler(Update, tracker.store), AFTER),
    ]
