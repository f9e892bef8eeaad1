"""Helpers for the volunteer, accompaniment and reminder tests: seeded rows and common flows."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from pes21_bot.db.models import Event, Person, Project, Reminder, Review, TeamMember, Volunteer
from pes21_bot.fake_telegram import FakeUser
from pes21_bot.jobs import dispatch_due_reminders, run_reminders
from pes21_bot.jobs.dispatcher import DispatchReport
from pes21_bot.services import accompaniment, intake, projects, reviews
from pes21_bot.services.people import Role, UserInfo, ensure_person
from tests.harness import HOLDER_ID, Harness

IDEA_ANSWERS: dict[str, Any] = {
    "name": "Zoé Martin",
    "email": "zoe@example.org",
    "phone": "+33612345678",
    "postal_code": "21000",
    "commune": "Dijon",
    "idea": "Une recyclerie solidaire qui emploie des personnes éloignées de l'emploi.",
    "sector": "environment",
    "stage": "structuring",
    "team_size": 3,
    "legal_form": "scop",
    "needs": ["funding"],
    "jobs": 2,
    "time": "full_time",
}
DLA_ANSWERS: dict[str, Any] = {
    "structure_name": "La Ressourcerie",
    "name": "Zoé Martin, présidente",
    "email": "zoe@example.org",
    "phone": "+33612345678",
    "postal_code": "21000",
    "commune": "Dijon",
    "structure_type": "association",
    "employees": 12,
    "need": "Structurer la fonction employeur.",
}
CAMILLE, KARIM, LEA = 2001, 2002, 2003


def stop_jobs(harness: Harness) -> None:
    """Tests run the reminder job by hand, after moving the fake clock."""
    assert harness.app is not None and harness.app.job_queue is not None
    for job in harness.app.job_queue.jobs():
        job.schedule_removal()


async def dispatch(harness: Harness) -> DispatchReport:
    """One run of the reminder dispatcher, as the every-minute job does it."""
    assert harness.app is not None
    return await dispatch_due_reminders(harness.app)


async def seed_project(
    harness: Harness,
    path: str = "idea",
    holder_id: int = HOLDER_ID,
    owner_id: int | None = CAMILLE,
    answers: dict[str, Any] | None = None,
) -> Project:
    """A submitted (routed) project, claimed by a staff member unless owner_id is None."""
    now = harness.clock.now()
    async with harness.session_factory.begin() as session:
        project = await intake.begin(session, UserInfo(holder_id, "Zoé", "Martin"), path, None, now)
        project.answers = dict(answers or (IDEA_ANSWERS if path == "idea" else DLA_ANSWERS))
        await intake.submit(session, project, harness.config, now)
        if owner_id is not None:
            await projects.claim(session, project.id, UserInfo(owner_id, "Staff"), now)
    async with harness.session_factory() as session:
        fresh = await session.get(Project, project.id)
        assert fresh is not None
        return fresh


async def seed_volunteer(
    harness: Harness,
    telegram_id: int,
    first_name: str,
    missions: tuple[str, ...] = ("reviews",),
    paused_until: date | None = None,
) -> Person:
    """An enrolled volunteer (the user is also created in the fake Bot API)."""
    harness.api.user(telegram_id, first_name=first_name)
    now = harness.clock.now()
    async with harness.session_factory.begin() as session:
        person = await ensure_person(session, UserInfo(telegram_id, first_name), now)
        person.role = Role.VOLUNTEER.value
        session.add(
            Volunteer(
                person_id=person.id,
                missions=list(missions),
                days=[],
                paused_until=paused_until,
                setup_done=True,
                enrolled_at=now,
                last_activity_at=now,
            )
        )
    return person


async def end_by_service(harness: Harness, project: Project, ended_on: date) -> list[Review]:
    """Start and end an accompaniment without the chat (for reminder tests)."""
    now = harness.clock.now()
    staff = UserInfo(CAMILLE, "Camille")
    async with harness.session_factory.begin() as session:
        fresh = await session.get(Project, project.id)
        assert fresh is not None
        await accompaniment.start(session, fresh, staff, ended_on - timedelta(days=60), now)
        answers = {"outcome": "paused", "ended_on": ended_on.isoformat()}
        scheduled = await accompaniment.end(session, harness.config, fresh, answers, staff, now)
        assert scheduled is not None
        return scheduled


def team_row(
    telegram_id: int,
    name: str,
    programmes: list[str],
    at: datetime,
    *,
    coordinates: list[str] | None = None,
    removed: bool = False,
) -> TeamMember:
    """A team row as /rejoindre or /equipe leave it."""
    return TeamMember(
        telegram_id=telegram_id,
        name=name,
        programmes=programmes,
        coordinates=coordinates or [],
        joined_at=at,
        updated_at=at,
        removed_at=at if removed else None,
    )


async def rows(harness: Harness, model: Any, *where: Any) -> list[Any]:
    """Rows of a model, by id."""
    async with harness.session_factory() as session:
        result = await session.execute(select(model).where(*where).order_by(model.id))
        return list(result.scalars())


async def events_of(harness: Harness, kind: str) -> list[Event]:
    """Events of one kind, oldest first."""
    return await rows(harness, Event, Event.kind == kind)


async def reminders_of(harness: Harness, *where: Any) -> list[Reminder]:
    """Reminder rows matching conditions."""
    return await rows(harness, Reminder, *where)


async def review(harness: Harness, review_id: int) -> Review:
    """A review, fresh from the database."""
    async with harness.session_factory() as session:
        found = await reviews.get_review(session, review_id)
        assert found is not None
        return found


PARIS = ZoneInfo("Europe/Paris")


def paris_2026(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Paris wall-clock moment of 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS)


async def tick(harness: Harness) -> None:
    """One run of the reminder job (planning, then sending), and its sends delivered."""
    assert harness.app is not None
    await run_reminders(harness.app)
    await harness.settle()


def travel(harness: Harness, moment: datetime) -> None:
    """Move the fake clock (never backwards)."""
    assert moment >= harness.clock.now()
    harness.clock.set(moment)


async def invite_code(harness: Harness) -> str:
    """An admin creates an invitation code through the bot; returns the code shown once."""
    admin = harness.admin()
    admin.send_command("/invitation", "benevole")
    shown = await admin.expect("code d'invitation")
    match = re.search(r"\b([A-Z0-9]{5}-[A-Z0-9]{5})\b", shown.text or "")
    assert match is not None, shown.text
    return match.group(1)


async def enrol(harness: Harness, user: FakeUser, missions: list[str]) -> None:
    """/rejoindre with a fresh code, tick missions, no day preference."""
    code = await invite_code(harness)
    user.send_command("/rejoindre", code)
    await user.expect("Bienvenue parmi les bénévoles")
    await user.expect("Quelles missions")
    for label in missions:
        user.press(label)
        await user.next_message()  # the same question, with the tick
    user.press("✔️ Valider")
    await user.expect("Quels jours")
    user.press("Passer")
    await user.expect("C'est noté, merci")
