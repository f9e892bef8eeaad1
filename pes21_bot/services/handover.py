"""Hand-over: when someone leaves the team (/retirer, /equipe) or stops following a programme,
each dossier they follow goes, in the same transaction, to the programme's coordinator, else
another staff member of it, else the admin who made the change; with its accompaniment,
reminders, open bilans and pending orientation. Who is told is the callers' (messages/handover).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.db.models import (
    Accompaniment,
    OrientationProposal,
    Person,
    Project,
    Reminder,
    Review,
)
from pes21_bot.domain.vocabulary import FOLLOWED_STATUSES, Programme, ReviewState
from pes21_bot.services import events, orientation, relay, reminders, reviews
from pes21_bot.services.people import UserInfo, ensure_person, find_person


@dataclass(frozen=True)
class Handed:
    """One dossier and who follows it now (``to_admins``: nobody of its programme was left)."""

    project: Project
    heir: Person
    to_admins: bool
    holder: Person | None  # told who follows it now (an open dossier whose holder is reachable)


@dataclass
class HandOver:
    """Every dossier handed over by one change of the team."""

    handed: list[Handed] = field(default_factory=list)

    def by_heir(self) -> dict[int, list[str]]:
        """References per Telegram id of whoever received them from the programme's team."""
        found: dict[int, list[str]] = {}
        for item in self.handed:
            if not item.to_admins and item.heir.telegram_id is not None:
                found.setdefault(item.heir.telegram_id, []).append(item.project.reference or "?")
        return found

    def to_admins(self) -> list[str]:
        """References the admins hold now, nobody of their programme being left."""
        return [i.project.reference or "?" for i in self.handed if i.to_admins]


def successor(after: Config, programme: str | None, leaving: int) -> int | None:
    """Who takes a leaving member's dossier: the coordinator, else another staff member."""
    if programme is None or programme not in after.programmes:
        return None
    coordinator = after.programmes[Programme(programme)].coordinator
    if coordinator is not None and coordinator != leaving:
        return coordinator
    others = [m.id for m in after.staff_for(programme) if m.id != leaving]
    return others[0] if others else None


async def hand_over(
    session: AsyncSession,
    after: Config,
    person: Person,
    actor: Person,
    now: datetime,
    programme: str | None = None,
) -> HandOver:
    """Hand every dossier this person follows (of one programme, if given) to its successor in
    the team as it is after the change (``after``), else to the acting admin."""
    result = HandOver()
    leaving = person.telegram_id or 0
    with_reviews = select(Review.project_id).where(Review.state == ReviewState.OPEN)
    query = select(Project).where(
        Project.owner_id == person.id,
        Project.status.in_(FOLLOWED_STATUSES) | Project.id.in_(with_reviews),
    )
    if programme is not None:
        query = query.where(Project.programme == programme)
    owned = await session.execute(query.order_by(Project.id))
    for project in owned.scalars():
        chosen = successor(after, project.programme, leaving)
        heir = actor
        if chosen is not None:
            heir = await find_person(session, chosen) or await ensure_person(
                session, UserInfo(chosen, after.member_name(chosen)), now
            )
        await _give(session, after, project, person, heir, actor, now)
        holder = await relay.holder_of(session, project)
        result.handed.append(Handed(project, heir, chosen is None, holder))
    return result


async def _give(
    session: AsyncSession,
    config: Config,
    project: Project,
    previous: Person,
    heir: Person,
    actor: Person,
    now: datetime,
) -> None:
    """One dossier, its accompaniment, reminders, open bilans and pending orientation."""
    project.owner_id = heir.id
    project.updated_at = now
    await session.execute(
        update(Accompaniment)
        .where(Accompaniment.project_id == project.id, Accompaniment.staff_id == previous.id)
        .values(staff_id=heir.id)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Reminder)
        .where(
            Reminder.project_id == project.id,
            Reminder.recipient_id == previous.id,
            Reminder.state == reminders.PENDING,
        )
        .values(recipient_id=heir.id)
        .execution_options(synchronize_session=False)
    )
    # A welcoming volunteer's proposal still waiting: decided for whoever follows it now.
    await session.execute(
        update(OrientationProposal)
        .where(
            OrientationProposal.project_id == project.id,
            OrientationProposal.volunteer_id == previous.id,
            OrientationProposal.state == orientation.PENDING,
        )
        .values(volunteer_id=heir.id)
        .execution_options(synchronize_session=False)
    )
    open_reviews = await session.execute(
        select(Review).where(
            Review.project_id == project.id,
            Review.assignee_id == previous.id,
            Review.state == ReviewState.OPEN,
        )
    )
    for review in open_reviews.scalars():
        await reviews.assign(session, config, review, heir.id, now, actor_id=actor.id)
    events.record(
        session,
        events.HANDED_OVER,
        now,
        actor_id=actor.id,
        project_id=project.id,
        programme=project.programme,
        previous_owner_id=previous.id,
        owner_id=heir.id,
        # The holder is told here who reads their messages: the relay need not tell them again.
        reader=relay.owner_reader(heir.id),
    )
