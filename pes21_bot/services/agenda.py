"""The Pôle's agenda: workshops, trainings and events, registrations, waiting list, attendance.

Places are counted in ``agenda_events.seats_taken`` and taken by one conditional UPDATE
(``seats_taken < capacity``): PostgreSQL re-checks the condition on the locked row and SQLite
serialises writers, so two people pressing for the last place never both get it. A freed place
goes, in the same transaction, to the first person of the waiting list.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.content import Workshop
from pes21_bot.db.models import AgendaEvent, Person, Registration, Reminder
from pes21_bot.domain.figures import AgendaFigures
from pes21_bot.domain.french_format import fold
from pes21_bot.services import events, reminders

# Event states
SCHEDULED, HELD, CANCELLED = "scheduled", "held", "cancelled"
# Registration states
REGISTERED, WAITING, WITHDRAWN, ATTENDED, ABSENT = (
    "registered",
    "waiting",
    "cancelled",
    "attended",
    "absent",
)
ACTIVE = (REGISTERED, WAITING)
# Audiences
HOLDERS, VOLUNTEERS, EVERYONE = "holders", "volunteers", "everyone"
AUDIENCES = (HOLDERS, VOLUNTEERS, EVERYONE)

EVENT_REMINDER = "event_reminder"  # reminder kind: the day before, to a registered person
EVENT_ATTENDANCE = "event_attendance"  # reminder kind: after the event, to its creator
REMINDER_KINDS = (EVENT_REMINDER, EVENT_ATTENDANCE)
ATTENDANCE_DELAY = timedelta(hours=3)
CORRECTABLE_FOR = timedelta(days=60)  # /presences offers to correct a recorded attendance
SEED_PREFIX = "agenda.yaml:"
UPCOMING_LIMIT = 8


@dataclass(frozen=True)
class NewEvent:
    """What /atelier (or the seed) gives to create an event."""

    kind: str
    title: str
    starts_at: datetime
    place: str | None
    capacity: int | None
    audience: str
    run_by_pole: bool
    partner: str | None = None
    details: str | None = None
    external_key: str | None = None


@dataclass(frozen=True)
class Registered:
    """What a press on "S'inscrire" did: the state now, and whether it was so already."""

    state: str
    already: bool


@dataclass(frozen=True)
class Withdrawn:
    """What a cancellation did, and who got the freed place (their person id)."""

    previous: str | None
    promoted: int | None


def starts_at(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local date and time as an aware datetime (stored in UTC)."""
    return datetime.combine(day, at, tzinfo=zone)


def add_event(
    session: AsyncSession, new: NewEvent, created_by_id: int | None, now: datetime
) -> AgendaEvent:
    """Create an event in the caller's transaction."""
    row = AgendaEvent(
        external_key=new.external_key,
        kind=new.kind,
        title=new.title,
        starts_at=new.starts_at,
        place=new.place or None,
        details=new.details or None,
        capacity=new.capacity,
        audience=new.audience,
        run_by_pole=new.run_by_pole,
        partner=new.partner or None,
        created_by_id=created_by_id,
        state=SCHEDULED,
        seats_taken=0,
        walk_ins=0,
        created_at=now,
    )
    session.add(row)
    events.record(session, events.AGENDA_EVENT_CREATED, now, actor_id=created_by_id, kind=new.kind)
    return row


async def plan_attendance_prompt(session: AsyncSession, event: AgendaEvent) -> None:
    """After the event, its creator is asked to record who came (durable reminder)."""
    if event.created_by_id is None:
        return
    await reminders.add_unique(
        session,
        f"agenda-attendance:{event.id}",
        EVENT_ATTENDANCE,
        event.starts_at + ATTENDANCE_DELAY,
        recipient_id=event.created_by_id,
        payload={"event_id": event.id},
    )


def seed_key(day: date, title: str) -> str:
    """A seed entry's stable key: its date and its title folded to a slug."""
    folded = unicodedata.normalize("NFKD", title.casefold())
    slug = re.sub(r"[^a-z0-9]+", "-", "".join(c for c in folded if c.isascii())).strip("-")
    return f"{SEED_PREFIX}{day.isoformat()}:{slug}"[:120]


def seed_entries(workshops: Sequence[Workshop], config: Config) -> list[NewEvent]:
    """The contenus/agenda.yaml entries as events (an unknown kind counts as "autre")."""
    fallback = "autre" if "autre" in config.events.kinds else next(iter(config.events.kinds))
    made = []
    for w in workshops:
        hour, minute = (int(x) for x in w.time.split(":"))
        made.append(
            NewEvent(
                kind=w.kind if w.kind in config.events.kinds else fallback,
                title=w.title,
                starts_at=starts_at(w.date, time(hour, minute), config.tz),
                place=w.place,
                capacity=w.capacity,
                audience=EVERYONE,
                run_by_pole=True,
                details=w.details,
                external_key=f"{SEED_PREFIX}{w.key}" if w.key else seed_key(w.date, w.title),
            )
        )
    return made


async def seed(session: AsyncSession, entries: Sequence[NewEvent], now: datetime) -> int:
    """Insert the entries whose key is not stored yet (INSERT ... ON CONFLICT DO NOTHING)."""
    if not entries:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = [
        {
            "external_key": e.external_key,
            "kind": e.kind,
            "title": e.title,
            "starts_at": e.starts_at,
            "place": e.place or None,
            "details": e.details or None,
            "capacity": e.capacity,
            "audience": e.audience,
            "run_by_pole": e.run_by_pole,
            "partner": e.partner,
            "state": SCHEDULED,
            "seats_taken": 0,
            "walk_ins": 0,
            "created_at": now,
        }
        for e in entries
    ]
    statement = (
        insert(AgendaEvent)
        .values(values)
        .on_conflict_do_nothing(index_elements=["external_key"])
        .returning(AgendaEvent.id)
    )
    return len((await session.execute(statement)).all())


def audiences_for(volunteer: bool, team: bool) -> tuple[str, ...]:
    """The audiences someone sees: holders' and everyone's; volunteers' too for volunteers."""
    if team:
        return AUDIENCES
    return (VOLUNTEERS, EVERYONE) if volunteer else (HOLDERS, EVERYONE)


async def upcoming(
    session: AsyncSession,
    now: datetime,
    audiences: Sequence[str] = AUDIENCES,
    kind: str | None = None,
    limit: int = UPCOMING_LIMIT,
) -> list[AgendaEvent]:
    """Scheduled events from now on, soonest first."""
    query = select(AgendaEvent).where(
        AgendaEvent.state == SCHEDULED,
        AgendaEvent.starts_at >= now,
        AgendaEvent.audience.in_(audiences),
    )
    if kind is not None:
        query = query.where(AgendaEvent.kind == kind)
    result = await session.execute(
        query.order_by(AgendaEvent.starts_at, AgendaEvent.id).limit(limit)
    )
    return list(result.scalars())


async def get_event(session: AsyncSession, event_id: int) -> AgendaEvent | None:
    """An event by id."""
    return await session.get(AgendaEvent, event_id)


async def registration_of(
    session: AsyncSession, event_id: int, person_id: int
) -> Registration | None:
    """This person's registration to this event, whatever its state."""
    result = await session.execute(
        select(Registration).where(
            Registration.event_id == event_id, Registration.person_id == person_id
        )
    )
    return result.scalar_one_or_none()


async def states_of(
    session: AsyncSession, person_id: int, event_ids: Sequence[int]
) -> dict[int, str]:
    """This person's registration state per event (absent when never registered)."""
    if not event_ids:
        return {}
    result = await session.execute(
        select(Registration.event_id, Registration.state).where(
            Registration.person_id == person_id, Registration.event_id.in_(event_ids)
        )
    )
    return {event_id: state for event_id, state in result.all()}


async def _lock(session: AsyncSession, event_id: int) -> None:
    """On PostgreSQL, lock the event's row: one person's press at a time per event (SQLite
    writers are serialised anyway, and it ignores FOR UPDATE)."""
    await session.execute(
        select(AgendaEvent.id).where(AgendaEvent.id == event_id).with_for_update()
    )


async def _take_seat(session: AsyncSession, event_id: int) -> bool:
    """Take one place if one is left: a single conditional UPDATE, atomic on both databases."""
    taken = await session.execute(
        update(AgendaEvent)
        .where(
            AgendaEvent.id == event_id,
            AgendaEvent.state == SCHEDULED,
            (AgendaEvent.capacity.is_(None)) | (AgendaEvent.seats_taken < AgendaEvent.capacity),
        )
        .values(seats_taken=AgendaEvent.seats_taken + 1)
        .returning(AgendaEvent.id)
    )
    return taken.scalar_one_or_none() is not None


async def _next_position(session: AsyncSession, event_id: int) -> int:
    result = await session.execute(
        select(func.coalesce(func.max(Registration.position), 0)).where(
            Registration.event_id == event_id
        )
    )
    return int(result.scalar_one() or 0) + 1


async def register(
    session: AsyncSession,
    config: Config,
    event: AgendaEvent,
    person_id: int,
    now: datetime,
    *,
    wait: bool = False,
) -> Registered | None:
    """Register a person: a place if one is left, else the waiting list when `wait` says so.

    None: the event is full and `wait` is False (the person is offered the waiting list), or it
    is no longer open. A second press changes nothing (``already``).
    """
    await _lock(session, event.id)
    existing = await registration_of(session, event.id, person_id)
    if existing is not None and existing.state in ACTIVE:
        return Registered(existing.state, already=True)
    if event.state != SCHEDULED or event.starts_at <= now:
        return None
    if await _take_seat(session, event.id):
        state = REGISTERED
    elif wait:
        state = WAITING
    else:
        return None
    position = await _next_position(session, event.id) if state == WAITING else None
    if existing is None:
        session.add(
            Registration(
                event_id=event.id,
                person_id=person_id,
                state=state,
                position=position,
                created_at=now,
                updated_at=now,
            )
        )
    else:
        existing.state, existing.position, existing.updated_at = state, position, now
    await session.flush()
    if state == REGISTERED:
        await plan_reminder(session, config, event, person_id)
    events.record(session, events.AGENDA_REGISTERED, now, actor_id=person_id, state=state)
    return Registered(state, already=False)


async def plan_reminder(
    session: AsyncSession, config: Config, event: AgendaEvent, person_id: int
) -> None:
    """The durable reminder before the event (none when that moment is already past)."""
    due = event.starts_at - timedelta(hours=config.events.reminder_hours_before)
    key = f"agenda:{event.id}:{person_id}"
    again = await session.execute(
        update(Reminder)
        .where(Reminder.dedupe_key == key)
        .values(state=reminders.PENDING, due_at=due, attempts=0, claimed_by=None, sent_at=None)
        .returning(Reminder.id)
    )
    if again.scalar_one_or_none() is None:
        await reminders.add_unique(
            session,
            key,
            EVENT_REMINDER,
            due,
            recipient_id=person_id,
            payload={"event_id": event.id},
        )


async def _cancel_reminder(session: AsyncSession, event_id: int, person_id: int) -> None:
    await session.execute(
        update(Reminder)
        .where(
            Reminder.dedupe_key == f"agenda:{event_id}:{person_id}",
            Reminder.state == reminders.PENDING,
        )
        .values(state=reminders.CANCELLED)
    )


async def withdraw(
    session: AsyncSession, config: Config, event: AgendaEvent, person_id: int, now: datetime
) -> Withdrawn:
    """Cancel a registration; a freed place goes to the first waiting person."""
    await _lock(session, event.id)
    row = await registration_of(session, event.id, person_id)
    if row is None or row.state not in ACTIVE:
        return Withdrawn(None, None)
    previous = row.state
    row.state, row.position, row.updated_at = WITHDRAWN, None, now
    events.record(session, events.AGENDA_WITHDRAWN, now, actor_id=person_id, state=previous)
    if previous != REGISTERED:
        return Withdrawn(previous, None)
    await _cancel_reminder(session, event.id, person_id)
    first = (
        await session.execute(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.state == WAITING,
                Registration.person_id.is_not(None),
            )
            .order_by(Registration.position, Registration.id)
            .limit(1)
        )
    ).scalar_one_or_none()
    if first is None or first.person_id is None or event.starts_at <= now:
        await session.execute(
            update(AgendaEvent)
            .where(AgendaEvent.id == event.id, AgendaEvent.seats_taken > 0)
            .values(seats_taken=AgendaEvent.seats_taken - 1)
        )
        return Withdrawn(previous, None)
    # The place changes hands: seats_taken stays as it is.
    first.state, first.position, first.updated_at = REGISTERED, None, now
    await plan_reminder(session, config, event, first.person_id)
    events.record(session, events.AGENDA_PROMOTED, now, actor_id=first.person_id)
    return Withdrawn(previous, first.person_id)


async def withdraw_all(
    session: AsyncSession, config: Config, person_id: int, now: datetime
) -> list[tuple[AgendaEvent, int]]:
    """Erasure: the person's places in events to come are freed; (event, person promoted)."""
    result = await session.execute(
        select(AgendaEvent)
        .join(Registration, Registration.event_id == AgendaEvent.id)
        .where(
            Registration.person_id == person_id,
            Registration.state.in_(ACTIVE),
            AgendaEvent.starts_at > now,
        )
        .order_by(AgendaEvent.starts_at, AgendaEvent.id)
    )
    promoted: list[tuple[AgendaEvent, int]] = []
    for event in result.scalars().all():
        done = await withdraw(session, config, event, person_id, now)
        if done.promoted is not None:
            promoted.append((event, done.promoted))
    return promoted


async def registrations_of(session: AsyncSession, person_id: int) -> list[dict[str, Any]]:
    """A person's registrations, for /mes_donnees, by the events' dates."""
    result = await session.execute(
        select(Registration, AgendaEvent)
        .join(AgendaEvent, AgendaEvent.id == Registration.event_id)
        .where(Registration.person_id == person_id)
        .order_by(AgendaEvent.starts_at, Registration.id)
    )
    return [
        {
            "event": event.title,
            "starts_at": event.starts_at.isoformat(),
            "state": row.state,
            "registered_at": row.created_at.isoformat(),
        }
        for row, event in result.all()
    ]


async def registrants(session: AsyncSession, event_id: int) -> list[tuple[Registration, Person]]:
    """Who registered (and came or not), in order of registration; the waiting list apart."""
    result = await session.execute(
        select(Registration, Person)
        .join(Person, Person.id == Registration.person_id)
        .where(
            Registration.event_id == event_id,
            Registration.state.in_((REGISTERED, ATTENDED, ABSENT)),
        )
        .order_by(Registration.created_at, Registration.id)
    )
    return [(r, p) for r, p in result.all()]


async def set_attendance(
    session: AsyncSession, event_id: int, registration_id: int, came: bool, now: datetime
) -> Registration | None:
    """Mark one registrant as having come or not (pressing again switches it)."""
    row = await session.get(Registration, registration_id)
    if row is None or row.event_id != event_id or row.state not in (REGISTERED, ATTENDED, ABSENT):
        return None
    row.state, row.updated_at = (ATTENDED if came else ABSENT), now
    return row


async def mark_held(
    session: AsyncSession, event: AgendaEvent, walk_ins: int, actor_id: int | None, now: datetime
) -> None:
    """Close the attendance: walk-ins counted, unmarked registrants absent, the event held."""
    await session.execute(
        update(Registration)
        .where(Registration.event_id == event.id, Registration.state == REGISTERED)
        .values(state=ABSENT, updated_at=now)
    )
    first = event.held_at is None
    event.walk_ins, event.state = walk_ins, HELD
    event.held_at = event.held_at or now
    if first:
        events.record(
            session, events.AGENDA_HELD, now, actor_id=actor_id, kind=event.kind, walk_ins=walk_ins
        )


async def to_record(
    session: AsyncSession, created_by_id: int | None, now: datetime
) -> list[AgendaEvent]:
    """Past events whose attendance is not recorded yet (the creator's, or all with None)."""
    query = select(AgendaEvent).where(AgendaEvent.state == SCHEDULED, AgendaEvent.starts_at < now)
    if created_by_id is not None:
        query = query.where(AgendaEvent.created_by_id == created_by_id)
    result = await session.execute(query.order_by(AgendaEvent.starts_at.desc()).limit(10))
    return list(result.scalars())


async def correctable(
    session: AsyncSession, created_by_id: int | None, now: datetime
) -> list[AgendaEvent]:
    """Events whose attendance was recorded in the last CORRECTABLE_DAYS: it can be corrected."""
    query = select(AgendaEvent).where(
        AgendaEvent.state == HELD, AgendaEvent.starts_at >= now - CORRECTABLE_FOR
    )
    if created_by_id is not None:
        query = query.where(AgendaEvent.created_by_id == created_by_id)
    result = await session.execute(query.order_by(AgendaEvent.starts_at.desc()).limit(10))
    return list(result.scalars())


async def cancellable(
    session: AsyncSession, created_by_id: int | None, now: datetime
) -> list[AgendaEvent]:
    """Events still to come that may be cancelled (the creator's, or all with None)."""
    query = select(AgendaEvent).where(AgendaEvent.state == SCHEDULED, AgendaEvent.starts_at > now)
    if created_by_id is not None:
        query = query.where(AgendaEvent.created_by_id == created_by_id)
    result = await session.execute(query.order_by(AgendaEvent.starts_at).limit(10))
    return list(result.scalars())


async def active_people(session: AsyncSession, event_id: int) -> list[Person]:
    """Those registered or waiting for this event."""
    result = await session.execute(
        select(Person)
        .join(Registration, Registration.person_id == Person.id)
        .where(Registration.event_id == event_id, Registration.state.in_(ACTIVE))
        .order_by(Registration.id)
    )
    return list(result.scalars())


async def cancel_event(
    session: AsyncSession, event: AgendaEvent, actor_id: int | None, now: datetime
) -> list[Person] | None:
    """Cancel an event to come: its registrations and reminders end with it; those who were
    registered or waiting are returned, to be told. None if it is no longer to come."""
    await _lock(session, event.id)
    await session.refresh(event)
    if event.state != SCHEDULED or event.starts_at <= now:
        return None
    told = await active_people(session, event.id)
    await session.execute(
        update(Registration)
        .where(Registration.event_id == event.id, Registration.state.in_(ACTIVE))
        .values(state=WITHDRAWN, position=None, updated_at=now)
    )
    await session.execute(
        update(Reminder)
        .where(
            Reminder.kind.in_(REMINDER_KINDS),
            Reminder.state == reminders.PENDING,
            or_(
                Reminder.dedupe_key.like(f"agenda:{event.id}:%"),
                Reminder.dedupe_key == f"agenda-attendance:{event.id}",
            ),
        )
        .values(state=reminders.CANCELLED)
    )
    event.state, event.seats_taken = CANCELLED, 0
    events.record(
        session, events.AGENDA_CANCELLED, now, actor_id=actor_id, kind=event.kind, told=len(told)
    )
    return told


async def waiting_rank(session: AsyncSession, event_id: int, person_id: int) -> int:
    """This person's place in the waiting list (1: the next freed place is theirs)."""
    mine = (
        select(Registration.position)
        .where(Registration.event_id == event_id, Registration.person_id == person_id)
        .scalar_subquery()
    )
    result = await session.execute(
        select(func.count()).where(
            and_(
                Registration.event_id == event_id,
                Registration.state == WAITING,
                Registration.position <= mine,
            )
        )
    )
    return int(result.scalar_one())


async def attended_count(session: AsyncSession, event_id: int) -> int:
    """Registrants marked as having come."""
    result = await session.execute(
        select(func.count()).where(
            Registration.event_id == event_id, Registration.state == ATTENDED
        )
    )
    return int(result.scalar_one())


def is_over(event: AgendaEvent, now: datetime) -> bool:
    """Whether the event has started (or its attendance is recorded): nothing to join or leave."""
    return event.state == HELD or event.starts_at <= now


async def reminder_applies(
    session: AsyncSession, reminder: Reminder, now: datetime
) -> AgendaEvent | None:
    """The event of a reminder if it still applies: the person still registered and the event
    not started yet (the day before; after a downtime, a reminder of a started event is dropped),
    the attendance still not recorded (after)."""
    event_id = reminder.payload.get("event_id")
    if not isinstance(event_id, int) or reminder.recipient_id is None:
        return None
    event = await session.get(AgendaEvent, event_id)
    if event is None or event.state != SCHEDULED:
        return None
    if reminder.kind == EVENT_ATTENDANCE:
        return event
    if event.starts_at <= now:
        return None
    row = await registration_of(session, event_id, reminder.recipient_id)
    return event if row is not None and row.state == REGISTERED else None


def participants(event: AgendaEvent, attended: int) -> int:
    """People who came: registrants marked present plus walk-ins."""
    return attended + event.walk_ins


def answers_event(answers: dict[str, Any], zone: ZoneInfo) -> NewEvent:
    """The /atelier form's answers as a new event."""
    hour, minute = (int(x) for x in str(answers["ev_time"]).split(":"))
    capacity = answers.get("ev_capacity")
    return NewEvent(
        kind=str(answers["ev_kind"]),
        title=str(answers["ev_title"]),
        starts_at=starts_at(date.fromisoformat(answers["ev_date"]), time(hour, minute), zone),
        place=answers.get("ev_place"),
        capacity=int(capacity) if capacity else None,
        audience=str(answers["ev_audience"]),
        run_by_pole=answers.get("ev_role") != "takes_part",
        partner=answers.get("ev_partner"),
    )


async def figures(
    session: AsyncSession, config: Config, start: datetime, end: datetime
) -> AgendaFigures:
    """Events held whose date falls in [start, end), counted as the report counts them."""
    came = (
        select(func.count())
        .where(Registration.event_id == AgendaEvent.id, Registration.state == ATTENDED)
        .correlate(AgendaEvent)
        .scalar_subquery()
    )
    result = await session.execute(
        select(
            AgendaEvent.kind,
            AgendaEvent.partner,
            AgendaEvent.run_by_pole,
            AgendaEvent.walk_ins + came,
        )
        .where(
            AgendaEvent.state == HELD, AgendaEvent.starts_at >= start, AgendaEvent.starts_at < end
        )
        .order_by(AgendaEvent.starts_at, AgendaEvent.id)
    )
    workshops: dict[str, int] = {}
    trainings: dict[str, int] = {}
    labels: dict[str, str] = {}  # folded partner -> the label first met
    others: dict[str, int] = {}
    club = participants = 0
    for kind, partner, run_by_pole, people in result.all():
        participants += int(people or 0)
        settings = config.events.kinds.get(kind)
        group = settings.report if settings is not None else "other"
        if group == "workshop" and run_by_pole:
            workshops[kind] = workshops.get(kind, 0) + 1
        elif group == "training":
            # Spellings of one partner (config.yaml's aliases, capitals, spaces) count together.
            typed = config.events.partner_label(partner) if partner else "?"
            name = labels.setdefault(fold(typed) or typed, typed)
            trainings[name] = trainings.get(name, 0) + 1
        elif group == "club":
            club += 1
        else:
            others[kind] = others.get(kind, 0) + 1
    return AgendaFigures(workshops, trainings, club, others, participants)
