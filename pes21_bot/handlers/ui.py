"""Small helpers shared by handlers: safe sending and editing, user facts, notices, and the
conversation whose state lives in the database."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Sequence
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.ext import ConversationHandler
from telegram.warnings import PTBUserWarning

from pes21_bot.buttons import SEPARATOR
from pes21_bot.concurrency import PerChatUpdateProcessor, ack_too_late
from pes21_bot.context import Context
from pes21_bot.db.models import OutboxMessage
from pes21_bot.services import outbox
from pes21_bot.services.people import UserInfo

logger = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


def user_info(update: Update) -> UserInfo:
    """The sender as the services see them."""
    user = update.effective_user
    assert user is not None
    return UserInfo(user.id, user.first_name, user.last_name, user.username)


# Pauses before the next tries of an answer Telegram failed with a 5xx or a dropped connection.
REPLY_BACKOFF = (0.2, 0.6, 1.8)


async def reply(update: Update, text: str, markup: Markup = None) -> Message | None:
    """Answer in the chat the update came from (message or button press).

    A 5xx or a dropped connection is tried again a few times, with a growing pause, before the
    error reaches anyone; a time-out is not (Telegram may well have delivered the message).
    """
    chat = update.effective_chat
    if chat is None:
        return None
    for pause in (*REPLY_BACKOFF, None):
        try:
            return await chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        except TimedOut:
            raise
        except NetworkError as exc:
            if pause is None:
                raise
            logger.info("answer not sent (%s), trying again in %.1f s", type(exc).__name__, pause)
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")


def _log_cosmetic(what: str, exc: TelegramError) -> None:
    """A failed acknowledgement, edit or toast: the state change is already stored."""
    logger.info("%s skipped: %s: %s", what, type(exc).__name__, exc)


async def answer_query(query: CallbackQuery, text: str | None = None) -> None:
    """Acknowledge a button press (toast); never raises: the press was already handled.

    Past Telegram's window the acknowledgement is not sent at all: it would only be refused.
    """
    if ack_too_late(query.id):
        logger.info("callback answer skipped: the press is older than Telegram's window")
        return
    try:
        await query.answer(text)
    except TelegramError as exc:  # too old, time-out, 5xx, flood: the toast is only cosmetic
        _log_cosmetic("callback answer", exc)


async def repeated_press(update: Update, context: Context) -> bool:
    """A double tap on a button that opens a new message: answered, and to be ignored.

    Buttons that edit their own message or change stored state handle a repeat themselves
    (the edit may have failed the first time; the state change is idempotent).
    """
    processor = context.application.update_processor
    query = update.callback_query
    if query is None or not isinstance(processor, PerChatUpdateProcessor):
        return False
    if not processor.repeats(update):
        return False
    logger.info("repeated press of %s ignored", (query.data or "").split(SEPARATOR)[0])
    await answer_query(query)
    return True


def _editable(query: CallbackQuery) -> bool:
    """Whether the bot may edit the pressed message: its own and still accessible."""
    if query.inline_message_id is not None:
        return True
    message = query.message
    if not isinstance(message, Message):
        return False  # too old: Telegram sends an inaccessible message
    # A forged press may come attached to the person's own message, which only they may edit.
    author = message.from_user
    return author is None or author.id == query.get_bot().id


async def set_markup(query: CallbackQuery, markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace (or, with None, remove) the pressed message's buttons; never raises."""
    if not _editable(query):
        logger.info("keyboard edit skipped: message not editable by the bot")
        return
    try:
        await query.edit_message_reply_markup(markup)
    except TelegramError as exc:
        _log_cosmetic("keyboard edit", exc)


async def edit_or_send(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the pressed message's text; send a new one if it cannot be edited. Never raises.

    A time-out or 5xx is not followed by a new message: the edit may well have been applied.
    """
    try:
        if not _editable(query):
            raise BadRequest("Message can't be edited (not the bot's)")  # sent anew below
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        return
    except BadRequest as exc:
        if "not modified" in str(exc).lower() or query.message is None:
            _log_cosmetic("message edit", exc)
            return
        _log_cosmetic("message edit (sent anew)", exc)
    except TelegramError as exc:
        _log_cosmetic("message edit", exc)
        return
    try:
        await query.message.chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except TelegramError as exc:
        _log_cosmetic("message resend", exc)


async def edit_elsewhere(
    context: Context,
    chat_id: int,
    message_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Update a message in another chat (a staff card); failures are logged only."""
    try:
        await context.bot.edit_message_text(
            text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
    except TelegramError as exc:
        logger.info("card %s/%s not updated: %s", chat_id, message_id, exc)


async def send_notice(context: Context, chat_id: int, text: str) -> None:
    """A notice after a change already committed: written to the outbox, then sent from it."""
    data = context.bot_data
    async with data.transaction() as session:
        row = outbox.add_message(session, chat_id, text, data.clock.now())
    kick(context, [row])


def kick(context: Context, rows: Sequence[OutboxMessage]) -> None:
    """After the commit: send these outbox rows now, in the background (the sweep catches up)."""
    ids = [row.id for row in rows]
    sender = context.bot_data.outbox_sender
    if ids and sender is not None:
        context.application.create_task(sender(context.application, ids), name="outbox")


def db_driven_conversation(**kwargs: Any) -> ConversationHandler[Context]:
    """A ConversationHandler whose real state lives in the database.

    Its buttons carry the ids they act on and every handler reloads the draft, so PTB's
    per-message tracking (and its warning about per_message=False) is not needed.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        return ConversationHandler(**kwargs)
