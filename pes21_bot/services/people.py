"""People: who someone is to the bot (holder, volunteer, staff, admin)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.db.models import Person, TeamMember, Volunteer


class Role(StrEnum):
    """What someone may do; admins and staff come from config.yaml."""

    HOLDER = "holder"
    VOLUNTEER = "volunteer"
    STAFF = "staff"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


@dataclass(frozen=True)
class UserInfo:
    """The few facts about a Telegram user the services need."""

    telegram_id: int
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None


# Looked up for most updates (roles, drafts): built once, like intake's draft look-up.
_PERSON = select(Person).where(Person.telegram_id == bindparam("telegram_id"))


async def find_person(session: AsyncSession, telegram_id: int) -> Person | None:
    """The person with this Telegram id, if the bot stored one."""
    result = await session.execute(_PERSON, {"telegram_id": telegram_id})
    return result.scalar_one_or_none()


async def ensure_person(session: AsyncSession, user: UserInfo, now: datetime) -> Person:
    """Find or create the person row, refreshing names and last activity."""
    person = await find_person(session, user.telegram_id)
    if person is None:
        person = Person(telegram_id=user.telegram_id, created_at=now, role=Role.HOLDER.value)
        session.add(person)
    person.first_name = user.first_name
    person.last_name = user.last_name
    person.username = user.username
    person.last_seen_at = now
    await session.flush()
    return person


def roles_of(config: Config, telegram_id: int, person: Person | None) -> set[Role]:
    """Every role this user holds (a staff member may also be an admin)."""
    roles = {Role.HOLDER}
    if config.is_admin(telegram_id):
        roles.add(Role.ADMIN)
    if config.staff_member(telegram_id) is not None:
        roles.add(Role.STAFF)
    if any(p.coordinator == telegram_id for p in config.programmes.values()):
        roles.add(Role.COORDINATOR)
    if person is not None and person.role == Role.VOLUNTEER.value:
        roles.add(Role.VOLUNTEER)
    return roles


def display_name(config: Config, person: Person | None) -> str:
    """The name to show for a person: config name for staff, else their Telegram name."""
    if person is None:
        return "?"
    if person.telegram_id is not None:
        configured = config.member_name(person.telegram_id)
        if configured:
            return configured
    names = [n for n in (person.first_name, person.last_name) if n]
    return " ".join(names) or (person.username or "?")


def first_name(config: Config, person: Person | None) -> str:
    """How a holder reads a team member's name: the first name only (never their account)."""
    return display_name(config, person).split(" ")[0]


async def former_member(session: AsyncSession, person: Person) -> bool:
    """Whether this person was taken off the team: a removed volunteer or staff member (their
    current roles say whether they came back)."""
    removed_staff = exists().where(
        or_(TeamMember.person_id == person.id, TeamMember.telegram_id == person.telegram_id),
        TeamMember.removed_at.is_not(None),
    )
    removed_volunteer = exists().where(
        Volunteer.person_id == person.id, Volunteer.removed_at.is_not(None)
    )
    return bool(await session.scalar(select(or_(removed_staff, removed_volunteer))))
