"""Help, command menus per role, unknown input, group chats and the error handler."""

from __future__ import annotations

import logging
import weakref
from collections import deque
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.constants import ChatType
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import ApplicationHandlerStop

from pes21_bot import buttons, texts
from pes21_bot.access import commands_for
from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.context import Context
from pes21_bot.handlers.access import user_roles
from pes21_bot.handlers.ui import answer_query, reply
from pes21_bot.services.people import Role, roles_of

logger = logging.getLogger(__name__)


async def help_command(update: Update, context: Context) -> None:
    """/aide: the commands this user's role may use."""
    assert update.effective_user is not None
    content = context.bot_data.content
    roles = await user_roles(context, update.effective_user.id)
    lines = [content.render(texts.HELP_HEADER)]
    lines += [
        content.render(texts.HELP_LINE, command=name, description=content.commands[name])
        for name in commands_for(roles)
    ]
    await reply(update, "\n".join(lines))


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not know."""
    await reply(update, context.bot_data.content.render(texts.UNKNOWN_COMMAND))


async def not_text(update: Update, context: Context) -> None:
    """A sticker, photo, voice note... outside of any question."""
    await reply(update, context.bot_data.content.render(texts.NOT_TEXT))


async def group_message(update: Update, context: Context) -> None:
    """In a group the bot only invites people to write privately, and stores nothing."""
    await reply(
        update,
        context.bot_data.content.render(
            texts.GROUP_ONLY_PRIVATE, bot_username=context.bot.username
        ),
    )


async def button_chat_gate(update: Update, context: Context) -> None:
    """Runs before every handler: outside a private chat only staff-card buttons go further.

    The bot stores nothing in groups, so a forged or forwarded button there (the menu, consent,
    a form) is answered and stops here.
    """
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None or chat.type == ChatType.PRIVATE:
        return
    if (query.data or "").split(buttons.SEPARATOR, 1)[0] in buttons.GROUP_PREFIXES:
        return
    logger.info("button %r refused in a %s chat", (query.data or "")[:16], chat.type)
    text = context.bot_data.content.render(
        texts.GROUP_ONLY_PRIVATE, bot_username=context.bot.username
    )
    await answer_query(query, text)
    raise ApplicationHandlerStop


# Update ids already apologised for, per application: an update failing in two handler groups
# (the activity note and its handler) gets one apology, not two.
_APOLOGISED: weakref.WeakKeyDictionary[Any, deque[int]] = weakref.WeakKeyDictionary()


def _first_failure(context: Context, update_id: int) -> bool:
    """Whether this update had no failure yet (remembered for the last few hundred updates)."""
    seen = _APOLOGISED.get(context.application)
    if seen is None:
        seen = _APOLOGISED[context.application] = deque(maxlen=500)
    if update_id in seen:
        return False
    seen.append(update_id)
    return True


async def error_handler(update: object, context: Context) -> None:
    """Log the failure with the update id and tell the person, in French, without details.

    Only a failure of the work itself earns the apology: when Telegram fails the answer (a 5xx
    after the retries, a time-out) the change is already stored, and saying "problème
    technique" would be a false alarm.
    """
    update_id = update.update_id if isinstance(update, Update) else None
    if update is None and isinstance(context.error, NetworkError):
        # The polling loop lost Telegram: pes21_bot.reachability logs it once, not every retry.
        return
    if isinstance(update, Update) and update.callback_query is not None:
        # The handler may have stopped before acknowledging the press (spinner still turning).
        await answer_query(update.callback_query)
    if isinstance(context.error, Forbidden):
        # The person blocked the bot: nothing to tell them, nothing is lost.
        logger.info("update %s: chat unreachable (%s)", update_id, context.error)
        return
    if isinstance(context.error, TimedOut):
        # Telegram often delivers a message it did not confirm in time: no apology for that.
        logger.warning("update %s: Telegram did not answer in time (%s)", update_id, context.error)
        return
    if isinstance(context.error, NetworkError | RetryAfter):
        # Telegram failed the answer even after retries: the change is stored, nothing to say.
        logger.warning(
            "update %s: answer not delivered (%s)", update_id, type(context.error).__name__
        )
        return
    logger.error("error while handling update %s", update_id, exc_info=context.error)
    if update_id is not None and not _first_failure(context, update_id):
        return
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await reply(update, context.bot_data.content.render(texts.INTERNAL_ERROR))
        except Exception as exc:  # the error handler itself must never fail
            logger.warning("could not tell chat about the error: %s", type(exc).__name__)


def _bot_commands(content: Content, names: list[str]) -> list[BotCommand]:
    return [BotCommand(name, content.commands[name]) for name in names]


async def register_commands(bot: Bot, config: Config, content: Content) -> None:
    """setMyCommands: holders' list by default, a fuller list in each staff or admin chat."""
    try:
        await bot.set_my_commands(
            _bot_commands(content, commands_for({Role.HOLDER})), scope=BotCommandScopeDefault()
        )
    except TelegramError as exc:
        logger.warning("command menus not registered: %s", exc)
        return
    # One member who never opened the bot must not leave the others without their menu.
    members = {m.id for m in config.staff} | {m.id for m in config.admins}
    for member_id in sorted(members):
        roles = roles_of(config, member_id, None)
        try:
            await bot.set_my_commands(
                _bot_commands(content, commands_for(roles)),
                scope=BotCommandScopeChat(member_id),
            )
        except TelegramError as exc:
            logger.warning("command menu of chat %s not registered: %s", member_id, exc)
