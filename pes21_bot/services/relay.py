"""The relay between a holder and whoever holds their dossier (issue 10).

A holder's message after submission goes to the dossier's owner, or while nobody holds it to the
programme's team; an answer (a Telegram reply to a relayed message, or the "Répondre" button, or a
message in the dossier's forum topic) goes back to the holder. Both are events of the dossier
(``holder_message`` and ``relay_to_holder``): who, when, which way, the text or the file id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.db.models import Event, OutboxMessage, Person, Project, RelayLink
from pes21_bot.domain.vocabulary import OPEN_STATUSES
from pes21_bot.services import events
from pes21_bot.services.people import find_person

# Outbox kinds: a holder's message to the team, an answer to the holder, a topic to close.
RELAY_IN, RELAY_OUT, CLOSE_TOPIC = "relay_in", "relay_out", "close_topic"
KINDS = ("text", "photo", "document", "voice", "contact")
HISTORY_SHOWN = 10


@dataclass(frozen=True)
class Relayed:
    """One message to pass on: its kind, text (or caption), file id, and where it was written."""

    kind: str
    text: str
    file_id: str | None
    chat_id: int
    message_id: int

    @property
    def copied(self) -> bool:
        """Whether it is passed on as a copy (a file) rather than as text."""
        return self.kind in ("photo", "document", "voice")

    def stored(self) -> dict[str, Any]:
        """What the event keeps of it."""
        data: dict[str, Any] = {"text": self.text, "media": self.kind}
        if self.file_id:
            data["file_id"] = self.file_id
        return data

    def payload(self) -> dict[str, Any]:
        """What the outbox row needs to send it (a copy of the original, for a file)."""
        return {"copy": [self.chat_id, self.message_id]} if self.copied else {}


async def linked_project(session: AsyncSession, chat_id: int, message_id: int) -> Project | None:
    """The dossier a relayed message (or a card) in this chat was about."""
    project_id = await session.scalar(
        select(RelayLink.project_id).where(
            RelayLink.chat_id == chat_id, RelayLink.message_id == message_id
        )
    )
    return await session.get(Project, project_id) if project_id else None


async def topic_project(session: AsyncSession, chat_id: int, thread_id: int) -> Project | None:
    """The dossier whose forum topic this is."""
    result = await session.execute(
        select(Project).where(Project.topic_chat_id == chat_id, Project.topic_id == thread_id)
    )
    return result.scalars().first()


def link(
    session: AsyncSession, project_id: int, chat_id: int, message_id: int, now: datetime
) -> None:
    """Remember a relayed message, so a reply to it finds its dossier."""
    session.add(
        RelayLink(project_id=project_id, chat_id=chat_id, message_id=message_id, created_at=now)
    )


def record_in(
    session: AsyncSession,
    project: Project,
    person: Person,
    message: Relayed,
    reader: str,
    now: datetime,
    edited: bool = False,
) -> Event:
    """Store a holder's message on the dossier (``reader``: who was told to read it; ``edited``:
    it corrects a message already passed on)."""
    extra: dict[str, Any] = {"edited": True} if edited else {}
    return _record(
        session,
        events.HOLDER_MESSAGE,
        project,
        person,
        now,
        reader=reader,
        **message.stored(),
        **extra,
    )


async def relayed_copies(
    session: AsyncSession, person: Person, chat_id: int, message_id: int
) -> list[OutboxMessage]:
    """The copies the team received of this message of a holder's (on their dossiers)."""
    result = await session.execute(
        select(OutboxMessage)
        .join(Project, Project.id == OutboxMessage.project_id)
        .where(OutboxMessage.kind == RELAY_IN, Project.holder_id == person.id)
        .order_by(OutboxMessage.id)
    )
    source = [chat_id, message_id]
    return [row for row in result.scalars() if row.payload.get("source") == source]


def record_out(
    session: AsyncSession, project: Project, sender: Person, message: Relayed, now: datetime
) -> Event:
    """Store an answer sent to the holder on the dossier."""
    return _record(session, events.RELAY_TO_HOLDER, project, sender, now, **message.stored())


def _record(
    session: AsyncSession, kind: str, project: Project, actor: Person, now: datetime, **data: Any
) -> Event:
    return events.record(
        session,
        kind,
        now,
        actor_id=actor.id,
        project_id=project.id,
        programme=project.programme,
        **data,
    )


def owner_reader(person_id: int) -> str:
    """The key naming the person who follows a dossier as its holder's reader."""
    return f"owner:{person_id}"


async def last_reader(session: AsyncSession, project_id: int) -> str | None:
    """Who the holder was last told reads their messages on this dossier (by the relay, or when
    the dossier was handed over)."""
    told = (events.HOLDER_MESSAGE, events.HANDED_OVER)
    result = await session.execute(
        select(Event.data)
        .where(Event.project_id == project_id, Event.kind.in_(told))
        .order_by(Event.occurred_at.desc(), Event.id.desc())
        .limit(1)
    )
    data = result.scalar_one_or_none()
    return str(data.get("reader")) if data and data.get("reader") else None


async def conversation(session: AsyncSession, project_id: int) -> tuple[int, list[Event]]:
    """How many messages went each way on the dossier, and the last ones (oldest first)."""
    kinds = (events.HOLDER_MESSAGE, events.RELAY_TO_HOLDER, events.RELAY_UNDELIVERED)
    where = (Event.project_id == project_id, Event.kind.in_(kinds))
    total = await session.scalar(select(func.count()).select_from(Event).where(*where))
    result = await session.execute(
        select(Event)
        .where(*where)
        .order_by(Event.occurred_at.desc(), Event.id.desc())
        .limit(HISTORY_SHOWN)
    )
    return int(total or 0), list(reversed(list(result.scalars())))


async def holder_of(session: AsyncSession, project: Project) -> Person | None:
    """The dossier's holder, while their data is kept and the dossier is open."""
    holder = await session.get(Person, project.holder_id) if project.holder_id else None
    if holder is None or holder.telegram_id is None or holder.erased_at is not None:
        return None
    return holder if project.status in OPEN_STATUSES else None


async def sender_person(
    session: AsyncSession, telegram_id: int, first_name: str, now: datetime
) -> Person:
    """The team member answering (a row is made for a member who never wrote privately)."""
    person = await find_person(session, telegram_id)
    if person is None:
        person = Person(
            telegram_id=telegram_id, first_name=first_name, created_at=now, last_seen_at=now
        )
        session.add(person)
        await session.flush()
    return person


def queue_topic_close(session: AsyncSession, project: Project, now: datetime) -> None:
    """A closed dossier closes its forum topic (sent by the outbox)."""
    if project.topic_id is None or project.topic_chat_id is None:
        return
    session.add(
        OutboxMessage(
            kind=CLOSE_TOPIC,
            chat_id=project.topic_chat_id,
            project_id=project.id,
            due_at=now,
            state="pending",
            attempts=0,
            created_at=now,
            payload={"thread": project.topic_id},
        )
    )
