"""/cherche: the submitted dossiers a team member may see, found by a few words."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.db.models import Person, Project
from pes21_bot.domain.answers import matches, searched_texts
from pes21_bot.domain.vocabulary import ProjectStatus

LIMIT = 10


async def find_dossiers(
    session: AsyncSession, query: str, may_see: Callable[[str | None], bool], limit: int = LIMIT
) -> tuple[list[Project], int]:
    """Dossiers whose holder, project or structure name, or commune hold every word of the query,
    among the programmes ``may_see`` allows; open ones first, then the newest. Also the count."""
    result = await session.execute(
        select(Project, Person.first_name, Person.last_name)
        .outerjoin(Person, Person.id == Project.holder_id)
        .where(
            Project.status.not_in((ProjectStatus.DRAFT, ProjectStatus.ABANDONED)),
            Project.reference.is_not(None),
        )
        .order_by(Project.submitted_at.desc(), Project.id.desc())
    )
    found: list[Project] = []
    for project, first, last in result.all():
        if not may_see(project.programme):
            continue
        texts = searched_texts(project.path, project.answers or {}, project.commune)
        texts.append(" ".join(n for n in (first, last) if n))
        if matches(query, texts):
            found.append(project)
    open_first = sorted(found, key=lambda p: p.status == ProjectStatus.CLOSED)
    return open_first[:limit], len(found)
