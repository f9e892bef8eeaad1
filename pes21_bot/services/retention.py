"""Retention: a person's data are anonymised some years after their last interaction.

"Last interaction" (the consent text's "notre dernier échange") is the latest of:
- the last time the person wrote to the bot or pressed one of its buttons (people.last_seen_at,
  stored by handlers.activity at most once a day);
- the latest event they made themselves (a dossier sent, a review logged, /mes_donnees...);
- the latest event on one of their dossiers, whoever made it (a step recorded by the staff,
  a review logged by a volunteer): the exchange goes on while the Pôle follows the project.
Reminders sent or failed are not an interaction. Volunteers who left and staff removed from the
team are counted from the latest of their departure and their last interaction, with their own
period. Active volunteers and the team (config.yaml and chat) are never anonymised.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.db.models import Event, Person, Project, TeamMember, Volunteer
from pes21_bot.services import data_rights, events

# Reminders are the bot talking, not an exchange with the person.
NOT_AN_EXCHANGE = (events.REMINDER_SENT, events.REMINDER_FAILED)

HOLDER, VOLUNTEER, STAFF = "holder", "volunteer", "staff"


async def touch(session: AsyncSession, telegram_id: int, now: datetime) -> None:
    """The person (if the bot stores one) interacted with the bot now."""
    await session.execute(
        update(Person)
        .where(Person.telegram_id == telegram_id, Person.last_seen_at < now)
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )


def years_later(moment: datetime, years: int) -> datetime:
    """The same instant some years later (29 February becomes 28 February)."""
    year = moment.year + years
    day = min(moment.day, calendar.monthrange(year, moment.month)[1])
    return moment.replace(year=year, day=day)


def due_at(config: Config, kind: str, last: datetime, departed: datetime | None = None) -> datetime:
    """When someone's data reach the end of their retention period."""
    settings = config.retention
    if kind == HOLDER:
        return years_later(last, settings.years)
    start = max(last, departed) if departed is not None else last
    return years_later(
        start, settings.volunteer_years if kind == VOLUNTEER else settings.staff_years
    )


async def last_interactions(session: AsyncSession) -> dict[int, datetime]:
    """Each person's last interaction (see the module docstring), by person id."""
    latest: dict[int, datetime] = {}

    def keep(person_id: int | None, moment: datetime | None) -> None:
        if person_id is None or moment is None:
            return
        if person_id not in latest or moment > latest[person_id]:
            latest[person_id] = moment

    own = (
        select(Event.actor_id, func.max(Event.occurred_at))
        .where(Event.actor_id.is_not(None), Event.kind.not_in(NOT_AN_EXCHANGE))
        .group_by(Event.actor_id)
    )
    on_dossiers = (
        select(Project.holder_id, func.max(Event.occurred_at))
        .join(Event, Event.project_id == Project.id)
        .where(Project.holder_id.is_not(None), Event.kind.not_in(NOT_AN_EXCHANGE))
        .group_by(Project.holder_id)
    )
    for statement in (select(Person.id, Person.last_seen_at), own, on_dossiers):
        for person_id, moment in (await session.execute(statement)).all():
            keep(person_id, moment)
    return latest


@dataclass(frozen=True)
class Due:
    """One person and the moment their data are to be anonymised."""

    person_id: int
    kind: str
    last: datetime
    due_at: datetime
    noticed: bool


async def schedule(session: AsyncSession, config: Config, team: Collection[int]) -> list[Due]:
    """Everyone outside the team (Telegram ids) and active volunteers, with their due date."""
    latest = await last_interactions(session)
    volunteers = {
        person_id: removed_at
        for person_id, removed_at in (
            await session.execute(select(Volunteer.person_id, Volunteer.removed_at))
        ).all()
    }
    removed_staff = {
        telegram_id: removed_at
        for telegram_id, removed_at in (
            await session.execute(
                select(TeamMember.telegram_id, TeamMember.removed_at).where(
                    TeamMember.removed_at.is_not(None)
                )
            )
        ).all()
    }
    found = []
    people = await session.execute(
        select(Person.id, Person.telegram_id, Person.retention_notice_at)
    )
    for person_id, telegram_id, notice_at in people.all():
        if telegram_id is not None and telegram_id in team:
            continue
        last = latest[person_id]
        departed: datetime | None = None
        if person_id in volunteers:
            departed = volunteers[person_id]
            if departed is None:
                continue  # an active volunteer
            kind = VOLUNTEER
        elif telegram_id is not None and telegram_id in removed_staff:
            kind, departed = STAFF, removed_staff[telegram_id]
        else:
            kind = HOLDER
        moment = due_at(config, kind, last, departed)
        noticed = notice_at is not None and notice_at >= last
        found.append(Due(person_id, kind, last, moment, noticed))
    return found


@dataclass
class Notice:
    """People soon anonymised, counted once for the admins."""

    count: int = 0
    until: datetime | None = None
    person_ids: list[int] = field(default_factory=list)


async def mark_notice(
    session: AsyncSession, config: Config, scheduled: list[Due], now: datetime
) -> Notice:
    """Count (and mark as told) who reaches the period within notice_days, not yet told."""
    horizon = now + timedelta(days=config.retention.notice_days)
    notice = Notice()
    for item in scheduled:
        if item.noticed or not now < item.due_at <= horizon:
            continue
        person = await session.get(Person, item.person_id)
        if person is None:
            continue
        person.retention_notice_at = now
        notice.count += 1
        notice.person_ids.append(item.person_id)
        notice.until = max(notice.until or item.due_at, item.due_at)
    if notice.count:
        events.record(session, events.RETENTION_NOTICE, now, people=notice.count)
    return notice


async def erase_due(
    session: AsyncSession, config: Config, item: Due, now: datetime
) -> data_rights.Erasure | None:
    """Anonymise one person as /supprimer does (None if gone, or back since the schedule)."""
    person = await session.get(Person, item.person_id)
    if person is None or person.last_seen_at > item.last:
        return None
    return await data_rights.erase_person(session, config, person, now, data_rights.RETENTION)
