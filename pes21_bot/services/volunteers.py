"""Volunteers: invitation codes, enrolment, missions and availability, load, removal."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.db.models import CodeAttempt, FormDraft, Invitation, Person, Review, Volunteer
from pes21_bot.domain.assignment import Candidate, is_available
from pes21_bot.domain.scheduling import locked_until
from pes21_bot.domain.vocabulary import ReviewState
from pes21_bot.services import events
from pes21_bot.services.people import Role, UserInfo, ensure_person

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud on the phone
CODE_LENGTH = 10
MAX_CODE_INPUT = 40
ATTEMPTS_KEPT = timedelta(days=1)


def normalise_code(raw: str) -> str:
    """A code as typed (any case, spaces or dashes) in its canonical form."""
    return "".join(c for c in raw.upper() if c.isalnum())[:MAX_CODE_INPUT]


def hash_code(code: str) -> str:
    """What is stored: a SHA-256 of the canonical code (codes are random, 50 bits)."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def new_code(length: int = CODE_LENGTH) -> str:
    """A fresh random code in two halves: ABCDE-FGH23 (ABCD-EF23 for a length of 8)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    half = length // 2
    return f"{raw[:half]}-{raw[half:]}"


async def create_invitation(
    session: AsyncSession,
    config: Config,
    admin: UserInfo,
    now: datetime,
    *,
    role: Role = Role.VOLUNTEER,
    programmes: list[str] | None = None,
) -> tuple[str, Invitation]:
    """A one-time code (volunteer, or staff of some programmes); only its hash is stored."""
    person = await ensure_person(session, admin, now)
    code = new_code()
    invitation = Invitation(
        code_hash=hash_code(code),
        role=role.value,
        programmes=programmes,
        created_by_id=person.id,
        created_at=now,
        expires_at=now + timedelta(days=config.volunteers.invitation_days),
    )
    session.add(invitation)
    await session.flush()
    kind = events.VOLUNTEER_INVITED if role == Role.VOLUNTEER else events.STAFF_INVITED
    events.record(session, kind, now, actor_id=person.id, invitation_id=invitation.id)
    return code, invitation


class Redeemed(StrEnum):
    """How a /rejoindre attempt ended."""

    ENROLLED = "enrolled"
    ALREADY = "already"
    REFUSED = "refused"
    LOCKED = "locked"


@dataclass(frozen=True)
class RedeemResult:
    """The outcome and, when enrolled, the volunteer row."""

    status: Redeemed
    volunteer: Volunteer | None = None
    locked_until: datetime | None = None


async def lock_until(session: AsyncSession, config: Config, telegram_id: int, now: datetime) -> Any:
    """Until when this user may not try codes again (None if they may)."""
    settings = config.volunteers
    window = timedelta(minutes=settings.failed_codes_window_minutes)
    lock = timedelta(minutes=settings.lockout_minutes)
    result = await session.execute(
        select(CodeAttempt.attempted_at).where(
            CodeAttempt.telegram_id == telegram_id, CodeAttempt.attempted_at >= now - window - lock
        )
    )
    until = locked_until(list(result.scalars()), settings.max_failed_codes, window, lock)
    return until if until is not None and until > now else None


async def redeem(
    session: AsyncSession, config: Config, user: UserInfo, code: str, now: datetime
) -> RedeemResult:
    """Enrol the sender with a valid volunteer code; wrong codes are counted and can block."""
    await session.execute(delete(CodeAttempt).where(CodeAttempt.attempted_at < now - ATTEMPTS_KEPT))
    until = await lock_until(session, config, user.telegram_id, now)
    if until is not None:
        return RedeemResult(Redeemed.LOCKED, locked_until=until)
    digest = hash_code(code)
    found = await session.execute(
        select(Invitation.id).where(
            Invitation.code_hash == digest,
            Invitation.role == Role.VOLUNTEER.value,
            Invitation.used_at.is_(None),
            Invitation.expires_at > now,
        )
    )
    invitation_id = found.scalar_one_or_none()
    current = await active_volunteer(session, user.telegram_id)
    if invitation_id is None:
        # Counted whoever types it: a volunteer guessing staff codes is still guessing.
        session.add(CodeAttempt(telegram_id=user.telegram_id, attempted_at=now))
        await session.flush()
        until = await lock_until(session, config, user.telegram_id, now)
        if until is None and current is not None:
            return RedeemResult(Redeemed.ALREADY, current[1])
        return RedeemResult(Redeemed.REFUSED, locked_until=until)
    if current is not None:
        return RedeemResult(Redeemed.ALREADY, current[1])
    person = await ensure_person(session, user, now)
    used = await session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.used_at.is_(None))
        .values(used_by_id=person.id, used_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        return RedeemResult(Redeemed.REFUSED)
    person.role = Role.VOLUNTEER.value
    person.unreachable_at = None
    volunteer = (
        await session.execute(select(Volunteer).where(Volunteer.person_id == person.id))
    ).scalar_one_or_none()
    if volunteer is None:
        volunteer = Volunteer(person_id=person.id, enrolled_at=now, last_activity_at=now)
        session.add(volunteer)
    volunteer.missions = []
    volunteer.days = []
    volunteer.paused_until = None
    volunteer.setup_done = False
    volunteer.removed_at = None
    volunteer.enrolled_at = now
    volunteer.last_activity_at = now
    await session.flush()
    return RedeemResult(Redeemed.ENROLLED, volunteer)


async def active_volunteer(
    session: AsyncSession, telegram_id: int
) -> tuple[Person, Volunteer] | None:
    """The person and volunteer rows of an enrolled (not removed) volunteer."""
    result = await session.execute(
        select(Person, Volunteer)
        .join(Volunteer, Volunteer.person_id == Person.id)
        .where(
            Person.telegram_id == telegram_id,
            Person.role == Role.VOLUNTEER.value,
            Volunteer.removed_at.is_(None),
        )
    )
    row = result.one_or_none()
    return (row[0], row[1]) if row is not None else None


async def touch(session: AsyncSession, person: Person, volunteer: Volunteer, now: datetime) -> None:
    """Record the volunteer's activity; writing to the bot again makes them reachable."""
    volunteer.last_activity_at = now
    person.last_seen_at = now
    person.unreachable_at = None


async def save_profile(
    session: AsyncSession,
    person: Person,
    volunteer: Volunteer,
    now: datetime,
    *,
    missions: list[str] | None = None,
    days: list[str] | None = None,
    paused_until: date | None = None,
    resume: bool = False,
) -> bool:
    """Store a profile change; the first complete setup is the enrolment event. True if first."""
    if missions is not None:
        volunteer.missions = missions
    if days is not None:
        volunteer.days = days
    if paused_until is not None:
        volunteer.paused_until = paused_until
    if resume:
        volunteer.paused_until = None
    await touch(session, person, volunteer, now)
    first = not volunteer.setup_done and bool(volunteer.missions)
    if first:
        volunteer.setup_done = True
        events.record(
            session,
            events.VOLUNTEER_ENROLLED,
            now,
            actor_id=person.id,
            missions=list(volunteer.missions),
        )
    elif volunteer.setup_done:
        events.record(
            session,
            events.VOLUNTEER_UPDATED,
            now,
            actor_id=person.id,
            missions=list(volunteer.missions),
            paused_until=volunteer.paused_until.isoformat() if volunteer.paused_until else None,
        )
    return first


async def open_review_counts(session: AsyncSession) -> dict[int, int]:
    """Open reviews per assignee (person id)."""
    result = await session.execute(
        select(Review.assignee_id, func.count())
        .where(Review.state == ReviewState.OPEN, Review.assignee_id.is_not(None))
        .group_by(Review.assignee_id)
    )
    return {pid: int(count) for pid, count in result.all() if pid is not None}


@dataclass(frozen=True)
class VolunteerView:
    """One line of /benevoles."""

    person: Person
    volunteer: Volunteer
    open_reviews: int


async def list_volunteers(session: AsyncSession) -> list[VolunteerView]:
    """Enrolled volunteers with their load, by name."""
    result = await session.execute(
        select(Person, Volunteer)
        .join(Volunteer, Volunteer.person_id == Person.id)
        .where(Person.role == Role.VOLUNTEER.value, Volunteer.removed_at.is_(None))
        .order_by(Person.first_name, Person.id)
    )
    counts = await open_review_counts(session)
    return [VolunteerView(p, v, counts.get(p.id, 0)) for p, v in result.all()]


async def candidates(session: AsyncSession) -> list[Candidate]:
    """Every enrolled volunteer as the assignment rule sees them."""
    return [
        Candidate(
            person_id=view.person.id,
            missions=frozenset(view.volunteer.missions),
            paused_until=view.volunteer.paused_until,
            reachable=view.person.unreachable_at is None,
            open_reviews=view.open_reviews,
        )
        for view in await list_volunteers(session)
    ]


async def available_with_mission(
    session: AsyncSession, mission: str, today: date
) -> list[VolunteerView]:
    """Volunteers available today for a mission."""
    views = await list_volunteers(session)
    chosen = {c.person_id for c in await candidates(session) if is_available(c, mission, today)}
    return [v for v in views if v.person.id in chosen]


async def may_take(session: AsyncSession, telegram_id: int, mission: str, today: date) -> bool:
    """Whether this user is an enrolled volunteer available for the mission."""
    found = await active_volunteer(session, telegram_id)
    if found is None:
        return False
    person, volunteer = found
    candidate = Candidate(person.id, frozenset(volunteer.missions), volunteer.paused_until, True, 0)
    return is_available(candidate, mission, today)


async def get_view(session: AsyncSession, person_id: int) -> VolunteerView | None:
    """One enrolled volunteer by person id."""
    return next((v for v in await list_volunteers(session) if v.person.id == person_id), None)


async def remove(
    session: AsyncSession, person_id: int, admin: UserInfo, now: datetime
) -> Person | None:
    """Take a volunteer off the list (history kept); their reviews are reassigned by the caller."""
    view = await get_view(session, person_id)
    if view is None:
        return None
    actor = await ensure_person(session, admin, now)
    view.volunteer.removed_at = now
    view.person.role = Role.HOLDER.value
    await session.execute(delete_drafts(person_id))
    events.record(session, events.VOLUNTEER_REMOVED, now, actor_id=actor.id, volunteer_id=person_id)
    return view.person


def delete_drafts(person_id: int) -> Any:
    """A statement dropping any form a person was filling in."""
    return delete(FormDraft).where(FormDraft.person_id == person_id)


async def mark_unreachable(session: AsyncSession, person_id: int, now: datetime) -> bool:
    """The volunteer blocked the bot: remember it once (True the first time)."""
    person = await session.get(Person, person_id)
    if person is None or person.role != Role.VOLUNTEER.value or person.unreachable_at is not None:
        return False
    person.unreachable_at = now
    events.record(
        session, events.VOLUNTEER_UNREACHABLE, now, actor_id=person_id, volunteer_id=person_id
    )
    return True
