"""Durable outbox: the messages that follow a state change, written in its transaction.

A handler adds rows in the same transaction as the change it announces, so a committed change
always has its messages waiting; they are sent after the commit (right away, and again by the
periodic sweep after a crash), each row claimed before sending so it is delivered once. Claiming
works as for the reminders (services/reminders.py): ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, one
conditional UPDATE on SQLite; a row left "sending" by a crashed process is taken again after its
lease.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot import access
from pes21_bot.config import Config
from pes21_bot.db.models import OutboxMessage, Person, Project, ProjectCard
from pes21_bot.domain.vocabulary import ProjectStatus
from pes21_bot.services import projects, relay
from pes21_bot.services.people import find_person

CARD, MESSAGE = "card", "message"
# A holder's message to the team: a message whose text is erased with the holder's data.
HOLDER_MESSAGE = "holder_message"
# The relayed messages (services/relay.py): a reply to one finds its dossier.
RELAYED = (relay.RELAY_IN, relay.RELAY_OUT)
PENDING, SENDING, SENT, UNDELIVERABLE, FAILED = (
    "pending",
    "sending",
    "sent",
    "undeliverable",
    "failed",
)
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 10
Buttons = list[list[tuple[str, str]]]


def backoff(attempts: int) -> timedelta:
    """Wait before the sweep retries a 5xx or time-out: 5 s, 10 s, 20 s... at most 10 minutes."""
    return min(timedelta(seconds=5) * 2 ** max(0, attempts - 1), timedelta(minutes=10))


def _queue(
    session: AsyncSession,
    kind: str,
    chat_id: int,
    now: datetime,
    project_id: int | None,
    payload: dict[str, Any],
) -> OutboxMessage:
    row = OutboxMessage(
        kind=kind,
        chat_id=chat_id,
        project_id=project_id,
        due_at=now,
        state=PENDING,
        attempts=0,
        created_at=now,
        payload=payload,
    )
    session.add(row)
    return row


def add_message(
    session: AsyncSession,
    chat_id: int,
    text: str,
    now: datetime,
    *,
    buttons: Buttons | None = None,
    project_id: int | None = None,
    kind: str = MESSAGE,
) -> OutboxMessage:
    """Queue a message (HTML text, optional inline buttons) in the caller's transaction."""
    stored = [[list(button) for button in line] for line in buttons or []]
    return _queue(session, kind, chat_id, now, project_id, {"text": text, "buttons": stored})


def add_card(session: AsyncSession, project: Project, chat_id: int, now: datetime) -> OutboxMessage:
    """Queue a staff card of a project; it is rendered from the project when sent."""
    return _queue(session, CARD, chat_id, now, project.id, {"programme": project.programme or ""})


async def add_cards(
    session: AsyncSession, config: Config, project: Project, now: datetime
) -> list[OutboxMessage]:
    """Queue the project's card for every recipient of its programme."""
    today = now.astimezone(config.tz).date()
    chats = await projects.recipients(session, config, project.programme or "", today)
    return [add_card(session, project, chat_id, now) for chat_id in chats]


def text_of(row: OutboxMessage) -> str:
    """The stored text of a message row."""
    return str(row.payload.get("text", ""))


def buttons_of(row: OutboxMessage) -> Buttons:
    """The stored buttons of a message row, as rows of (label, callback data)."""
    return [[(str(b[0]), str(b[1])) for b in line] for line in row.payload.get("buttons", [])]


def _claimable(now: datetime) -> Any:
    return or_(
        and_(OutboxMessage.state == PENDING, OutboxMessage.due_at <= now),
        and_(OutboxMessage.state == SENDING, OutboxMessage.claimed_at < now - LEASE),
    )


async def claim(
    session: AsyncSession,
    now: datetime,
    token: str,
    limit: int,
    ids: Sequence[int] | None = None,
) -> list[OutboxMessage]:
    """Take up to `limit` due rows (only these ids, if given), marking them "sending"."""
    condition = _claimable(now)
    if ids is not None:
        condition = and_(condition, OutboxMessage.id.in_(ids))
    if session.get_bind().dialect.name == "postgresql":
        result = await session.execute(
            select(OutboxMessage)
            .where(condition)
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = list(result.scalars())
        for row in claimed:
            row.state, row.claimed_by, row.claimed_at = SENDING, token, now
            row.attempts += 1
        await session.flush()
        return claimed
    chosen = (
        select(OutboxMessage.id)
        .where(condition)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .scalar_subquery()
    )
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(chosen), condition)
        .values(
            state=SENDING, claimed_by=token, claimed_at=now, attempts=OutboxMessage.attempts + 1
        )
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.claimed_by == token, OutboxMessage.state == SENDING)
        .order_by(OutboxMessage.id)
        .execution_options(populate_existing=True)
    )
    return list(result.scalars())


@dataclass(frozen=True)
class Delivery:
    """What became of one claimed row: sent, retry (5xx, time-out), postpone (429), blocked
    (403: undeliverable), failed (400) or cancelled (nothing to send any more)."""

    row_id: int
    status: str
    error: str | None = None
    retry_after: float = 0.0
    message_id: int | None = None


async def record(
    session: AsyncSession, config: Config, deliveries: Sequence[Delivery], now: datetime
) -> list[OutboxMessage]:
    """Store what happened; a delivered card is remembered; a card nobody can receive is queued
    for someone else. Returns the rows queued instead (to send at once)."""
    by_id = {d.row_id: d for d in deliveries}
    if not by_id:
        return []
    result = await session.execute(select(OutboxMessage).where(OutboxMessage.id.in_(by_id)))
    lost_cards = []
    for row in result.scalars():
        delivery = by_id[row.id]
        row.claimed_by = None
        row.last_error = (delivery.error or "")[:300] or None
        if delivery.status == "sent":
            row.state, row.sent_at, row.message_id = SENT, now, delivery.message_id
            if row.kind != CARD:
                # Delivered: no second copy of what it said is kept; only which holder's
                # message it copies (ids), so that an edit of it reaches the same readers.
                row.payload = {k: v for k, v in row.payload.items() if k == "source"}
            if row.kind in RELAYED and row.project_id and delivery.message_id is not None:
                relay.link(session, row.project_id, row.chat_id, delivery.message_id, now)
            project = await session.get(Project, row.project_id) if row.project_id else None
            if row.kind == CARD and project is not None and delivery.message_id is not None:
                await projects.add_card(session, project, row.chat_id, delivery.message_id, now)
        elif delivery.status == "cancelled":
            row.state = FAILED
        elif delivery.status == "postpone" or (
            delivery.status == "retry" and row.attempts < MAX_ATTEMPTS
        ):
            row.state = PENDING
            row.due_at = now + (
                timedelta(seconds=max(1.0, delivery.retry_after))
                if delivery.status == "postpone"
                else backoff(row.attempts)
            )
        else:
            row.state = UNDELIVERABLE if delivery.status == "blocked" else FAILED
            if row.kind == CARD:
                lost_cards.append(row)
    queued: list[OutboxMessage] = []
    for row in lost_cards:
        project = await session.get(Project, row.project_id) if row.project_id else None
        if project is not None:
            queued += await _card_fallback(session, config, project, row, now)
    await session.flush()
    return queued


async def _card_fallback(
    session: AsyncSession, config: Config, project: Project, lost: OutboxMessage, now: datetime
) -> list[OutboxMessage]:
    """A card nobody can receive in that chat: the programme's staff one by one (instead of its
    group), else its coordinator, so a project is never left unseen."""
    programme = config.programmes.get(project.programme or "")  # type: ignore[call-overload]
    if programme is None or project.status not in projects.OPEN_STATUSES:
        return []
    tried = set(
        (
            await session.execute(
                select(OutboxMessage.chat_id).where(
                    OutboxMessage.project_id == project.id, OutboxMessage.kind == CARD
                )
            )
        ).scalars()
    )
    if lost.chat_id == programme.group_chat_id:
        targets = [m.id for m in config.staff_for(project.programme or "")]
    else:
        alive = await session.execute(
            select(OutboxMessage.id).where(
                OutboxMessage.project_id == project.id,
                OutboxMessage.kind == CARD,
                OutboxMessage.state.in_((PENDING, SENDING, SENT)),
            )
        )
        targets = [] if alive.first() is not None else [programme.coordinator or 0]
    return [
        add_card(session, project, chat_id, now)
        for chat_id in dict.fromkeys(targets)
        if chat_id and chat_id not in tried
    ]


@dataclass(frozen=True)
class Unreachable:
    """A team member the bot could not hand a card to, seen for the first time."""

    telegram_id: int
    name: str
    reference: str


async def mark_unreachable(
    session: AsyncSession, config: Config, deliveries: Sequence[Delivery], now: datetime
) -> list[Unreachable]:
    """Remember the staff members whose card could not be delivered (never opened the bot, or
    blocked it); only those not already known as unreachable are returned, once each."""
    blocked = {d.row_id for d in deliveries if d.status == "blocked"}
    if not blocked:
        return []
    result = await session.execute(
        select(OutboxMessage.chat_id, Project.reference)
        .join(Project, Project.id == OutboxMessage.project_id)
        .where(OutboxMessage.id.in_(blocked), OutboxMessage.kind == CARD)
        .order_by(OutboxMessage.id)
    )
    found: list[Unreachable] = []
    for chat_id, reference in result.all():
        member = config.staff_member(chat_id)
        if member is None or any(u.telegram_id == chat_id for u in found):
            continue
        person = await find_person(session, chat_id)
        if person is None:  # never wrote to the bot: a row to remember it by
            person = Person(
                telegram_id=chat_id, first_name=member.name, created_at=now, last_seen_at=now
            )
            session.add(person)
        elif person.unreachable_at is not None:
            continue
        person.unreachable_at = now
        found.append(Unreachable(chat_id, member.name, reference or "?"))
    await session.flush()
    return found


async def reachable_again(
    session: AsyncSession, config: Config, telegram_id: int, now: datetime
) -> list[Project] | None:
    """A staff member known as unreachable wrote to the bot: reachable again; returns the
    projects whose card they missed and that still wait for someone (None: was not known as
    unreachable)."""
    person = await find_person(session, telegram_id)
    if person is None or person.unreachable_at is None:
        return None
    person.unreachable_at = None
    programmes = access.programmes_for(access.PROJECT_STAFF, config, telegram_id)
    if not programmes:
        return []
    received = select(OutboxMessage.project_id).where(
        OutboxMessage.chat_id == telegram_id,
        OutboxMessage.kind == CARD,
        OutboxMessage.state.in_((PENDING, SENDING, SENT)),
    )
    result = await session.execute(
        select(Project)
        .join(OutboxMessage, OutboxMessage.project_id == Project.id)
        .where(
            OutboxMessage.chat_id == telegram_id,
            OutboxMessage.kind == CARD,
            OutboxMessage.state == UNDELIVERABLE,
            Project.status == ProjectStatus.ROUTED,
            Project.owner_id.is_(None),
            Project.programme.in_(programmes),
            Project.id.not_in(received),
        )
        .distinct()
        .order_by(Project.id)
    )
    return list(result.scalars())


async def unreachable_staff(session: AsyncSession, config: Config) -> list[tuple[int, str]]:
    """Staff members (id, name) the bot could not hand a card to since they last wrote."""
    result = await session.execute(
        select(Person.telegram_id).where(Person.unreachable_at.is_not(None)).order_by(Person.id)
    )
    found = []
    for telegram_id in result.scalars():
        member = config.staff_member(telegram_id or 0)
        if member is not None:
            found.append((member.id, member.name))
    return found


async def card_message(session: AsyncSession, project_id: int, chat_id: int) -> ProjectCard | None:
    """The latest recorded card of a project in a chat."""
    result = await session.execute(
        select(ProjectCard)
        .where(ProjectCard.project_id == project_id, ProjectCard.chat_id == chat_id)
        .order_by(ProjectCard.message_id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def purge(session: AsyncSession, before: datetime) -> None:
    """Delete the rows that finished (sent, undeliverable, failed) before a moment."""
    await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.state.in_((SENT, UNDELIVERABLE, FAILED)),
            OutboxMessage.created_at < before,
        )
    )


async def forget_holder_messages(session: AsyncSession, project_ids: Sequence[int]) -> None:
    """Drop what a holder and the team wrote each other about these projects, still stored here."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.kind.in_((HOLDER_MESSAGE, *RELAYED)),
            OutboxMessage.project_id.in_(project_ids),
        )
        .values(state=FAILED, payload={}, last_error="erased")
        .execution_options(synchronize_session=False)
    )


async def forget_chat(session: AsyncSession, chat_id: int) -> None:
    """Drop the unsent messages to a chat (its person erased their data)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.state.in_((PENDING, SENDING)))
        .values(state=FAILED, payload={}, last_error="erased")
        .execution_options(synchronize_session=False)
    )
