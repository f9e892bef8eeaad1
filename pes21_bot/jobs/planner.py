"""Create the rows of time-based reminders (digests, unclaimed and silent projects)."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from pes21_bot.context import BotData
from pes21_bot.services import reminders


async def plan_reminders(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Insert what is due by now (or next Monday's digest); duplicates are ignored by key."""
    data: BotData = application.bot_data
    async with data.transaction() as session:
        await reminders.plan_periodic(session, data.config, data.clock.now())
