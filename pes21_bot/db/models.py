"""SQLAlchemy 2 declarative models; every timestamp is stored in UTC."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pes21_bot.domain.vocabulary import ProjectStatus, ReviewState

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC; SQLite returns naive values, we re-attach UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes and normalise to UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations get stable constraint names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class Person(Base):
    """Someone who wrote to the bot (holder, volunteer) or a configured staff/admin member."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    first_name: Mapped[str | None] = mapped_column(String(200))
    last_name: Mapped[str | None] = mapped_column(String(200))
    username: Mapped[str | None] = mapped_column(String(100))
    # "holder" or "volunteer"; staff and admins come from config.yaml and keep "holder" here.
    role: Mapped[str] = mapped_column(String(20), default="holder")
    source: Mapped[str | None] = mapped_column(String(64))
    consent: Mapped[str | None] = mapped_column(String(20))  # None, "given", "refused"
    consent_at: Mapped[datetime | None]
    unreachable_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    # When the admins were told this person's data would soon reach the retention period.
    retention_notice_at: Mapped[datetime | None]


class Project(Base):
    """A project file: a draft while the intake runs, then a routed and followed project."""

    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_projects_year_seq"),
        Index("ix_projects_status_programme", "status", "programme"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    year: Mapped[int | None]
    seq: Mapped[int | None]
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    path: Mapped[str] = mapped_column(
        String(30)
    )  # questionnaire: idea, dla, local_authority, crdva
    status: Mapped[str] = mapped_column(String(20), default=ProjectStatus.DRAFT.value)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    programme: Mapped[str | None] = mapped_column(String(40), index=True)
    score: Mapped[int | None]
    criteria: Mapped[list[Any] | None]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # Non-personal attributes kept after erasure, for the yearly figures.
    sector: Mapped[str | None] = mapped_column(String(60))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    commune: Mapped[str | None] = mapped_column(String(120))
    in_cote_dor: Mapped[bool | None] = mapped_column(Boolean)
    source: Mapped[str | None] = mapped_column(String(64))
    close_reason: Mapped[str | None] = mapped_column(String(40))
    # The staff member who records this dossier on someone's behalf (/nouveau_dossier): while a
    # draft, it is theirs to fill in, apart from any dossier of their own as a holder.
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    claimed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    # The dossier's topic in its programme's forum group (message_thread_id), once created.
    topic_id: Mapped[int | None] = mapped_column(BigInteger)
    topic_chat_id: Mapped[int | None] = mapped_column(BigInteger)


class RelayLink(Base):
    """A message the bot relayed about a dossier, so a Telegram reply to it finds the dossier."""

    __tablename__ = "relay_links"
    __table_args__ = (UniqueConstraint("chat_id", "message_id", name="uq_relay_links_message"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class ProjectCard(Base):
    """A project card sent to a staff member or group, kept so every copy can be updated."""

    __tablename__ = "project_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    programme: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[datetime]


class Event(Base):
    """One recorded interaction; the yearly figures are SQL aggregates over these rows."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_kind_occurred_at", "kind", "occurred_at"),
        Index("ix_events_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    programme: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Review(Base):
    """A post-accompaniment review (bilan) due some months after an accompaniment ends."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    number: Mapped[int]
    due_at: Mapped[datetime] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(20), default=ReviewState.OPEN.value)
    done_at: Mapped[datetime | None]
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # DLA routing proposed by a review: None, "pending", "accepted" or "declined".
    dla_state: Mapped[str | None] = mapped_column(String(20))


class Reminder(Base):
    """A durable scheduled message: claimed before sending so no two processes send it twice."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_state_due_at", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    # A chat that is not a person row (a staff member from config.yaml, a programme's group).
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    # Rows planned by the periodic scan carry a key, so two processes never plan one twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OutboxMessage(Base):
    """A message that follows a state change: written in the change's transaction, sent after.

    ``kind`` "card" is a staff card rendered at sending time from the project; any other kind
    carries its text and buttons in ``payload``. ``message_id`` is the delivered message.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_due_at", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Invitation(Base):
    """A one-time enrolment code; only its hash is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(128), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None]
    # Staff invitations: the programmes the person will handle.
    programmes: Mapped[list[Any] | None]


class LinkCode(Base):
    """A one-time code that gives a dossier recorded by staff to its holder's Telegram account.

    Only its hash is stored.
    """

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(128), unique=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None]


class TeamMember(Base):
    """A staff member who joined by chat, or a config.yaml member changed by chat (it wins)."""

    __tablename__ = "team_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(100))
    programmes: Mapped[list[Any]] = mapped_column(default=list)
    # Programmes this member coordinates (escalations go to them).
    coordinates: Mapped[list[Any]] = mapped_column(default=list)
    joined_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]


class Volunteer(Base):
    """An enrolled volunteer: missions, available days, pause; the person row holds the rest."""

    __tablename__ = "volunteers"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    missions: Mapped[list[Any]] = mapped_column(default=list)
    days: Mapped[list[Any]] = mapped_column(default=list)
    paused_until: Mapped[date | None] = mapped_column(Date)
    setup_done: Mapped[bool] = mapped_column(Boolean, default=False)
    enrolled_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime]


class CodeAttempt(Base):
    """A wrong invitation code typed by someone, to block guessing; purged after a day."""

    __tablename__ = "code_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    attempted_at: Mapped[datetime]


class Accompaniment(Base):
    """The accompaniment of a claimed project by staff, with its outcome once ended."""

    __tablename__ = "accompaniments"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(30))
    # Outcome details: legal_form, structure_name, created_on and the lines of jobs
    # (domain/jobs.py: jobs_count, jobs_contract, jobs_time, jobs_more, jobs2_count...).
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class FormDraft(Base):
    """A short form being filled in by chat (a review, an accompaniment step); one per person."""

    __tablename__ = "form_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int | None]
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AgendaEvent(Base):
    """A workshop, training or other event of the Pôle's agenda (not the event log above)."""

    __tablename__ = "agenda_events"
    __table_args__ = (Index("ix_agenda_events_state_starts_at", "state", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable key of the contenus/agenda.yaml seed and of imported rows: importing twice is a no-op.
    external_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))  # config.yaml events.kinds
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(300))  # an address or a visio link
    details: Mapped[str | None] = mapped_column(String(1000))
    capacity: Mapped[int | None]  # None: no limit
    audience: Mapped[str] = mapped_column(String(20))  # holders, volunteers, everyone
    run_by_pole: Mapped[bool] = mapped_column(Boolean, default=True)
    partner: Mapped[str | None] = mapped_column(String(120))  # trainings: the organisation
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(20), default="scheduled")  # held, cancelled
    # Places taken; raised by one conditional UPDATE, so two presses never take the last twice.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    walk_ins: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    held_at: Mapped[datetime | None]


class Registration(Base):
    """Someone's registration to an agenda event; a waiting one has a position in the queue."""

    __tablename__ = "agenda_registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "person_id", name="uq_agenda_registrations_event_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_events.id", ondelete="CASCADE"), index=True
    )
    # None once the person erased their data: the registration still counts, anonymously.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # registered, waiting, cancelled, attended, absent
    state: Mapped[str] = mapped_column(String(20))
    position: Mapped[int | None]  # order of the waiting list
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ImportedRow(Base):
    """A row of an /import file already imported, by its stable key: importing twice is a no-op."""

    __tablename__ = "imported_rows"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    # "<sheet>:<the row's key column>" for dossiers and events, else a hash of the row's
    # identifying columns (domain/imports.py row_key).
    key: Mapped[str] = mapped_column(String(120), unique=True)
    sheet: Mapped[str] = mapped_column(String(20))
    # The dossier a "dossiers" row created (the other sheets find their dossier through it).
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime]


# PTB's conversation key (chat and user ids), stored as JSON text in ConversationState.key.
ConversationKey = tuple[int | str, ...]
MAX_CONVERSATION_KEY_LENGTH = 200


def encode_conversation_key(key: ConversationKey) -> str:
    """Return the stored text of a PTB conversation key, e.g. ``[123, 456]``."""
    text = json.dumps(list(key))
    if len(text) > MAX_CONVERSATION_KEY_LENGTH:
        raise ValueError(f"conversation key longer than {MAX_CONVERSATION_KEY_LENGTH} characters")
    return text


def decode_conversation_key(text: str) -> ConversationKey:
    """Return the PTB tuple key stored as ``text``."""
    return tuple(json.loads(text))


class ConversationState(Base):
    """PTB conversation state, one row per (conversation, key)."""

    __tablename__ = "ptb_conversations"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[Any] = mapped_column(JSON)


class PersistedData(Base):
    """PTB user, chat, bot and callback data as JSON documents."""

    __tablename__ = "ptb_data"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # user, chat, bot, callback
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    data: Mapped[Any] = mapped_column(JSON)


class OrientationProposal(Base):
    """A welcoming volunteer's proposed orientation of an early project, until staff decide."""

    __tablename__ = "orientation_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # "redirect" (to programme), "emergence" (an Émergence workshop) or "close" (with reason).
    choice: Mapped[str] = mapped_column(String(20))
    programme: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(String(30))
    # "pending", then "accepted" or "refused" by one conditional UPDATE.
    state: Mapped[str] = mapped_column(String(20), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class AnswerMessage(Base):
    """Which typed message answered which question of a form draft, so that editing the message
    later updates that answer (never the question asked at the time of the edit)."""

    __tablename__ = "answer_messages"
    __table_args__ = (UniqueConstraint("chat_id", "message_id", name="uq_answer_messages_message"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    # The form kind (its answer family's prefix: "a" intake, "fa" short forms, "na" recorded)
    # and its draft's id (a project, or a form draft); no foreign key across the two tables.
    form: Mapped[str] = mapped_column(String(8))
    draft_id: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
