"""RGPD: what the bot stores about a person (holder, volunteer), and erasing it anonymously."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.db.models import (
    AgendaEvent,
    ConversationState,
    Event,
    PersistedData,
    Person,
    Project,
    ProjectCard,
    Review,
    TeamMember,
    Volunteer,
    encode_conversation_key,
)
from pes21_bot.domain.vocabulary import ProjectStatus
from pes21_bot.services import (
    agenda,
    answer_messages,
    events,
    outbox,
    reminders,
    reviews,
    satisfaction,
)
from pes21_bot.services.people import display_name, find_person
from pes21_bot.services.projects import first_exchanges, forget_exchange_notes

# Why a dossier still waiting is closed when its holder's data are erased (stat_labels).
ERASED_REASON = "data_erased"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def export_data(session: AsyncSession, telegram_id: int, now: datetime) -> dict[str, Any]:
    """Everything stored about this person, as a JSON-ready dict (empty if nothing).

    Field names are those of pes21_bot.domain.data_export; the file gets them in French.
    """
    person = await find_person(session, telegram_id)
    if person is None:
        return {}
    result = await session.execute(
        select(Project).where(Project.holder_id == person.id).order_by(Project.id)
    )
    projects = [
        {
            "reference": p.reference,
            "path": p.path,
            "status": p.status,
            "programme": p.programme,
            "answers": p.answers,
            "score": p.score,
            "criteria": p.criteria,
            "created_at": _iso(p.created_at),
            "submitted_at": _iso(p.submitted_at),
            "first_exchanges": [e.data for e in await first_exchanges(session, p.id)],
        }
        for p in result.scalars()
    ]
    volunteer = await session.scalar(select(Volunteer).where(Volunteer.person_id == person.id))
    events.record(session, events.DATA_EXPORTED, now, actor_id=person.id)
    return {
        "person": {
            "telegram_id": person.telegram_id,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "username": person.username,
            "source": person.source,
            "consent": person.consent,
            "consent_at": _iso(person.consent_at),
            "first_contact": _iso(person.created_at),
            "last_activity": _iso(person.last_seen_at),
        },
        "projects": projects,
        "volunteer": None if volunteer is None else _volunteer_data(volunteer),
        "reviews": await _reviews_of(session, person.id),
        "messages": await _messages_of(session, person.id),
        "satisfaction": await satisfaction.answers_of(session, person.id),
        "answers_received": await _answers_to(session, person.id),
        "registrations": await agenda.registrations_of(session, person.id),
    }


async def _messages_of(session: AsyncSession, person_id: int) -> list[dict[str, Any]]:
    """What this person wrote to the team, oldest first."""
    result = await session.execute(
        select(Event, Project.reference)
        .outerjoin(Project, Project.id == Event.project_id)
        .where(Event.actor_id == person_id, Event.kind == events.HOLDER_MESSAGE)
        .order_by(Event.occurred_at, Event.id)
    )
    return [_message(event, reference) for event, reference in result.all()]


def _message(event: Event, reference: str | None) -> dict[str, Any]:
    """One message of the person's conversation with the team, as the file shows it."""
    data = event.data or {}
    return {
        "project": reference,
        "written_at": _iso(event.occurred_at),
        "text": data.get("text"),
        "media": data.get("media", "text"),
        "file_id": data.get("file_id"),
    }


async def _answers_to(session: AsyncSession, person_id: int) -> list[dict[str, Any]]:
    """What the team answered this person through the bot, oldest first."""
    result = await session.execute(
        select(Event, Project.reference, Person.first_name)
        .join(Project, Project.id == Event.project_id)
        .outerjoin(Person, Person.id == Event.actor_id)
        .where(Project.holder_id == person_id, Event.kind == events.RELAY_TO_HOLDER)
        .order_by(Event.occurred_at, Event.id)
    )
    return [
        {**_message(event, reference), "from_team": (name or "").split(" ")[0] or None}
        for event, reference, name in result.all()
    ]


def _volunteer_data(volunteer: Volunteer) -> dict[str, Any]:
    return {
        "missions": volunteer.missions,
        "days": volunteer.days,
        "paused_until": volunteer.paused_until.isoformat() if volunteer.paused_until else None,
        "enrolled_at": _iso(volunteer.enrolled_at),
        "removed_at": _iso(volunteer.removed_at),
        "last_activity": _iso(volunteer.last_activity_at),
    }


async def _reviews_of(session: AsyncSession, person_id: int) -> list[dict[str, Any]]:
    """The reviews this person logged or has to do, with what they wrote."""
    result = await session.execute(
        select(Review, Project.reference)
        .join(Project, Project.id == Review.project_id)
        .where(or_(Review.done_by_id == person_id, Review.assignee_id == person_id))
        .order_by(Review.due_at)
    )
    return [
        {
            "project": reference,
            "number": review.number,
            "due_at": _iso(review.due_at),
            "state": review.state,
            "done_at": _iso(review.done_at),
            "logged_by_you": review.done_by_id == person_id,
            "entry": review.details.get("answers") if review.done_by_id == person_id else None,
        }
        for review, reference in result.all()
    ]


# Why someone's data were erased: they asked (/supprimer), or the retention period passed.
REQUEST, RETENTION = "request", "retention"


@dataclass
class ErasedProject:
    """One erased project: its staff cards to blank, its owner to tell, its cancelled reviews."""

    reference: str | None
    cards: list[tuple[int, int]] = field(default_factory=list)
    owner_telegram_id: int | None = None
    reviews_cancelled: int = 0


@dataclass
class Erasure:
    """What erasing one person changed, for the notices that follow the commit."""

    name: str
    projects: list[ErasedProject] = field(default_factory=list)
    # Reviews the erased person (a volunteer) had to do, handed to someone else.
    moved: list[reviews.Reassigned] = field(default_factory=list)
    # Reviewers (Telegram id) whose reviews of the erased person's projects were cancelled.
    reviewers_told: dict[int, list[str]] = field(default_factory=dict)
    # Places they held in events to come, each given to the first waiting person (told).
    promoted: list[tuple[AgendaEvent, int]] = field(default_factory=list)


async def erase(
    session: AsyncSession, config: Config, telegram_id: int, now: datetime
) -> Erasure | None:
    """/supprimer: erase the person with this Telegram id (None if the bot has no row)."""
    await outbox.forget_chat(session, telegram_id)
    person = await find_person(session, telegram_id)
    if person is None:
        return None
    return await erase_person(session, config, person, now, REQUEST)


def _close_erased(session: AsyncSession, project: Project, now: datetime) -> None:
    project.status = ProjectStatus.CLOSED
    project.close_reason = ERASED_REASON
    project.closed_at = now
    events.record(
        session,
        events.CLOSED,
        now,
        project_id=project.id,
        programme=project.programme,
        reason=ERASED_REASON,
    )


async def erase_person(
    session: AsyncSession, config: Config, person: Person, now: datetime, reason: str
) -> Erasure:
    """Remove every personal value; projects and events stay, detached and anonymous.

    The person's open reviews to do go to someone else; the open reviews of their own projects
    are cancelled with their reminders, since nobody can reach them any more.
    """
    erasure = Erasure(display_name(config, person))
    if person.telegram_id is not None:
        await outbox.forget_chat(session, person.telegram_id)
        await answer_messages.forget_chat(session, person.telegram_id)
    erasure.moved = await reviews.reassign_open_reviews(session, config, person.id, now)
    # Nothing more is sent to them (the "still waiting" notice, the satisfaction survey).
    await reminders.cancel_for_person(session, person.id)
    erasure.promoted = await agenda.withdraw_all(session, config, person.id, now)
    result = await session.execute(
        select(Project).where(Project.holder_id == person.id).order_by(Project.id)
    )
    reviewer_ids: dict[int, list[str]] = {}
    erased_ids: list[int] = []
    for project in result.scalars():
        erased_ids.append(project.id)
        item = ErasedProject(project.reference)
        if project.owner_id is not None:
            owner = await session.get(Person, project.owner_id)
            item.owner_telegram_id = owner.telegram_id if owner is not None else None
        cards = await session.execute(
            select(ProjectCard).where(ProjectCard.project_id == project.id)
        )
        item.cards = [(card.chat_id, card.message_id) for card in cards.scalars()]
        cancelled = await reviews.cancel_open_reviews(session, project, now, reason)
        item.reviews_cancelled = len(cancelled)
        for review in cancelled:
            if review.assignee_id is not None and review.assignee_id != project.owner_id:
                references = reviewer_ids.setdefault(review.assignee_id, [])
                if project.reference and project.reference not in references:
                    references.append(project.reference)
        erasure.projects.append(item)
        if project.status == ProjectStatus.ROUTED:
            # Nobody can be reached for a dossier still waiting: it leaves the waiting lists.
            _close_erased(session, project, now)
        project.answers = {}
        await forget_exchange_notes(session, project.id)
        project.holder_id = None
        project.updated_at = now
        await session.execute(delete(ProjectCard).where(ProjectCard.project_id == project.id))
    for reviewer_id, references in reviewer_ids.items():
        reviewer = await session.get(Person, reviewer_id)
        if reviewer is not None and reviewer.telegram_id is not None:
            erasure.reviewers_told[reviewer.telegram_id] = references
    telegram_id = person.telegram_id
    # What they wrote to the team is theirs: the rows stay (the history says a message came).
    await session.execute(
        update(Event)
        .where(Event.actor_id == person.id, Event.kind == events.HOLDER_MESSAGE)
        .values(data={})
    )
    # The team's answers to them too: the rows stay, for the count of messages.
    await session.execute(
        update(Event)
        .where(Event.project_id.in_(erased_ids), Event.kind == events.RELAY_TO_HOLDER)
        .values(data={})
        .execution_options(synchronize_session=False)
    )
    await outbox.forget_holder_messages(session, erased_ids)
    await satisfaction.erase_comments(session, person.id)
    await session.execute(update(Event).where(Event.actor_id == person.id).values(actor_id=None))
    if telegram_id is not None:
        # A removed member's row stays (config.yaml may still list them), without their name.
        await session.execute(
            update(TeamMember)
            .where(TeamMember.telegram_id == telegram_id, TeamMember.removed_at.is_not(None))
            .values(name="", person_id=None)
        )
        await session.execute(
            delete(PersistedData).where(
                PersistedData.kind.in_(("user", "chat")), PersistedData.key == telegram_id
            )
        )
        await session.execute(
            delete(ConversationState).where(
                ConversationState.key == encode_conversation_key((telegram_id, telegram_id))
            )
        )
    await session.delete(person)
    events.record(session, events.DATA_ERASED, now, projects=len(erasure.projects), reason=reason)
    return erasure
