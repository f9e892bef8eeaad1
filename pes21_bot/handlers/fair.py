"""The bot under load: notices for dropped updates, strangers' groups, leaving their groups."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop

from pes21_bot.concurrency import ACK_WINDOW, QUEUE
from pes21_bot.config import Config
from pes21_bot.context import Context
from pes21_bot.handlers.access import user_roles
from pes21_bot.services.people import Role, roles_of
from pes21_bot.texts import fair as t

logger = logging.getLogger(__name__)

NOTICE_EVERY = 60.0  # seconds between two "too fast" notices to one chat
STRANGERS_EVERY = 3600.0  # seconds between two answers to non-members in one group
TEAM_ROLES = {Role.STAFF, Role.ADMIN, Role.COORDINATOR}
_PRESENT = {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

# Per application (tests run several): when each stranger's group was last answered.
_STRANGERS: weakref.WeakKeyDictionary[AnyApplication, Once] = weakref.WeakKeyDictionary()


class Once:
    """Remembers when each key was last let through; lets it through again after ``every``."""

    def __init__(self, every: float, now: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self.now = now
        self._last: dict[int, float] = {}

    def due(self, key: int) -> bool:
        """Whether ``key`` may go now (and, if so, it is stamped)."""
        now = self.now()
        last = self._last.get(key)
        if last is not None and now - last < self.every:
            return False
        if len(self._last) > 10_000:  # keep only recent stamps
            self._last = {k: v for k, v in self._last.items() if now - v < self.every}
        self._last[key] = now
        return True


# Notices about load go out a few at a time: a flood of dropped presses must not take every
# connection to Telegram from the answers to other people.
NOTICES_AT_ONCE = 4


def dropped_notifier(application: AnyApplication) -> Callable[[Update, str], None]:
    """What the update processor calls for a dropped update: a press is answered, a chat told.

    A chat gets one notice a minute at most, whatever was dropped (a form's answer included):
    in a private chat a message, and for a press a toast (its acknowledgement, sent within
    Telegram's window or not at all); the other dropped presses are left to stop their spinner
    by themselves, so a flood of presses costs the others nothing. A group gets no message.
    """
    notices, toasts = Once(NOTICE_EVERY), Once(NOTICE_EVERY)
    turns: list[asyncio.Semaphore] = []  # created in the running loop

    async def send(call: Callable[[], Awaitable[object]], deadline: float | None) -> None:
        if not turns:
            turns.append(asyncio.Semaphore(NOTICES_AT_ONCE))
        async with turns[0]:
            if deadline is not None and time.monotonic() > deadline:
                return  # too late for Telegram: the press's spinner stops by itself
            try:
                await call()
            except TelegramError as exc:
                logger.info("load notice not sent: %s", type(exc).__name__)

    def on_dropped(update: Update, reason: str) -> None:
        content = application.bot_data.content
        bot = application.bot
        query = update.callback_query
        chat = update.effective_chat
        if query is not None and toasts.due(chat.id if chat is not None else query.from_user.id):
            toast = content.render(t.TOO_FAST_TOAST)
            application.create_task(
                send(
                    partial(bot.answer_callback_query, query.id, toast),
                    time.monotonic() + ACK_WINDOW,
                )
            )
        if chat is None or chat.type != ChatType.PRIVATE or not notices.due(chat.id):
            return
        logger.info(
            "chat told its updates were dropped (%s)", "backlog" if reason == QUEUE else "pace"
        )
        text = content.render(t.TOO_FAST)
        application.create_task(
            send(partial(bot.send_message, chat.id, text, parse_mode=ParseMode.HTML), None)
        )

    return on_dropped


def is_team(config: Config, user_id: int) -> bool:
    """Whether this person is of the team by config.yaml or by chat (staff, coordinator, admin)."""
    return bool(TEAM_ROLES & roles_of(config, user_id, None))


def team_groups(config: Config) -> set[int]:
    """The groups of the team: each programme's group and the alerts' chat."""
    groups = {p.group_chat_id for p in config.programmes.values() if p.group_chat_id is not None}
    if config.operations.alerts_chat_id is not None:
        groups.add(config.operations.alerts_chat_id)
    return groups


async def strangers_gate(update: Update, context: Context) -> None:
    """A command in a group that is not the team's, from someone not of the team.

    Anyone can add the bot to their own group: there it answers strangers at most once an hour,
    so a flood of commands there costs nothing but their reading.
    """
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None or chat.id in team_groups(context.bot_data.config):
        return
    if TEAM_ROLES & await user_roles(context, user.id):
        return
    gate = _STRANGERS.get(context.application)
    if gate is None:
        clock = context.bot_data.clock
        gate = _STRANGERS[context.application] = Once(
            STRANGERS_EVERY, lambda: clock.now().timestamp()
        )
    if gate.due(chat.id):
        return  # the usual invitation to write privately goes out
    logger.info("command in a stranger's group %s left unanswered", chat.id)
    raise ApplicationHandlerStop


async def bot_membership(update: Update, context: Context) -> None:
    """The bot was added to a group: it leaves at once unless it is the team's or a member's."""
    changed: ChatMemberUpdated | None = update.my_chat_member
    if changed is None or changed.chat.type == ChatType.PRIVATE:
        return
    if changed.new_chat_member.status not in _PRESENT:
        return
    if changed.chat.id in team_groups(context.bot_data.config):
        return
    if TEAM_ROLES & await user_roles(context, changed.from_user.id):
        return
    logger.warning("added to group %s by someone not of the team: leaving it", changed.chat.id)
    try:
        await context.bot.leave_chat(changed.chat.id)
    except TelegramError as exc:
        logger.info("group %s not left: %s", changed.chat.id, type(exc).__name__)
