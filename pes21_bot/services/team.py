"""The team by chat: staff invited with a one-time code, their programmes, coordination, removal.

The seam: every lookup of the team (routing, cards, roles, digests, escalations) reads the
Config object, so the bot's `config` is config.yaml merged with the team rows of the database
(`merge`), rebuilt at start and after every change made by chat. A row for someone listed in
config.yaml is a change made by chat after the file was written: it wins, and `conflicts`
lists it for `bot.py --check` so the file can be brought in line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import PROGRAMMES, Config, StaffMember
from pes21_bot.db.models import (
    Invitation,
    Person,
    Reminder,
    TeamMember,
)
from pes21_bot.domain.names import match_names
from pes21_bot.services import events, handover, reminders, reviews, volunteers
from pes21_bot.services.people import Role, UserInfo, ensure_person, find_person

MAX_NAME = 100


def _programmes(row: TeamMember) -> list[str]:
    return [p for p in row.programmes if p in PROGRAMMES]


def _active(rows: Sequence[TeamMember]) -> list[TeamMember]:
    return [r for r in rows if r.removed_at is None and _programmes(r)]


def merge(base: Config, rows: Sequence[TeamMember]) -> Config:
    """config.yaml's team with the chat's changes: joined, changed, removed members."""
    by_id = {r.telegram_id: r for r in rows}
    staff = [m for m in base.staff if m.id not in by_id]
    staff += [
        StaffMember.model_validate(
            {"id": r.telegram_id, "name": r.name[:MAX_NAME] or "?", "programmes": _programmes(r)}
        )
        for r in _active(rows)
    ]
    coordinators = {p: r.telegram_id for r in _active(rows) for p in r.coordinates}
    programmes = {}
    for programme, settings in base.programmes.items():
        coordinator = coordinators.get(programme, settings.coordinator)
        row = by_id.get(coordinator) if coordinator is not None else None
        # A row says everything its member coordinates: config.yaml's choice may be outdated.
        if row is not None and (row.removed_at is not None or programme not in row.coordinates):
            coordinator = None
        programmes[programme] = settings.model_copy(update={"coordinator": coordinator})
    return base.model_copy(update={"staff": staff, "programmes": programmes})


def conflicts(base: Config, rows: Sequence[TeamMember]) -> list[str]:
    """Where the team changed by chat differs from config.yaml (the chat's version applies)."""
    found = []
    by_id = {r.telegram_id: r for r in rows}
    for member in base.staff:
        row = by_id.get(member.id)
        if row is None:
            continue
        if row.removed_at is not None:
            found.append(
                f"staff {member.id} ({member.name}) : retiré·e de l'équipe par le chat, mais "
                "encore dans config.yaml / removed by chat, still in config.yaml"
            )
        elif sorted(row.programmes) != sorted(member.programmes):
            found.append(
                f"staff {member.id} ({member.name}) : dispositifs {', '.join(row.programmes)} "
                f"d'après le chat, {', '.join(member.programmes)} dans config.yaml / "
                "programmes differ"
            )
    merged = merge(base, rows)
    for programme, settings in base.programmes.items():
        now_coordinator = merged.programmes[programme].coordinator
        if settings.coordinator is not None and settings.coordinator != now_coordinator:
            found.append(
                f"programmes.{programme}.coordinator : {now_coordinator or 'personne'} d'après "
                f"le chat, {settings.coordinator} dans config.yaml / coordinator differs"
            )
    return found


def unstaffed(config: Config) -> list[str]:
    """Programmes whose new projects would reach nobody (no staff member, no group)."""
    return [
        programme
        for programme, settings in config.programmes.items()
        if settings.group_chat_id is None and not config.staff_for(programme)
    ]


async def rows(session: AsyncSession) -> list[TeamMember]:
    """Every team row (active and removed)."""
    result = await session.execute(select(TeamMember).order_by(TeamMember.id))
    return list(result.scalars())


async def effective_config(session: AsyncSession, base: Config) -> Config:
    """config.yaml merged with the team as changed by chat."""
    return merge(base, await rows(session))


def parse_programmes(words: Sequence[str], names: Mapping[str, Sequence[str]]) -> list[str] | None:
    """Programmes typed after /invitation salarie, by name ("le DLA", "Bénéfices'Créa") or code
    (None if one is unknown or none given)."""
    return match_names(" ".join(words), {p: names.get(p, ()) for p in PROGRAMMES})


async def create_invitation(
    session: AsyncSession, config: Config, admin: UserInfo, programmes: list[str], now: datetime
) -> tuple[str, Invitation]:
    """A one-time staff code for these programmes (the volunteer codes' machinery)."""
    return await volunteers.create_invitation(
        session, config, admin, now, role=Role.STAFF, programmes=programmes
    )


@dataclass(frozen=True)
class Joined:
    """Someone who became staff with a code."""

    programmes: list[str]


async def redeem(
    session: AsyncSession, config: Config, user: UserInfo, code: str, now: datetime
) -> Joined | None:
    """Join the team with a valid staff code; None lets the volunteer path answer the code."""
    if await volunteers.lock_until(session, config, user.telegram_id, now) is not None:
        return None
    found = await session.execute(
        select(Invitation).where(
            Invitation.code_hash == volunteers.hash_code(code),
            Invitation.role == Role.STAFF.value,
            Invitation.used_at.is_(None),
            Invitation.expires_at > now,
        )
    )
    invitation = found.scalar_one_or_none()
    if invitation is None:
        return None
    person = await ensure_person(session, user, now)
    used = await session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_by_id=person.id, used_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        return None
    programmes = [p for p in (invitation.programmes or []) if p in PROGRAMMES]
    row = await _row(session, user.telegram_id)
    name = " ".join(n for n in (user.first_name, user.last_name) if n) or user.username or "?"
    if row is None:
        row = TeamMember(
            telegram_id=user.telegram_id,
            name=name[:MAX_NAME],
            coordinates=_coordinated(config, user.telegram_id),
            joined_at=now,
        )
        session.add(row)
        current = config.staff_member(user.telegram_id)
        programmes = [*(current.programmes if current else []), *programmes]
    elif row.removed_at is None:
        programmes = [*row.programmes, *programmes]
    else:
        row.coordinates = []
    row.person_id = person.id
    row.programmes = list(dict.fromkeys(programmes))
    row.removed_at = None
    row.updated_at = now
    events.record(session, events.TEAM_JOINED, now, actor_id=person.id, programmes=row.programmes)
    return Joined(row.programmes)


async def _row(session: AsyncSession, telegram_id: int) -> TeamMember | None:
    result = await session.execute(select(TeamMember).where(TeamMember.telegram_id == telegram_id))
    return result.scalar_one_or_none()


async def _row_for_change(
    session: AsyncSession, config: Config, telegram_id: int, now: datetime
) -> TeamMember | None:
    """The row of a current staff member, created from config.yaml's entry if need be."""
    member = config.staff_member(telegram_id)
    if member is None:
        return None
    row = await _row(session, telegram_id)
    if row is None:
        person = await find_person(session, telegram_id)
        row = TeamMember(
            telegram_id=telegram_id,
            person_id=person.id if person is not None else None,
            name=member.name,
            programmes=list(member.programmes),
            coordinates=_coordinated(config, telegram_id),
            joined_at=now,
            updated_at=now,
        )
        session.add(row)
    return row


def _coordinated(config: Config, telegram_id: int) -> list[str]:
    return [p for p, s in config.programmes.items() if s.coordinator == telegram_id]


def _changed(session: AsyncSession, row: TeamMember, actor: Person, now: datetime) -> None:
    row.updated_at = now
    events.record(
        session,
        events.TEAM_CHANGED,
        now,
        actor_id=actor.id,
        member_id=row.person_id,
        programmes=row.programmes,
        coordinates=row.coordinates,
    )


@dataclass(frozen=True)
class Change:
    """A member's row after a change of programmes, and the dossiers it handed over."""

    row: TeamMember
    handed: handover.HandOver


async def set_programme(
    session: AsyncSession,
    config: Config,
    telegram_id: int,
    programme: str,
    keep: bool,
    admin: UserInfo,
    now: datetime,
) -> Change | None:
    """Add or take away one programme (never the last one: that is a removal); the dossiers of a
    programme taken away are handed over."""
    row = await _row_for_change(session, config, telegram_id, now)
    if row is None:
        return None
    chosen = [p for p in row.programmes if p != programme]
    if keep:
        chosen = [p for p in PROGRAMMES if p in {*chosen, programme}]
    if chosen and chosen != row.programmes:
        row.programmes = chosen
        row.coordinates = [p for p in row.coordinates if p in chosen]
        actor = await ensure_person(session, admin, now)
        _changed(session, row, actor, now)
        person = await find_person(session, telegram_id)
        if not keep and person is not None:
            await session.flush()
            after = merge(config, await rows(session))
            handed = await handover.hand_over(session, after, person, actor, now, programme)
            return Change(row, handed)
    return Change(row, handover.HandOver())


async def make_coordinator(
    session: AsyncSession,
    config: Config,
    telegram_id: int,
    programme: str,
    admin: UserInfo,
    now: datetime,
) -> TeamMember | None:
    """Make a staff member the coordinator of one of their programmes (one per programme)."""
    row = await _row_for_change(session, config, telegram_id, now)
    if row is None or programme not in row.programmes:
        return None
    if programme in row.coordinates:
        return row
    for other in await rows(session):
        if other is not row and programme in other.coordinates:
            other.coordinates = [p for p in other.coordinates if p != programme]
            other.updated_at = now
    row.coordinates = [*row.coordinates, programme]
    _changed(session, row, await ensure_person(session, admin, now), now)
    return row


@dataclass
class Removal:
    """A removed member and what was handed to whom."""

    name: str
    handed: handover.HandOver = field(default_factory=handover.HandOver)


async def remove(
    session: AsyncSession, config: Config, telegram_id: int, admin: UserInfo, now: datetime
) -> Removal | None:
    """Take someone off the team; their open dossiers and reviews are handed over."""
    row = await _row_for_change(session, config, telegram_id, now)
    if row is None:
        return None
    removal = Removal(row.name)
    row.removed_at = now
    row.updated_at = now
    actor = await ensure_person(session, admin, now)
    person = await find_person(session, telegram_id)
    events.record(
        session,
        events.TEAM_REMOVED,
        now,
        actor_id=actor.id,
        member_id=person.id if person is not None else None,
    )
    await session.flush()
    after = merge(config, await rows(session))
    # Digests and re-announced cards addressed to their chat stop.
    await session.execute(
        update(Reminder)
        .where(Reminder.chat_id == telegram_id, Reminder.state == reminders.PENDING)
        .values(state=reminders.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    if person is None:
        return removal
    removal.handed = await handover.hand_over(session, after, person, actor, now)
    # Reviews they were given on other people's dossiers: a volunteer, else the dossier's owner.
    await reviews.reassign_open_reviews(session, after, person.id, now)
    return removal


@dataclass(frozen=True)
class MemberView:
    """One line of /equipe."""

    telegram_id: int
    name: str
    programmes: list[str]
    coordinates: list[str]
    last_seen: datetime | None


async def members(session: AsyncSession, config: Config) -> list[MemberView]:
    """The current staff, with what they coordinate and when they last used the bot."""
    seen = await last_seen(session, [m.id for m in config.staff])
    return [
        MemberView(
            member.id,
            member.name,
            list(member.programmes),
            _coordinated(config, member.id),
            seen.get(member.id),
        )
        for member in config.staff
    ]


async def last_seen(session: AsyncSession, telegram_ids: Sequence[int]) -> dict[int, datetime]:
    """When each of these users last wrote to the bot."""
    result = await session.execute(
        select(Person.telegram_id, Person.last_seen_at).where(Person.telegram_id.in_(telegram_ids))
    )
    return {tid: moment for tid, moment in result.all() if tid is not None}
