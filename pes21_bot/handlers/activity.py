"""Every private update counts as an exchange with the person, for the retention period."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.constants import ChatType
from telegram.ext import TypeHandler

from pes21_bot.context import Context
from pes21_bot.services import retention

logger = logging.getLogger(__name__)

# Runs before every other handler group and lets the update through to them.
GROUP = -1


class ActivityTracker:
    """Stores a person's last interaction at most once a day (one small UPDATE)."""

    def __init__(self) -> None:
        self._touched: dict[int, date] = {}

    async def __call__(self, update: Update, context: Context) -> None:
        """Note that this user wrote or pressed a button today (private chats only)."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or chat.type != ChatType.PRIVATE:
            return
        data = context.bot_data
        now = data.clock.now()
        if self._touched.get(user.id) == now.date():
            return
        try:
            async with data.transaction() as session:
                await retention.touch(session, user.id, now)
        except SQLAlchemyError:  # the update itself must still be handled
            logger.exception("last interaction not stored")
            return
        self._touched[user.id] = now.date()


def activity_handler() -> tuple[Any, int]:
    """The handler and its group, for Application.add_handler."""
    return TypeHandler(Update, ActivityTracker()), GROUP
