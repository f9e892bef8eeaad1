"""Seeding events and projects with chosen dates, straight through the ORM."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config, load_config
from pes21_bot.db.models import Event, Person, Project, Review
from pes21_bot.runner import ROOT
from pes21_bot.services import data_rights, events

PARIS = ZoneInfo("Europe/Paris")


def paris(text: str) -> datetime:
    """'2025-03-10 14:00' (Paris wall-clock time) as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(UTC)


@cache
def _config() -> Config:
    return load_config(ROOT / "config.yaml")


async def erase(session: AsyncSession, person: Person, moment: str) -> None:
    """Erase a person as /supprimer does, at a Paris wall-clock time."""
    assert person.telegram_id is not None
    await data_rights.erase(session, _config(), person.telegram_id, paris(moment))


# Instants that trap a period computed in UTC instead of Paris time.
NEW_YEAR_2025_INSIDE = "2025-01-01 00:30"  # 2024-12-31 23:30 UTC: belongs to 2025
NEW_YEAR_2026_OUTSIDE = "2026-01-01 00:30"  # 2025-12-31 23:30 UTC: belongs to 2026


class Seeder:
    """Adds people, projects, events and reviews to a session (flush to get ids)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._seq: dict[int, int] = {}
        self._telegram_id = 900_000

    async def person(
        self, first_name: str = "Alex", telegram_id: int | None = None, role: str = "holder"
    ) -> Person:
        """A person row (holder by default)."""
        if telegram_id is None:
            self._telegram_id += 1
            telegram_id = self._telegram_id
        now = paris("2024-01-01 12:00")
        person = Person(
            telegram_id=telegram_id,
            first_name=first_name,
            last_name="Testeur",
            role=role,
            created_at=now,
            last_seen_at=now,
        )
        self.session.add(person)
        await self.session.flush()
        return person

    async def project(
        self,
        programme: str,
        submitted: str,
        *,
        path: str = "idea",
        holder: Person | None = None,
        sector: str | None = None,
        commune: str | None = None,
        postal_code: str | None = None,
        source: str | None = None,
        answers: dict[str, Any] | None = None,
        welcomed: bool = True,
    ) -> Project:
        """A project submitted at a Paris time, with its intake_completed and routed events."""
        moment = paris(submitted)
        year = moment.astimezone(PARIS).year
        self._seq[year] = self._seq.get(year, 0) + 1
        seq = self._seq[year]
        project = Project(
            reference=f"PES-{year}-{seq:04d}",
            year=year,
            seq=seq,
            holder_id=holder.id if holder else None,
            path=path,
            status="routed",
            answers=answers or {},
            programme=programme,
            sector=sector,
            commune=commune,
            postal_code=postal_code,
            in_cote_dor=None if postal_code is None else postal_code.startswith("21"),
            source=source,
            created_at=moment,
            submitted_at=moment,
            updated_at=moment,
        )
        self.session.add(project)
        await self.session.flush()
        if welcomed:
            actor = holder.id if holder else None
            self.event(
                events.INTAKE_COMPLETED,
                submitted,
                project,
                programme,
                actor=actor,
                path=path,
                source=source,
            )
            self.event(events.ROUTED, submitted, project, programme, actor=actor, score=None)
        return project

    def event(
        self,
        kind: str,
        when: str,
        project: Project | None = None,
        programme: str | None = None,
        /,
        *,
        actor: int | None = None,
        **data: Any,
    ) -> Event:
        """One event at a Paris time; programme defaults to the project's."""
        if programme is None and project is not None:
            programme = project.programme
        # Built directly: jobs_created carries a data key named "kind", like record()'s argument.
        event = Event(
            kind=kind,
            occurred_at=paris(when),
            actor_id=actor,
            project_id=project.id if project is not None else None,
            programme=programme,
            data=data,
        )
        self.session.add(event)
        return event

    def review(
        self,
        project: Project,
        due: str,
        *,
        state: str = "open",
        done: str | None = None,
        number: int = 1,
        assignee: Person | None = None,
    ) -> Review:
        """A review row due at a Paris time."""
        review = Review(
            project_id=project.id,
            number=number,
            due_at=paris(due),
            state=state,
            done_at=paris(done) if done else None,
            assignee_id=assignee.id if assignee else None,
            details={},
        )
        self.session.add(review)
        return review
