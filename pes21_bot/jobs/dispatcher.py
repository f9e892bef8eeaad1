"""Send the reminders that are due: claim a batch, render, send at Telegram's pace, record.

Sending asks the rate limiter not to retry a 429 itself (``NO_RETRY``): the row is postponed by
``retry_after`` in the database instead, so one slow chat never holds the others. A 5xx or a
time-out is retried later with backoff; a 403 marks a volunteer unreachable and reassigns their
open reviews, and their staff owners are told.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Message, MessageId, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, CallbackContext

from pes21_bot import access
from pes21_bot.content import Html
from pes21_bot.context import BotData, Context
from pes21_bot.db.models import Person, Project, Reminder, Review
from pes21_bot.domain.scheduling import is_quiet, same_local_week
from pes21_bot.domain.vocabulary import FOLLOWED_STATUSES, ProjectStatus, ReviewState
from pes21_bot.messages import agenda as agenda_messages
from pes21_bot.messages import reminders as messages
from pes21_bot.messages import satisfaction as satisfaction_messages
from pes21_bot.services import (
    agenda,
    projects,
    reminders,
    reviews,
    satisfaction,
    volunteers,
)
from pes21_bot.services.people import display_name
from pes21_bot.telegram_http import retry_seconds

logger = logging.getLogger(__name__)

NO_RETRY = -1  # rate_limit_args understood by pes21_bot.app.RateLimiter: no in-limiter retry
# A delivery waits this long for Telegram's answer: a slow answer taken for a failure would be
# sent again (a duplicate card or notice); the send runs in the background, nobody waits on it.
DELIVERY_READ_TIMEOUT = 30.0
BATCH = 500  # about 17 s of sending at Telegram's 30 messages/s
MAX_BATCHES = 100
IN_FLIGHT = 40


@dataclass
class DispatchReport:
    """What one run did."""

    quiet: bool = False
    sent: int = 0
    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass(frozen=True)
class Prepared:
    """A reminder ready to send."""

    reminder_id: int
    chat_id: int
    text: str
    markup: InlineKeyboardMarkup | None
    card_project: Project | None = None
    # The relay (jobs/outbox.py): a copy of (chat, message) with `text` as caption, a forum
    # topic to post in, or "close_topic" instead of a send.
    copy_from: tuple[int, int] | None = None
    thread_id: int | None = None
    action: str = "send"
    reply_to: int | None = None  # a message of that chat this one answers (a correction)


def _still_unclaimed(project: Project | None, reminder: Reminder, routed: datetime | None) -> bool:
    return (
        project is not None
        and project.status == ProjectStatus.ROUTED
        and project.owner_id is None
        and routed is not None
        and routed.isoformat() == reminder.payload.get("routed_at")
    )


async def _digest_text(session: AsyncSession, data: BotData, chat_id: int) -> Html | None:
    programmes = access.programmes_for(access.PROJECT_STAFF, data.config, chat_id)
    if not programmes:
        return None
    digest = await reminders.digest_for(session, list(programmes), data.clock.now())
    return messages.digest_text(data.content, digest, data.config.tz)


async def _prepare(session: AsyncSession, context: Context, reminder: Reminder) -> Prepared | None:
    """Render a claimed reminder, or None when it no longer applies (review done, claimed...)."""
    data = context.bot_data
    content = data.content
    chat_id = await reminders.chat_of(session, reminder)
    if chat_id is None:
        return None
    project = await session.get(Project, reminder.project_id) if reminder.project_id else None
    review = await session.get(Review, reminder.review_id) if reminder.review_id else None
    kind = reminder.kind
    config = data.config
    built: messages.Built | None = None
    if kind in (reminders.REVIEW_DUE, reminders.REVIEW_OVERDUE, reminders.REVIEW_ESCALATION):
        if review is None or project is None or review.state != ReviewState.OPEN:
            return None
        owner = await session.get(Person, project.owner_id) if project.owner_id else None
        if kind == reminders.REVIEW_ESCALATION:
            assignee = await session.get(Person, review.assignee_id) if review.assignee_id else None
            built = messages.review_escalation(content, config, project, review, assignee)
        elif review.assignee_id == reminder.recipient_id:
            overdue = kind == reminders.REVIEW_OVERDUE
            built = messages.review_reminder(content, config, project, review, owner, overdue)
    elif kind in (reminders.PROJECT_UNCLAIMED, reminders.PROJECT_ESCALATED):
        routed = (
            (await reminders.routed_at(session, [project.id])).get(project.id) if project else None
        )
        if project is None or not _still_unclaimed(project, reminder, routed):
            return None
        escalated = kind == reminders.PROJECT_ESCALATED
        text, markup = messages.unclaimed_card(content, config, project, escalated, chat_id)
        text = messages.with_late(content, reminder.late, text)
        return Prepared(reminder.id, chat_id, text, markup, card_project=project)
    elif kind == reminders.HOLDER_WAITING:
        routed = (
            (await reminders.routed_at(session, [project.id])).get(project.id) if project else None
        )
        # Claimed or redirected meanwhile, or erased (no holder any more): nothing to say.
        if project is None or project.holder_id is None:
            return None
        if project.holder_id != reminder.recipient_id:
            return None
        if not _still_unclaimed(project, reminder, routed):
            return None
        days = int(reminder.payload.get("days", 0))
        # Not marked late: the holder never knew when it was due.
        text, markup = messages.holder_waiting(content, project, days)
        return Prepared(reminder.id, chat_id, text, markup)
    elif kind == satisfaction.SURVEY:
        # Erased meanwhile (no holder), or answered already: nothing to ask.
        if project is None or project.holder_id is None:
            return None
        if project.holder_id != reminder.recipient_id or await satisfaction.settled(
            session, project.id
        ):
            return None
        text, markup = satisfaction_messages.invitation(content, project)
        return Prepared(reminder.id, chat_id, text, markup)
    elif kind == reminders.PROJECT_STALE:
        if project is None or project.status not in FOLLOWED_STATUSES:
            return None
        if project.owner_id != reminder.recipient_id:
            return None
        news = (await reminders.last_news(session, [project.id])).get(project.id)
        if news is None or news.isoformat() != reminder.payload.get("last_news"):
            return None
        built = messages.stale_project(content, project, (data.clock.now() - news).days)
    elif kind == reminders.DIGEST:
        # After a downtime, a past week's digest is old news: this week's is planned anyway.
        if not same_local_week(reminder.due_at, data.clock.now(), data.config.tz):
            return None
        digest = await _digest_text(session, data, chat_id)
        built = (digest, None) if digest is not None else None
    elif kind == reminders.VOLUNTEER_UNREACHABLE:
        name = str(reminder.payload.get("name", "?"))
        refs = [str(r) for r in reminder.payload.get("reviews", [])]
        text, markup = messages.volunteer_unreachable(content, name, refs)
        return Prepared(reminder.id, chat_id, text, markup)
    elif kind in agenda.REMINDER_KINDS:
        built = await agenda_messages.reminder(
            session, content, config.tz, reminder, data.clock.now()
        )
    else:
        logger.warning("reminder %s has an unknown kind %r", reminder.id, kind)
        return None
    if built is None:
        return None
    text, markup = built
    return Prepared(reminder.id, chat_id, messages.with_late(content, reminder.late, text), markup)


async def send_prepared(context: Context, item: Prepared) -> reminders.Outcome:
    """One send without in-limiter retry; Telegram's answer as an outcome (never raises)."""
    # Without a rate limiter (some benchmarks) PTB refuses rate_limit_args altogether.
    extra: dict[str, Any] = {"rate_limit_args": NO_RETRY} if context.bot.rate_limiter else {}
    timeouts: dict[str, Any] = {"read_timeout": DELIVERY_READ_TIMEOUT}
    try:
        if item.action == "close_topic":
            assert item.thread_id is not None
            await context.bot.close_forum_topic(item.chat_id, item.thread_id)
            return reminders.Outcome(item.reminder_id, "sent", chat_id=item.chat_id)
        if item.thread_id is not None:
            extra["message_thread_id"] = item.thread_id
        if item.reply_to is not None:  # sent anyway if that message is gone
            extra["reply_parameters"] = ReplyParameters(
                item.reply_to, allow_sending_without_reply=True
            )
        message: MessageId | Message
        if item.copy_from is not None:
            message = await context.bot.copy_message(
                item.chat_id,
                item.copy_from[0],
                item.copy_from[1],
                caption=item.text,
                parse_mode=ParseMode.HTML,
                reply_markup=item.markup,
                **timeouts,
                **extra,
            )
        else:
            message = await context.bot.send_message(
                item.chat_id,
                item.text,
                parse_mode=ParseMode.HTML,
                reply_markup=item.markup,
                **timeouts,
                **extra,
            )
    except RetryAfter as exc:
        return reminders.Outcome(item.reminder_id, "postpone", "429", retry_seconds(exc))
    except Forbidden as exc:
        return reminders.Outcome(item.reminder_id, "blocked", f"403 {exc}")
    except BadRequest as exc:
        logger.warning("reminder %s refused by Telegram: %s", item.reminder_id, exc)
        return reminders.Outcome(item.reminder_id, "failed", f"400 {exc}")
    except TelegramError as exc:  # 5xx, time-outs, network errors
        return reminders.Outcome(item.reminder_id, "retry", f"{type(exc).__name__}: {exc}")
    return reminders.Outcome(
        item.reminder_id, "sent", chat_id=item.chat_id, message_id=message.message_id
    )


async def _handle_blocked(
    session: AsyncSession, data: BotData, person_ids: list[int], now: datetime
) -> None:
    """Volunteers who blocked the bot: unreachable, reviews reassigned, staff owners told."""
    for person_id in dict.fromkeys(person_ids):
        if not await volunteers.mark_unreachable(session, person_id, now):
            continue
        person = await session.get(Person, person_id)
        moved = await reviews.reassign_open_reviews(session, data.config, person_id, now)
        by_owner: dict[int, list[str]] = defaultdict(list)
        for item in moved:
            if item.project.owner_id is not None:
                by_owner[item.project.owner_id].append(
                    messages.review_label(data.content, item.project, item.review)
                )
        name = display_name(data.config, person)
        for owner_id, refs in by_owner.items():
            reminders.add(
                session,
                reminders.VOLUNTEER_UNREACHABLE,
                now,
                recipient_id=owner_id,
                payload={"name": name, "reviews": refs, "volunteer_id": person_id},
            )


async def dispatch_due_reminders(
    application: Application[Any, Any, Any, Any, Any, Any],
) -> DispatchReport:
    """Send every due reminder (outside quiet hours), batch by batch, each row exactly once."""
    data: BotData = application.bot_data
    context = cast(Context, CallbackContext(application))
    report = DispatchReport()
    if is_quiet(data.clock.now(), reminders.quiet_rules(data.config)):
        report.quiet = True
        return report
    token = reminders.worker_token()
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def send(item: Prepared) -> reminders.Outcome:
        async with gate:
            return await send_prepared(context, item)

    for _ in range(MAX_BATCHES):
        now = data.clock.now()
        async with data.transaction() as session:
            claimed = await reminders.claim_due(session, data.config, now, BATCH, token)
        if not claimed:
            break
        report.claimed += len(claimed)
        prepared: list[Prepared] = []
        outcomes: list[reminders.Outcome] = []
        sending: list[asyncio.Task[reminders.Outcome]] = []
        async with data.session_factory() as session:
            for reminder in claimed:
                item = await _prepare(session, context, reminder)
                if item is None:
                    outcomes.append(reminders.Outcome(reminder.id, "cancelled"))
                    continue
                prepared.append(item)
                # Sending starts at once, so rendering the rest overlaps with the paced sends.
                sending.append(asyncio.create_task(send(item)))
        outcomes += await asyncio.gather(*sending)
        cards = {item.reminder_id: item.card_project for item in prepared if item.card_project}
        async with data.transaction() as session:
            recorded = await reminders.record_outcomes(session, data.config, outcomes, now)
            for outcome in outcomes:
                project = cards.get(outcome.reminder_id)
                if outcome.status == "sent" and project is not None:
                    assert outcome.chat_id is not None and outcome.message_id is not None
                    await projects.add_card(
                        session, project, outcome.chat_id, outcome.message_id, now
                    )
            await _handle_blocked(session, data, recorded.blocked_people, now)
        report.sent += recorded.sent
        for outcome in outcomes:
            report.outcomes[outcome.status] += 1
    return report
