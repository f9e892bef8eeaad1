"""The holder's satisfaction survey after an accompaniment: planned once, answered once.

The survey goes out as a durable reminder (quiet hours, retries, cancelled when the holder's
data are erased); its answers are one event, read by the figures and the export.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.db.models import Event, Person, Project, Reminder
from pes21_bot.domain.scheduling import local_day_start
from pes21_bot.services import events, reminders

SURVEY = "satisfaction_survey"  # the reminder kind
DONE_KINDS = (events.SATISFACTION_ANSWERED, events.SATISFACTION_DECLINED)


async def schedule(
    session: AsyncSession, config: Config, project: Project, ended_on: date, now: datetime
) -> None:
    """Plan the survey `satisfaction_days` after the end (at once if that day is past)."""
    if project.holder_id is None:
        return
    rules = reminders.quiet_rules(config)
    due = local_day_start(ended_on + timedelta(days=config.reminders.satisfaction_days), rules)
    await reminders.add_unique(
        session,
        f"survey:{project.id}",
        SURVEY,
        max(due, now),
        recipient_id=project.holder_id,
        project_id=project.id,
    )


async def replan(
    session: AsyncSession, config: Config, project: Project, ended_on: date, now: datetime
) -> None:
    """After a corrected end, the survey not sent yet is due `satisfaction_days` after the new
    end (at once if that day is past); one already sent is not offered again."""
    rules = reminders.quiet_rules(config)
    due = local_day_start(ended_on + timedelta(days=config.reminders.satisfaction_days), rules)
    await session.execute(
        update(Reminder)
        .where(
            Reminder.dedupe_key == f"survey:{project.id}",
            Reminder.kind == SURVEY,
            Reminder.state == reminders.PENDING,
        )
        .values(due_at=max(due, now), late=False)
    )


async def settled(session: AsyncSession, project_id: int) -> bool:
    """Whether the holder already answered or declined the survey of this dossier."""
    found = await session.scalar(
        select(exists().where(Event.project_id == project_id, Event.kind.in_(DONE_KINDS)))
    )
    return bool(found)


async def survey_project(
    session: AsyncSession, telegram_id: int, project_id: int
) -> tuple[Project, Person] | None:
    """The dossier if this user is its holder and has not answered yet, else None."""
    project = await session.get(Project, project_id)
    if project is None or project.holder_id is None:
        return None
    person = await session.get(Person, project.holder_id)
    if person is None or person.telegram_id != telegram_id:
        return None
    if await settled(session, project_id):
        return None
    return project, person


async def record(
    session: AsyncSession,
    telegram_id: int,
    project_id: int,
    answers: dict[str, Any] | None,
    now: datetime,
) -> bool:
    """Store the answers (None: declined) once; False if not theirs or already done."""
    found = await survey_project(session, telegram_id, project_id)
    if found is None:
        return False
    project, person = found
    where: dict[str, Any] = {
        "actor_id": person.id,
        "project_id": project.id,
        "programme": project.programme,
    }
    if answers is None:
        events.record(session, events.SATISFACTION_DECLINED, now, **where)
        return True
    events.record(
        session,
        events.SATISFACTION_ANSWERED,
        now,
        **where,
        rating=int(answers["sv_rating"]),
        helped=answers.get("sv_helped"),
        recommend=answers.get("sv_recommend"),
        comment=answers.get("sv_comment"),
        quote=answers.get("sv_quote"),
    )
    return True


async def answers_of(session: AsyncSession, person_id: int) -> list[dict[str, Any]]:
    """What this person answered to the satisfaction surveys (/mes_donnees), oldest first."""
    result = await session.execute(
        select(Event, Project.reference)
        .outerjoin(Project, Project.id == Event.project_id)
        .where(Event.actor_id == person_id, Event.kind == events.SATISFACTION_ANSWERED)
        .order_by(Event.occurred_at, Event.id)
    )
    return [
        {
            "project": reference,
            "answered_at": event.occurred_at.isoformat(),
            **{
                k: (event.data or {}).get(k)
                for k in ("rating", "helped", "recommend", "comment", "quote")
            },
        }
        for event, reference in result.all()
    ]


async def erase_comments(session: AsyncSession, person_id: int) -> None:
    """The holder's own words go with their data (so no quote is left); the rating stays."""
    result = await session.execute(
        select(Event).where(Event.actor_id == person_id, Event.kind == events.SATISFACTION_ANSWERED)
    )
    for event in result.scalars():
        event.data = {**(event.data or {}), "comment": None, "quote": None}
