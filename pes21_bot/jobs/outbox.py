"""Sending the outbox (services/outbox.py): right after a commit, and by a periodic sweep.

A failing send never holds the others: every row is sent on its own, a 429 waits for the time
Telegram asked, a 5xx or time-out is retried a few times with a short backoff and then left to
the sweep; a 403 makes the row undeliverable (a card then goes to someone else).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext

from pes21_bot.alert_tags import CARD_UNDELIVERABLE, alert_extra
from pes21_bot.alerts import alert_chats
from pes21_bot.context import BotData, Context
from pes21_bot.db.models import OutboxMessage, Project
from pes21_bot.domain.vocabulary import OPEN_STATUSES
from pes21_bot.jobs.dispatcher import Prepared, send_prepared
from pes21_bot.messages.cards import card_fields, chat_card_markup
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.render import card_text
from pes21_bot.services import events, outbox, relay, reminders
from pes21_bot.texts import notify as t

logger = logging.getLogger(__name__)

BATCH = 200
MAX_BATCHES = 50
IN_FLIGHT = 20
QUICK_TRIES = 3  # in-process tries before a row waits for the sweep
QUICK_WAIT_MAX = 30.0  # a longer 429 wait is left to the sweep
SWEEP_SECONDS = 15
KEPT_FOR = timedelta(days=30)  # finished rows, for diagnosis, then deleted
# Telegram's 400 to a private chat the bot was never opened in.
NEVER_OPENED = "chat not found"


async def _prepare(session: AsyncSession, context: Context, row: OutboxMessage) -> Prepared | None:
    """What to send for a claimed row; None when it no longer applies (card of a closed project)."""
    data = context.bot_data
    project = await session.get(Project, row.project_id) if row.project_id else None
    if row.kind == relay.CLOSE_TOPIC:
        thread = row.payload.get("thread")
        return Prepared(row.id, row.chat_id, "", None, thread_id=thread, action="close_topic")
    if row.kind != outbox.CARD:
        buttons = outbox.buttons_of(row)
        copy = row.payload.get("copy")
        thread = None
        if row.kind == relay.RELAY_IN and project is not None:
            thread = await _topic(context, project, row.chat_id)
        return Prepared(
            row.id,
            row.chat_id,
            outbox.text_of(row),
            keyboard(buttons) if buttons else None,
            copy_from=(int(copy[0]), int(copy[1])) if copy else None,
            thread_id=thread,
            reply_to=row.payload.get("reply_to"),
        )
    if (
        project is None
        or project.reference is None
        or project.status not in OPEN_STATUSES
        or project.programme != row.payload.get("programme")
    ):
        return None
    # A card is first sent unclaimed: nobody holds it yet.
    text = card_text(
        data.content, data.config, project, fields=card_fields(data.config, row.chat_id, None)
    )
    markup = chat_card_markup(data.config, data.content, project, row.chat_id, None)
    thread = await _topic(context, project, row.chat_id)
    return Prepared(row.id, row.chat_id, text, markup, project, thread_id=thread)


async def _topic(context: Context, project: Project, chat_id: int) -> int | None:
    """The dossier's topic in a forum group (created the first time), None elsewhere."""
    if chat_id > 0:
        return None
    if project.topic_chat_id == chat_id and project.topic_id is not None:
        return project.topic_id
    data = context.bot_data
    lock = data.topic_locks.setdefault(project.id, asyncio.Lock())
    async with lock:
        async with data.transaction() as session:
            stored = await session.get(Project, project.id)
            if stored is not None and stored.topic_chat_id == chat_id and stored.topic_id:
                return stored.topic_id
        try:
            chat = await context.bot.get_chat(chat_id)
            if not chat.is_forum:
                return None
            name = data.content.render(t.TOPIC_NAME, reference=project.reference or "?")
            topic = await context.bot.create_forum_topic(chat_id, name[:128])
        except TelegramError as exc:  # the message goes to the group itself
            logger.warning("no forum topic for project %s: %s", project.id, exc)
            return None
        async with data.transaction() as session:
            stored = await session.get(Project, project.id)
            if stored is not None:
                stored.topic_chat_id, stored.topic_id = chat_id, topic.message_thread_id
        project.topic_chat_id, project.topic_id = chat_id, topic.message_thread_id
        return topic.message_thread_id


async def _send(context: Context, item: Prepared) -> outbox.Delivery:
    """Send one row, with a few quick retries on 429, 5xx and time-outs."""
    outcome = await send_prepared(context, item)
    for attempt in range(1, QUICK_TRIES):
        if outcome.status == "postpone" and outcome.retry_after <= QUICK_WAIT_MAX:
            await asyncio.sleep(outcome.retry_after)
        elif outcome.status == "retry":
            await asyncio.sleep(0.1 * 4**attempt)
        else:
            break
        logger.info("outbox row %s: try %s after %s", item.reminder_id, attempt + 1, outcome.error)
        outcome = await send_prepared(context, item)
    status = outcome.status
    if status == "failed" and NEVER_OPENED in (outcome.error or "").lower():
        status = "blocked"  # someone who never opened the bot: as unreachable as a block
    if status == "blocked" and item.card_project is not None:
        # A staff member is named to the admins once (_tell_unreachable); a group is not.
        staff = context.bot_data.config.staff_member(item.chat_id) is not None
        reference = item.card_project.reference or "?"
        extra = {} if staff else alert_extra(CARD_UNDELIVERABLE, reference=reference)
        logger.warning(
            "card of project %s not delivered to chat %s",
            item.card_project.id,
            item.chat_id,
            extra=extra,
        )
    return outbox.Delivery(
        item.reminder_id, status, outcome.error, outcome.retry_after, outcome.message_id
    )


async def _tell_unreachable(
    session: AsyncSession, context: Context, deliveries: list[outbox.Delivery]
) -> list[OutboxMessage]:
    """Queue, once per staff member the bot cannot write to, who must open the bot and where."""
    data = context.bot_data
    now = data.clock.now()
    queued: list[OutboxMessage] = []
    for member in await outbox.mark_unreachable(session, data.config, deliveries, now):
        text = data.content.render(
            t.STAFF_UNREACHABLE,
            name=member.name,
            telegram_id=member.telegram_id,
            reference=member.reference,
            link=f"https://t.me/{context.bot.username}",
        )
        queued += [
            outbox.add_message(session, chat, text, now)
            for chat in alert_chats(data.config)
            if chat != member.telegram_id
        ]
    return queued


async def _tell_undelivered(
    session: AsyncSession, context: Context, deliveries: list[outbox.Delivery]
) -> list[OutboxMessage]:
    """An answer the holder could not receive (they blocked the bot): the dossier says so and
    the team member who wrote it is told."""
    blocked = [d.row_id for d in deliveries if d.status == "blocked"]
    if not blocked:
        return []
    data = context.bot_data
    now = data.clock.now()
    queued: list[OutboxMessage] = []
    result = await session.execute(
        select(OutboxMessage).where(
            OutboxMessage.id.in_(blocked), OutboxMessage.kind == relay.RELAY_OUT
        )
    )
    for row in result.scalars():
        project = await session.get(Project, row.project_id) if row.project_id else None
        if project is None:
            continue
        events.record(
            session,
            events.RELAY_UNDELIVERED,
            now,
            project_id=project.id,
            programme=project.programme,
        )
        sender = row.payload.get("sender")
        row.payload = {}
        if isinstance(sender, int):
            text = data.content.render(t.RELAY_UNDELIVERED, reference=project.reference or "?")
            queued.append(outbox.add_message(session, sender, text, now, project_id=project.id))
    return queued


async def deliver(
    application: Application[Any, Any, Any, Any, Any, Any], ids: Sequence[int] | None = None
) -> int:
    """Send the due rows (only these ids, if given) and what they bring on; returns sends."""
    data: BotData = application.bot_data
    context = cast(Context, CallbackContext(application))
    token = reminders.worker_token()
    gate = asyncio.Semaphore(IN_FLIGHT)
    sent = 0

    async def send_in_order(items: list[Prepared]) -> list[outbox.Delivery]:
        # One chat's rows go one after the other, so they arrive in the order they were written.
        done = []
        for item in items:
            async with gate:
                done.append(await _send(context, item))
        return done

    wanted = list(ids) if ids is not None else None
    for _ in range(MAX_BATCHES):
        if wanted is not None and not wanted:
            break
        async with data.transaction() as session:
            claimed = await outbox.claim(session, data.clock.now(), token, BATCH, wanted)
        if not claimed:
            break
        deliveries: list[outbox.Delivery] = []
        prepared: list[Prepared] = []
        async with data.session_factory() as session:
            for row in claimed:
                item = await _prepare(session, context, row)
                if item is None:
                    deliveries.append(outbox.Delivery(row.id, "cancelled"))
                else:
                    prepared.append(item)
        by_chat: dict[int, list[Prepared]] = {}
        for item in prepared:
            by_chat.setdefault(item.chat_id, []).append(item)
        for done in await asyncio.gather(*(send_in_order(i) for i in by_chat.values())):
            deliveries += done
        async with data.transaction() as session:
            queued = await outbox.record(session, data.config, deliveries, data.clock.now())
            queued += await _tell_unreachable(session, context, deliveries)
            queued += await _tell_undelivered(session, context, deliveries)
        sent += sum(1 for d in deliveries if d.status == "sent")
        if wanted is not None:
            wanted = [row.id for row in queued]
    return sent


async def sweep(context: Context) -> None:
    """Periodic job: rows whose send failed, was postponed, or was cut short by a crash."""
    data = context.bot_data
    try:
        await deliver(context.application)
        async with data.transaction() as session:
            await outbox.purge(session, data.clock.now() - KEPT_FOR)
    except Exception:  # the next sweep tries again; nothing is lost
        logger.exception("outbox sweep failed")
