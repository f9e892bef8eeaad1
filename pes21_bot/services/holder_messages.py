"""A holder's message to the team about one of their submitted dossiers ("Écrire à l'équipe")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.db.models import Person, Project
from pes21_bot.domain.vocabulary import OPEN_STATUSES
from pes21_bot.services.people import find_person


async def open_projects(session: AsyncSession, telegram_id: int) -> list[Project]:
    """The holder's submitted dossiers still open (the ones they may write about), oldest first."""
    person = await find_person(session, telegram_id)
    if person is None:
        return []
    result = await session.execute(
        select(Project)
        .where(Project.holder_id == person.id, Project.status.in_(OPEN_STATUSES))
        .order_by(Project.submitted_at, Project.id)
    )
    return list(result.scalars())


async def own_open_project(
    session: AsyncSession, telegram_id: int, project_id: int | None
) -> tuple[Person, Project] | None:
    """The person and one of their submitted dossiers still open; None if it is not theirs."""
    person = await find_person(session, telegram_id)
    project = await session.get(Project, project_id) if project_id else None
    if (
        person is None
        or project is None
        or project.holder_id != person.id
        or project.status not in OPEN_STATUSES
    ):
        return None
    return person, project


@dataclass(frozen=True)
class Readers:
    """Who reads a holder's message: the owner (if any and reachable), and their chats."""

    project: Project
    owner: Person | None
    chats: list[int]


def team_chats(config: Config, programme: str) -> list[int]:
    """The programme's group, else its staff, else its coordinator, else the admins."""
    settings = config.programmes.get(programme)  # type: ignore[call-overload]
    if settings is not None and settings.group_chat_id is not None:
        return [settings.group_chat_id]
    staff = [m.id for m in config.staff_for(programme)]
    if staff:
        return staff
    if settings is not None and settings.coordinator:
        return [settings.coordinator]
    return [m.id for m in config.admins]


async def readers(session: AsyncSession, config: Config, project: Project) -> Readers:
    """The dossier's owner, or while nobody holds it (or they left), the programme's team."""
    owner = await session.get(Person, project.owner_id) if project.owner_id else None
    if owner is not None and owner.telegram_id is not None and owner.erased_at is None:
        return Readers(project, owner, [owner.telegram_id])
    return Readers(project, None, team_chats(config, project.programme or ""))
