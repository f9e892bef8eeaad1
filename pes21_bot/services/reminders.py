"""Durable reminders: rows with a due time, claimed before sending, planned by a periodic scan.

Claiming: on PostgreSQL the due rows are selected ``FOR UPDATE SKIP LOCKED`` and marked in the
same transaction, so two processes never take the same row; SQLite serialises writers, so one
conditional UPDATE (whose first statement takes the write lock) claims a batch atomically.
A row left in "sending" by a crashed process is taken again once its lease has expired.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.alert_tags import REMINDER_GIVEN_UP, alert_extra
from pes21_bot.config import WEEKDAYS, Config, parse_clock_time
from pes21_bot.db.models import Event, Person, Project, Reminder, Review
from pes21_bot.domain.scheduling import (
    QuietRules,
    add_working_days,
    backoff,
    is_late,
    next_allowed,
    next_weekly_slot,
)
from pes21_bot.domain.vocabulary import FOLLOWED_STATUSES, ProjectStatus, ReviewState
from pes21_bot.services import events, projects

logger = logging.getLogger(__name__)

# Reminder kinds (REMINDER_SENT events carry them in `kind`).
REVIEW_DUE = "review_due"
REVIEW_OVERDUE = "review_overdue"
REVIEW_ESCALATION = "review_escalation"
PROJECT_UNCLAIMED = "project_unclaimed"
PROJECT_ESCALATED = "project_escalated"
PROJECT_STALE = "project_stale"
DIGEST = "digest"
VOLUNTEER_UNREACHABLE = "volunteer_unreachable"
# To the holder: nobody claimed their dossier within the announced delay (once per dossier).
HOLDER_WAITING = "holder_waiting"
VOLUNTEER_KINDS = (REVIEW_DUE, REVIEW_OVERDUE)

PENDING, SENDING, SENT, FAILED, CANCELLED = "pending", "sending", "sent", "failed", "cancelled"
LEASE = timedelta(minutes=10)
NOT_NEWS = (events.REMINDER_SENT, events.REMINDER_FAILED)


def quiet_rules(config: Config) -> QuietRules:
    """The quiet hours and days of config.yaml."""
    settings = config.reminders
    return QuietRules(
        start=parse_clock_time(settings.quiet_start),
        end=parse_clock_time(settings.quiet_end),
        days_off=frozenset(WEEKDAYS.index(d) for d in settings.quiet_weekdays),
        zone=config.tz,
    )


def worker_token() -> str:
    """Who claims a batch: host, process and a random part (fits the 64-character column)."""
    return f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:16]}"


def add(
    session: AsyncSession,
    kind: str,
    due_at: datetime,
    *,
    recipient_id: int | None = None,
    chat_id: int | None = None,
    project_id: int | None = None,
    review_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Reminder:
    """Schedule one reminder in the caller's transaction."""
    reminder = Reminder(
        kind=kind,
        due_at=due_at,
        recipient_id=recipient_id,
        chat_id=chat_id,
        project_id=project_id,
        review_id=review_id,
        payload=payload or {},
        state=PENDING,
        attempts=0,
        late=False,
    )
    session.add(reminder)
    return reminder


async def add_unique(
    session: AsyncSession,
    dedupe_key: str,
    kind: str,
    due_at: datetime,
    *,
    recipient_id: int | None = None,
    chat_id: int | None = None,
    project_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Schedule a reminder unless one with this key exists (INSERT ... ON CONFLICT DO NOTHING)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Reminder)
        .values(
            kind=kind,
            due_at=due_at,
            recipient_id=recipient_id,
            chat_id=chat_id,
            project_id=project_id,
            payload=payload or {},
            dedupe_key=dedupe_key,
            state=PENDING,
            attempts=0,
            late=False,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    await session.execute(statement)


async def cancel_for_review(
    session: AsyncSession, review_id: int, kinds: Sequence[str] | None = None
) -> None:
    """Drop the pending reminders of a review (all, or only some kinds)."""
    condition = and_(Reminder.review_id == review_id, Reminder.state == PENDING)
    if kinds is not None:
        condition = and_(condition, Reminder.kind.in_(kinds))
    await session.execute(
        update(Reminder)
        .where(condition)
        .values(state=CANCELLED)
        .execution_options(synchronize_session=False)
    )


async def cancel_for_project(session: AsyncSession, project_id: int) -> None:
    """Drop every pending reminder about a project (its reviews' included)."""
    await session.execute(
        update(Reminder)
        .where(Reminder.project_id == project_id, Reminder.state == PENDING)
        .values(state=CANCELLED)
        .execution_options(synchronize_session=False)
    )


def _claimable(now: datetime) -> Any:
    return or_(
        and_(Reminder.state == PENDING, Reminder.due_at <= now),
        and_(Reminder.state == SENDING, Reminder.claimed_at < now - LEASE),
    )


async def claim_due(
    session: AsyncSession, config: Config, now: datetime, limit: int, token: str
) -> list[Reminder]:
    """Take up to `limit` due rows for this worker, marking them "sending" (commit right after)."""
    rules = quiet_rules(config)
    grace = timedelta(seconds=2 * config.reminders.interval_seconds)
    if session.get_bind().dialect.name == "postgresql":
        result = await session.execute(
            select(Reminder)
            .where(_claimable(now))
            .order_by(Reminder.due_at, Reminder.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = list(result.scalars())
        for reminder in claimed:
            reminder.state = SENDING
            reminder.claimed_by = token
            reminder.claimed_at = now
            reminder.attempts += 1
    else:
        ids = (
            select(Reminder.id)
            .where(_claimable(now))
            .order_by(Reminder.due_at, Reminder.id)
            .limit(limit)
            .scalar_subquery()
        )
        await session.execute(
            update(Reminder)
            .where(Reminder.id.in_(ids), _claimable(now))
            .values(state=SENDING, claimed_by=token, claimed_at=now, attempts=Reminder.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        result = await session.execute(
            select(Reminder)
            .where(Reminder.claimed_by == token, Reminder.state == SENDING)
            .order_by(Reminder.due_at, Reminder.id)
            .execution_options(populate_existing=True)
        )
        claimed = list(result.scalars())
    for reminder in claimed:
        reminder.late = reminder.late or is_late(reminder.due_at, now, rules, grace)
    await session.flush()
    return claimed


@dataclass
class Outcome:
    """What happened to one claimed reminder."""

    reminder_id: int
    status: str  # sent, retry, postpone, failed, blocked, cancelled
    error: str | None = None
    retry_after: float = 0.0
    chat_id: int | None = None
    message_id: int | None = None


@dataclass
class OutcomeReport:
    """What the recorded outcomes imply for the caller."""

    sent: int = 0
    blocked_people: list[int] = field(default_factory=list)


async def record_outcomes(
    session: AsyncSession, config: Config, outcomes: Sequence[Outcome], now: datetime
) -> OutcomeReport:
    """Store sent/postponed/failed states and their events, in one transaction."""
    report = OutcomeReport()
    if not outcomes:
        return report
    by_id = {o.reminder_id: o for o in outcomes}
    result = await session.execute(select(Reminder).where(Reminder.id.in_(by_id)))
    for reminder in result.scalars():
        outcome = by_id[reminder.id]
        reminder.claimed_by = None
        if outcome.status == "sent":
            reminder.state = SENT
            reminder.sent_at = now
            reminder.last_error = None
            report.sent += 1
            events.record(
                session,
                events.REMINDER_SENT,
                now,
                actor_id=reminder.recipient_id,
                project_id=reminder.project_id,
                reminder_id=reminder.id,
                kind=reminder.kind,
                late=reminder.late,
            )
        elif outcome.status == "cancelled":
            reminder.state = CANCELLED
        elif outcome.status in ("postpone", "retry") and (
            outcome.status == "postpone" or reminder.attempts < config.reminders.max_attempts
        ):
            reminder.state = PENDING
            reminder.last_error = (outcome.error or "")[:300]
            wait = (
                timedelta(seconds=max(1.0, outcome.retry_after))
                if outcome.status == "postpone"
                else backoff(reminder.attempts)
            )
            reminder.due_at = now + wait
        else:
            reminder.state = FAILED
            reminder.last_error = (outcome.error or "")[:300]
            if outcome.status != "blocked":  # a blocked volunteer's reviews are handed over
                logger.warning(
                    "reminder %s given up after %s attempts",
                    reminder.id,
                    reminder.attempts,
                    extra=alert_extra(
                        REMINDER_GIVEN_UP, attempts=reminder.attempts, kind=reminder.kind
                    ),
                )
            events.record(
                session,
                events.REMINDER_FAILED,
                now,
                project_id=reminder.project_id,
                reminder_id=reminder.id,
                kind=reminder.kind,
                error=outcome.status,
            )
            if outcome.status == "blocked" and reminder.recipient_id is not None:
                report.blocked_people.append(reminder.recipient_id)
    return report


async def get(session: AsyncSession, reminder_id: int) -> Reminder | None:
    """A reminder by id."""
    return await session.get(Reminder, reminder_id)


async def chat_of(session: AsyncSession, reminder: Reminder) -> int | None:
    """The Telegram chat a reminder goes to."""
    if reminder.chat_id is not None:
        return reminder.chat_id
    if reminder.recipient_id is None:
        return None
    person = await session.get(Person, reminder.recipient_id)
    return person.telegram_id if person is not None else None


async def routed_at(session: AsyncSession, project_ids: Sequence[int]) -> dict[int, datetime]:
    """When each project was last routed or redirected to its current programme."""
    if not project_ids:
        return {}
    result = await session.execute(
        select(Event.project_id, func.max(Event.occurred_at))
        .where(
            Event.project_id.in_(project_ids),
            Event.kind.in_((events.ROUTED, events.REDIRECTED)),
        )
        .group_by(Event.project_id)
    )
    return {pid: moment for pid, moment in result.all() if pid is not None}


async def _plan_digests(session: AsyncSession, config: Config, now: datetime) -> None:
    settings = config.reminders
    slot = next_weekly_slot(
        now,
        WEEKDAYS.index(settings.digest_weekday),
        parse_clock_time(settings.digest_time),
        config.tz,
    )
    for member in config.staff:
        await add_unique(
            session,
            f"digest:{slot:%Y%m%d%H%M}:{member.id}",
            DIGEST,
            slot,
            chat_id=member.id,
        )


async def _plan_unclaimed(session: AsyncSession, config: Config, now: datetime) -> None:
    result = await session.execute(
        select(Project.id, Project.programme).where(
            Project.status == ProjectStatus.ROUTED,
            Project.owner_id.is_(None),
            # An erased dossier (no holder any more) is not announced again.
            Project.holder_id.is_not(None),
        )
    )
    rows = [(pid, programme) for pid, programme in result.all() if programme]
    since = await routed_at(session, [pid for pid, _ in rows])
    settings = config.reminders
    recipients: dict[str, list[int]] = {}
    for project_id, programme in rows:
        routed = since.get(project_id)
        if routed is None:
            continue
        stamp = int(routed.timestamp())
        announce_at = add_working_days(routed, settings.unclaimed_sla_working_days, config.tz)
        if announce_at <= now:
            if programme not in recipients:
                today = now.astimezone(config.tz).date()
                recipients[programme] = await projects.recipients(session, config, programme, today)
            for chat_id in recipients[programme]:
                await add_unique(
                    session,
                    f"unclaimed:{project_id}:{stamp}:{chat_id}",
                    PROJECT_UNCLAIMED,
                    announce_at,
                    chat_id=chat_id,
                    project_id=project_id,
                    payload={"routed_at": routed.isoformat()},
                )
        escalate_at = add_working_days(
            routed,
            settings.unclaimed_sla_working_days + settings.escalation_working_days,
            config.tz,
        )
        coordinator = config.programmes[programme].coordinator  # type: ignore[index]
        if escalate_at <= now and coordinator is not None:
            await add_unique(
                session,
                f"escalated:{project_id}:{stamp}",
                PROJECT_ESCALATED,
                escalate_at,
                chat_id=coordinator,
                project_id=project_id,
                payload={"routed_at": routed.isoformat()},
            )


async def _plan_holder_waiting(session: AsyncSession, config: Config, now: datetime) -> None:
    """The holder's "we have it" notice once the announced delay passed without a claim."""
    already = select(Reminder.project_id).where(
        Reminder.kind == HOLDER_WAITING, Reminder.state == SENT
    )
    result = await session.execute(
        select(Project.id, Project.programme, Project.holder_id).where(
            Project.status == ProjectStatus.ROUTED,
            Project.owner_id.is_(None),
            Project.holder_id.is_not(None),
            Project.id.not_in(already),
        )
    )
    rows = [row for row in result.all() if row[1] in config.programmes]
    since = await routed_at(session, [pid for pid, _, _ in rows])
    for project_id, programme, holder_id in rows:
        routed = since.get(project_id)
        if routed is None:
            continue
        # The delay the holder was told at submission (or redirection), in working days.
        days = config.programmes[programme].response_days  # type: ignore[index]
        due = add_working_days(routed, days, config.tz)
        if due <= now:
            await add_unique(
                session,
                f"waiting:{project_id}:{int(routed.timestamp())}",
                HOLDER_WAITING,
                due,
                recipient_id=holder_id,
                project_id=project_id,
                payload={"routed_at": routed.isoformat(), "days": days},
            )


async def cancel_for_person(session: AsyncSession, person_id: int) -> None:
    """Drop every pending reminder addressed to a person (an erased holder)."""
    await session.execute(
        update(Reminder)
        .where(Reminder.recipient_id == person_id, Reminder.state == PENDING)
        .values(state=CANCELLED)
        .execution_options(synchronize_session=False)
    )


async def last_news(session: AsyncSession, project_ids: Sequence[int]) -> dict[int, datetime]:
    """The latest recorded event of each project (reminders themselves are not news)."""
    if not project_ids:
        return {}
    result = await session.execute(
        select(Event.project_id, func.max(Event.occurred_at))
        .where(Event.project_id.in_(project_ids), Event.kind.not_in(NOT_NEWS))
        .group_by(Event.project_id)
    )
    return {pid: moment for pid, moment in result.all() if pid is not None}


async def _plan_stale(session: AsyncSession, config: Config, now: datetime) -> None:
    result = await session.execute(
        select(Project.id, Project.owner_id).where(
            Project.status.in_(FOLLOWED_STATUSES),
            Project.owner_id.is_not(None),
            Project.holder_id.is_not(None),
        )
    )
    owners = {pid: owner for pid, owner in result.all()}
    news = await last_news(session, list(owners))
    period = timedelta(days=config.reminders.stale_days)
    for project_id, owner_id in owners.items():
        last = news.get(project_id)
        if last is None or now - last < period:
            continue
        # One nudge per silent period: after 30 days, again after 60, and so on.
        number = int((now - last) / period)
        await add_unique(
            session,
            f"stale:{project_id}:{int(last.timestamp())}:{number}",
            PROJECT_STALE,
            last + number * period,
            recipient_id=owner_id,
            project_id=project_id,
            payload={"last_news": last.isoformat()},
        )


async def plan_periodic(session: AsyncSession, config: Config, now: datetime) -> None:
    """Create the rows of time-based reminders: digests, unclaimed projects (to the team and to
    their holder), silent projects."""
    await _plan_digests(session, config, now)
    await _plan_unclaimed(session, config, now)
    await _plan_holder_waiting(session, config, now)
    await _plan_stale(session, config, now)


async def pending_for_review(session: AsyncSession, review_id: int) -> list[Reminder]:
    """Pending reminders of a review, soonest first."""
    result = await session.execute(
        select(Reminder)
        .where(Reminder.review_id == review_id, Reminder.state == PENDING)
        .order_by(Reminder.due_at)
    )
    return list(result.scalars())


@dataclass(frozen=True)
class Digest:
    """The weekly figures of one staff member's programmes."""

    new: list[Project]
    unclaimed: list[Project]
    due: list[tuple[Review, Project]]
    overdue: list[tuple[Review, Project]]
    done: list[tuple[Review, Project]]


async def digest_for(session: AsyncSession, programmes: Sequence[str], now: datetime) -> Digest:
    """New and unclaimed projects, reviews due this week, overdue and done last week."""
    week_ago, week_ahead = now - timedelta(days=7), now + timedelta(days=7)
    new = await session.execute(
        select(Project)
        .where(
            Project.programme.in_(programmes),
            Project.submitted_at >= week_ago,
            Project.submitted_at <= now,
        )
        .order_by(Project.submitted_at)
    )
    unclaimed = await session.execute(
        select(Project)
        .where(Project.programme.in_(programmes), Project.status == ProjectStatus.ROUTED)
        .order_by(Project.submitted_at)
    )
    reviews = await session.execute(
        select(Review, Project)
        .join(Project, Review.project_id == Project.id)
        .where(
            Project.programme.in_(programmes),
            or_(
                and_(Review.state == ReviewState.OPEN, Review.due_at <= week_ahead),
                and_(Review.state == ReviewState.DONE, Review.done_at >= week_ago),
            ),
        )
        .order_by(Review.due_at)
    )
    due, overdue, done = [], [], []
    for review, project in reviews.all():
        if review.state == ReviewState.DONE:
            done.append((review, project))
        elif review.due_at < now:
            overdue.append((review, project))
        else:
            due.append((review, project))
    return Digest(list(new.scalars()), list(unclaimed.scalars()), due, overdue, done)


async def next_due(
    session: AsyncSession, config: Config, after: datetime, until: datetime
) -> datetime | None:
    """The first moment in (after, until] when a pending reminder may go out (quiet hours
    respected): the simulator's clock stops there, so nothing it sends is marked late."""
    rows = await session.execute(
        select(Reminder.due_at).where(Reminder.state == PENDING, Reminder.due_at <= until)
    )
    rules = quiet_rules(config)
    moments = [next_allowed(due_at, rules) for (due_at,) in rows]
    upcoming = [moment for moment in moments if after < moment <= until]
    return min(upcoming, default=None)
