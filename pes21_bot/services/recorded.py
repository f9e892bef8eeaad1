"""Dossiers recorded outside the chat: on someone's behalf, by staff or by an import.

A phone call, an e-mail, a stand or a partner's referral becomes a dossier like one sent by chat:
the same scoring, routing and events (:func:`pes21_bot.services.intake.submit`), dated at the
real first contact, with the recording's date and author in the events' data. The holder is a
person without a Telegram account until they link the dossier with a one-time code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.db.models import CodeAttempt, Event, LinkCode, Person, Project
from pes21_bot.domain.real_dates import real_moment
from pes21_bot.domain.vocabulary import ProjectStatus
from pes21_bot.services import events, intake
from pes21_bot.services.people import Role, UserInfo, find_person
from pes21_bot.services.volunteers import (
    ATTEMPTS_KEPT,
    hash_code,
    lock_until,
    new_code,
)

# How the person reached the Pôle (contenus/: recorded.sources); "partenaire" names the partner.
SOURCES = ("telephone", "email", "permanence", "salon", "partenaire")
PARTNER = "partenaire"
PARTNER_MAX = 120
LINK_CODE_LENGTH = 8  # 40 bits from a 31-letter alphabet, read aloud on the phone
LINK_CODE_DAYS = 30


@dataclass(frozen=True)
class Origin:
    """Where a dossier recorded outside the chat comes from, and the consent given orally.

    `first_contact`: the real date of the first contact (None: the recording's day).
    `consent_on`: the day the person consented orally (None: the first contact's day).
    """

    source: str
    partner: str | None = None
    first_contact: date | None = None
    consent_on: date | None = None


async def current_draft(session: AsyncSession, recorder_id: int) -> Project | None:
    """The dossier this staff member is recording and has not sent yet (never one of their own)."""
    result = await session.execute(
        select(Project)
        .where(Project.recorded_by_id == recorder_id, Project.status == ProjectStatus.DRAFT)
        .order_by(Project.id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def open_draft(session: AsyncSession, recorder_id: int, path: str, now: datetime) -> Project:
    """Start recording a dossier of this path (an unsent one of another path is dropped)."""
    existing = await current_draft(session, recorder_id)
    if existing is not None and existing.path == path:
        return existing
    if existing is not None:
        await drop_draft(session, existing, now)
    project = Project(
        path=path,
        status=ProjectStatus.DRAFT,
        answers={},
        recorded_by_id=recorder_id,
        created_at=now,
        updated_at=now,
    )
    session.add(project)
    await session.flush()
    return project


async def drop_draft(session: AsyncSession, project: Project, now: datetime) -> None:
    """Give up a dossier being recorded; nothing is counted, since nobody started an intake."""
    project.status = ProjectStatus.ABANDONED
    project.answers = {}
    project.closed_at = now
    project.updated_at = now


async def record_dossier(
    session: AsyncSession,
    config: Config,
    *,
    path: str,
    answers: dict[str, Any],
    origin: Origin,
    recorder_id: int | None,
    now: datetime,
    draft: Project | None = None,
) -> intake.Submission:
    """Create a dossier on someone's behalf, scored and routed like one sent by chat.

    `answers`: the questionnaire's answers of `path` (name, e-mail or phone...). `recorder_id`:
    the person row of the staff member (the oral consent's witness) or of the importing admin.
    `draft`: the Project being filled in by chat (/nouveau_dossier); None creates it. The
    holder is a new person without a Telegram account. Events are dated at the first contact
    (consent at its own day), with `recorded_at` (ISO) and `recorded_by` in their data. The
    caller queues the staff cards (messages/delivery.queue_cards) in the same transaction.
    An `origin.source` outside SOURCES is a ValueError (the caller checks what people typed).
    """
    if origin.source not in SOURCES:
        raise ValueError(f"unknown source of a recorded dossier: {origin.source!r}")
    first = real_moment(origin.first_contact, now, config.tz)
    consented = real_moment(origin.consent_on or origin.first_contact, now, config.tz)
    name = answers.get("name")
    holder = Person(
        telegram_id=None,
        first_name=str(name)[:200] if name else None,
        role=Role.HOLDER.value,
        source=origin.source,
        consent="given",
        consent_at=consented,
        created_at=now,
        last_seen_at=now,
    )
    session.add(holder)
    await session.flush()
    project = draft
    if project is None:
        project = Project(path=path, status=ProjectStatus.DRAFT, created_at=now, updated_at=now)
        session.add(project)
    project.holder_id = holder.id
    project.path = path
    project.answers = dict(answers)
    project.source = origin.source
    project.recorded_by_id = recorder_id
    await session.flush()
    recorded: dict[str, Any] = {"recorded_at": now.isoformat(), "recorded_by": recorder_id}
    if origin.partner:
        recorded["partner"] = origin.partner[:PARTNER_MAX]
    events.record(
        session,
        events.CONSENT_GIVEN,
        consented,
        actor_id=holder.id,
        path=path,
        oral=True,
        witness_id=recorder_id,
        recorded_at=recorded["recorded_at"],
    )
    events.record(
        session,
        events.INTAKE_STARTED,
        first,
        actor_id=holder.id,
        project_id=project.id,
        path=path,
        **recorded,
    )
    submission = await intake.submit(session, project, config, first, extra=recorded)
    # The team can act from the recording on: claim delays and reminders count from it.
    project.submitted_at = now
    project.updated_at = now
    return submission


async def create_link_code(
    session: AsyncSession, project_id: int, created_by_id: int | None, now: datetime
) -> tuple[str, datetime]:
    """A one-time code that links this dossier to its holder's Telegram; older codes stop.

    Returns the code (only its hash is stored) and when it expires.
    """
    await session.execute(
        update(LinkCode)
        .where(LinkCode.project_id == project_id, LinkCode.used_at.is_(None))
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    code = new_code(LINK_CODE_LENGTH)
    expires = now + timedelta(days=LINK_CODE_DAYS)
    session.add(
        LinkCode(
            code_hash=hash_code(code),
            project_id=project_id,
            created_by_id=created_by_id,
            created_at=now,
            expires_at=expires,
        )
    )
    await session.flush()
    return code, expires


async def awaits_link(session: AsyncSession, project: Project) -> bool:
    """Whether this dossier was recorded by staff for someone not linked to Telegram yet."""
    if project.recorded_by_id is None or project.holder_id is None:
        return False
    holder = await session.get(Person, project.holder_id)
    return holder is not None and holder.telegram_id is None and holder.erased_at is None


async def first_contact(session: AsyncSession, project: Project) -> datetime | None:
    """The first contact's day of a dossier recorded by staff (its intake event is dated then;
    submitted_at is the recording's moment); None for a dossier sent by its holder."""
    if project.recorded_by_id is None:
        return None
    found = await session.scalar(
        select(func.min(Event.occurred_at)).where(
            Event.project_id == project.id, Event.kind == events.INTAKE_STARTED
        )
    )
    return found if isinstance(found, datetime) else None


async def renew_link_code(
    session: AsyncSession, project: Project, created_by_id: int | None, now: datetime
) -> tuple[str, datetime] | None:
    """A new code for a dossier still waiting for its holder (the previous one stops); else None."""
    if not await awaits_link(session, project):
        return None
    return await create_link_code(session, project.id, created_by_id, now)


class Linked(StrEnum):
    """How a /lier attempt ended."""

    LINKED = "linked"
    REFUSED = "refused"  # wrong, expired or already used
    LOCKED = "locked"  # too many wrong codes lately


@dataclass(frozen=True)
class LinkResult:
    """The outcome, the dossier once linked, and until when a locked user must wait."""

    status: Linked
    project: Project | None = None
    locked_until: datetime | None = None


async def _refuse(
    session: AsyncSession, config: Config, telegram_id: int, now: datetime
) -> LinkResult:
    # Wrong codes share the counter of the invitation codes: guessing is guessing.
    session.add(CodeAttempt(telegram_id=telegram_id, attempted_at=now))
    await session.flush()
    until = await lock_until(session, config, telegram_id, now)
    return LinkResult(Linked.REFUSED, locked_until=until)


async def redeem_link_code(
    session: AsyncSession, config: Config, user: UserInfo, code: str, now: datetime
) -> LinkResult:
    """Give the sender the dossier of a valid code; wrong codes are counted and can block."""
    await session.execute(delete(CodeAttempt).where(CodeAttempt.attempted_at < now - ATTEMPTS_KEPT))
    until = await lock_until(session, config, user.telegram_id, now)
    if until is not None:
        return LinkResult(Linked.LOCKED, locked_until=until)
    found = await session.execute(
        select(LinkCode, Project, Person)
        .join(Project, Project.id == LinkCode.project_id)
        .join(Person, Person.id == Project.holder_id)
        .where(
            LinkCode.code_hash == hash_code(code),
            LinkCode.used_at.is_(None),
            LinkCode.expires_at > now,
            Person.telegram_id.is_(None),
            Person.erased_at.is_(None),
        )
    )
    row = found.one_or_none()
    if row is None:
        return await _refuse(session, config, user.telegram_id, now)
    link, project, placeholder = row
    person = await find_person(session, user.telegram_id)
    used = await session.execute(
        update(LinkCode)
        .where(LinkCode.id == link.id, LinkCode.used_at.is_(None))
        .values(used_at=now, used_by_id=person.id if person else placeholder.id)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        return await _refuse(session, config, user.telegram_id, now)
    if person is None:
        person = placeholder
        person.telegram_id = user.telegram_id
    else:
        await _merge(session, placeholder, person)
        project.holder_id = person.id
    person.first_name = user.first_name or person.first_name
    person.last_name = user.last_name or person.last_name
    person.username = user.username
    person.last_seen_at = now
    await session.flush()
    events.record(
        session,
        events.DOSSIER_LINKED,
        now,
        actor_id=person.id,
        project_id=project.id,
        programme=project.programme,
    )
    return LinkResult(Linked.LINKED, project)


async def _merge(session: AsyncSession, placeholder: Person, person: Person) -> None:
    """The person already wrote to the bot: their row takes the recorded person's dossiers."""
    for model, column in ((Project, Project.holder_id), (Event, Event.actor_id)):
        await session.execute(
            update(model)
            .where(column == placeholder.id)
            .values({column.key: person.id})
            .execution_options(synchronize_session=False)
        )
    if person.consent != "given":
        person.consent = "given"
        person.consent_at = placeholder.consent_at
    if not person.source:
        person.source = placeholder.source
    await session.delete(placeholder)
