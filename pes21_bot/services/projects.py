"""Staff side of a project: cards, claim, redirect, close, lists, history, first exchanges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, false, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot import access
from pes21_bot.config import Config
from pes21_bot.db.models import Event, Person, Project, ProjectCard, Review, Volunteer
from pes21_bot.domain.assignment import WELCOMING_MISSION
from pes21_bot.domain.references import parse_reference
from pes21_bot.domain.vocabulary import (
    OPEN_STATUSES,
    VOLUNTEER_PROGRAMME,
    ProjectStatus,
    ReviewState,
)
from pes21_bot.services import events, relay, volunteers
from pes21_bot.services.people import (
    Role,
    UserInfo,
    ensure_person,
    find_person,
    former_member,
    roles_of,
)


async def recipients(
    session: AsyncSession, config: Config, programme: str, today: date
) -> list[int]:
    """Chats that receive a programme's new projects: its group chat, else each staff member;
    for accueil en amont, also every available volunteer with the welcoming mission."""
    group = config.programmes[programme].group_chat_id  # type: ignore[index]
    chats = [group] if group is not None else [m.id for m in config.staff_for(programme)]
    if programme == VOLUNTEER_PROGRAMME:
        welcomers = await volunteers.available_with_mission(session, WELCOMING_MISSION, today)
        chats += [
            v.person.telegram_id
            for v in welcomers
            if v.person.telegram_id is not None and v.person.telegram_id not in chats
        ]
    return chats


async def standing(
    session: AsyncSession,
    config: Config,
    telegram_id: int,
    project: Project,
    today: date,
    review: Review | None = None,
) -> access.Standing:
    """What this person is to the dossier (for access.may_act_on): roles now, whether they follow
    it, whether its bilan (this one, else any open one) is theirs, whether they may claim it."""
    person = await find_person(session, telegram_id)
    roles = frozenset(roles_of(config, telegram_id, person))
    if person is None:
        return access.Standing(roles, open=project.status in OPEN_STATUSES)
    if review is not None:
        reviews = review.assignee_id == person.id and review.project_id == project.id
    else:
        reviews = bool(
            await session.scalar(
                select(func.count())
                .select_from(Review)
                .where(
                    Review.project_id == project.id,
                    Review.assignee_id == person.id,
                    Review.state == ReviewState.OPEN,
                )
            )
        )
    claim = (
        project.programme == VOLUNTEER_PROGRAMME
        and Role.VOLUNTEER in roles
        and await volunteers.may_take(session, telegram_id, WELCOMING_MISSION, today)
    )
    return access.Standing(
        roles,
        owns=project.owner_id == person.id,
        open=project.status in OPEN_STATUSES,
        reviews=reviews,
        may_claim=claim,
        former=roles == {Role.HOLDER} and await former_member(session, person),
    )


async def get_project(session: AsyncSession, project_id: int) -> Project | None:
    """A project by id."""
    return await session.get(Project, project_id)


async def find_by_reference(session: AsyncSession, text: str) -> Project | None:
    """A project by its reference (PES-2026-0042)."""
    parsed = parse_reference(text)
    if parsed is None:
        return None
    year, seq = parsed
    result = await session.execute(select(Project).where(Project.year == year, Project.seq == seq))
    return result.scalar_one_or_none()


async def holder_of(session: AsyncSession, project: Project) -> Person | None:
    """The holder, unless they erased their data."""
    if project.holder_id is None:
        return None
    return await session.get(Person, project.holder_id)


async def add_card(
    session: AsyncSession, project: Project, chat_id: int, message_id: int, now: datetime
) -> None:
    """Remember a card sent to staff so it can be updated later."""
    session.add(
        ProjectCard(
            project_id=project.id,
            chat_id=chat_id,
            message_id=message_id,
            programme=project.programme or "",
            sent_at=now,
        )
    )


async def cards_of(session: AsyncSession, project_id: int) -> list[ProjectCard]:
    """Every live card of a project."""
    result = await session.execute(select(ProjectCard).where(ProjectCard.project_id == project_id))
    return list(result.scalars())


async def forget_cards(session: AsyncSession, project_id: int) -> None:
    """Stop updating a project's current cards (after a redirect they belong to the past)."""
    await session.execute(delete(ProjectCard).where(ProjectCard.project_id == project_id))


async def people_by_id(session: AsyncSession, ids: set[int]) -> dict[int, Person]:
    """Several people at once, by row id."""
    if not ids:
        return {}
    result = await session.execute(select(Person).where(Person.id.in_(ids)))
    return {person.id: person for person in result.scalars()}


@dataclass(frozen=True)
class ClaimResult:
    """Who owns the project after a claim attempt."""

    won: bool
    project: Project
    owner: Person | None


async def claim(
    session: AsyncSession, project_id: int, staff: UserInfo, now: datetime
) -> ClaimResult:
    """Take a routed project; a single conditional UPDATE makes concurrent claims safe."""
    person = await ensure_person(session, staff, now)
    result = await session.execute(
        update(Project)
        .where(
            Project.id == project_id,
            Project.status == ProjectStatus.ROUTED,
            Project.owner_id.is_(None),
        )
        .values(owner_id=person.id, status=ProjectStatus.CLAIMED, claimed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    project = await session.get(Project, project_id, populate_existing=True)
    assert project is not None
    won = result.rowcount == 1  # type: ignore[attr-defined]
    if won:
        events.record(
            session,
            events.CLAIMED,
            now,
            actor_id=person.id,
            project_id=project.id,
            programme=project.programme,
        )
    owner = await session.get(Person, project.owner_id) if project.owner_id else None
    return ClaimResult(won, project, owner)


async def redirect(
    session: AsyncSession, project: Project, programme: str, staff: UserInfo, now: datetime
) -> str:
    """Send the project to another programme, unclaimed; returns the previous programme."""
    person = await ensure_person(session, staff, now)
    previous = project.programme or ""
    project.programme = programme
    project.status = ProjectStatus.ROUTED
    project.owner_id = None
    project.claimed_at = None
    project.updated_at = now
    events.record(
        session,
        events.REDIRECTED,
        now,
        actor_id=person.id,
        project_id=project.id,
        programme=programme,
        previous=previous,
    )
    # The old programme's topic is closed; the new programme's group opens its own.
    relay.queue_topic_close(session, project, now)
    project.topic_id = project.topic_chat_id = None
    return previous


async def close(
    session: AsyncSession, project: Project, reason: str, staff: UserInfo, now: datetime
) -> None:
    """Close a project with a reason."""
    person = await ensure_person(session, staff, now)
    project.status = ProjectStatus.CLOSED
    project.close_reason = reason
    project.closed_at = now
    project.updated_at = now
    events.record(
        session,
        events.CLOSED,
        now,
        actor_id=person.id,
        project_id=project.id,
        programme=project.programme,
        reason=reason,
    )
    relay.queue_topic_close(session, project, now)


async def open_projects_of(
    session: AsyncSession, config: Config, telegram_id: int
) -> list[Project]:
    """Projects a staff member owns, plus unclaimed ones of their programmes, plus those a
    volunteer holds in the programmes they coordinate (they answer for those volunteers).

    For a welcoming volunteer: the accueil-en-amont dossiers they hold; for an admin, those handed
    to them.
    """
    programmes = access.programmes_for(access.PROJECT_STAFF, config, telegram_id)
    coordinated = [k for k, p in config.programmes.items() if p.coordinator == telegram_id]
    if not programmes and not coordinated:
        return await held_by(session, telegram_id)
    person = await find_person(session, telegram_id)
    owned = Project.owner_id == person.id if person is not None else false()
    waiting = (Project.status == ProjectStatus.ROUTED) & Project.programme.in_(programmes)
    volunteer_held = Project.programme.in_(coordinated) & Project.owner_id.in_(
        select(Volunteer.person_id)
    )
    result = await session.execute(
        select(Project)
        .where(Project.status.in_(OPEN_STATUSES), owned | waiting | volunteer_held)
        .order_by(Project.submitted_at)
    )
    return list(result.scalars())


async def held_by(session: AsyncSession, telegram_id: int) -> list[Project]:
    """The open dossiers someone follows outside a programme's staff, oldest first: a welcoming
    volunteer's accueil-en-amont ones, an admin's when nobody of the programme was left."""
    person = await find_person(session, telegram_id)
    if person is None:
        return []
    result = await session.execute(
        select(Project)
        .where(Project.owner_id == person.id, Project.status.in_(OPEN_STATUSES))
        .order_by(Project.submitted_at)
    )
    return list(result.scalars())


async def holds(session: AsyncSession, telegram_id: int, project: Project) -> bool:
    """Whether this user holds this open accueil-en-amont dossier (its welcoming volunteer)."""
    if project.programme != VOLUNTEER_PROGRAMME or project.status not in OPEN_STATUSES:
        return False
    person = await find_person(session, telegram_id)
    return person is not None and project.owner_id == person.id


def record_first_exchange(
    session: AsyncSession, project: Project, person: Person, answers: dict[str, Any], now: datetime
) -> None:
    """The welcoming volunteer's first exchange with the holder, as an event of the dossier."""
    events.record(
        session,
        events.FIRST_EXCHANGE,
        now,
        actor_id=person.id,
        project_id=project.id,
        programme=project.programme,
        on=answers["contact_date"],
        way=answers["exchange_way"],
        notes=answers["exchange_notes"],
    )


async def first_exchanges(session: AsyncSession, project_id: int) -> list[Event]:
    """The first exchanges recorded on a dossier, oldest first."""
    result = await session.execute(
        select(Event)
        .where(Event.project_id == project_id, Event.kind == events.FIRST_EXCHANGE)
        .order_by(Event.occurred_at, Event.id)
    )
    return list(result.scalars())


async def forget_exchange_notes(session: AsyncSession, project_id: int) -> None:
    """Erasure: what was said at the first exchange is about the holder; its date and way stay."""
    for event in await first_exchanges(session, project_id):
        # A new dict, so that the JSON column is seen as changed.
        event.data = {k: v for k, v in event.data.items() if k != "notes"}


async def first_exchange(session: AsyncSession, project_id: int) -> Event | None:
    """The latest first exchange recorded on a dossier."""
    found = await first_exchanges(session, project_id)
    return found[-1] if found else None


async def history(session: AsyncSession, project_id: int) -> list[Event]:
    """The events of a project, oldest first (question answers left out: too detailed)."""
    result = await session.execute(
        select(Event)
        .where(Event.project_id == project_id, Event.kind != events.QUESTION_ANSWERED)
        .order_by(Event.occurred_at, Event.id)
    )
    return list(result.scalars())
