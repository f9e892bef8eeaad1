"""Agenda tests: events seeded straight in the database, and the registration presses."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from pes21_bot.db.models import AgendaEvent, Registration
from pes21_bot.fake_telegram import FakeUser
from pes21_bot.fake_telegram.models import BotMessage
from pes21_bot.services import agenda
from tests.harness import Harness

# 20/03/2026 14:30 in Dijon (UTC+1 in March).
TRAINING_AT = datetime(2026, 3, 20, 13, 30, tzinfo=UTC)


async def seed_event(
    bot: Harness,
    title: str = "Atelier Émergence de mars",
    *,
    kind: str = "emergence",
    capacity: int | None = 1,
    audience: str = agenda.EVERYONE,
    at: datetime = TRAINING_AT,
) -> AgendaEvent:
    """An event created in the database, as /atelier would."""
    new = agenda.NewEvent(
        kind=kind,
        title=title,
        starts_at=at,
        place="Pôle ESS 21, Dijon",
        capacity=capacity,
        audience=audience,
        run_by_pole=True,
    )
    async with bot.session_factory() as session, session.begin():
        event = agenda.add_event(session, new, None, bot.clock.now())
    return event


async def open_agenda(user: FakeUser, title: str) -> BotMessage:
    """/agenda, until the event shows."""
    user.send_command("/agenda")
    return await user.expect(title)


async def registrations(bot: Harness, event_id: int) -> dict[int | None, str]:
    """State of each registration of an event, by person id."""
    async with bot.session_factory() as session:
        rows = await session.execute(
            select(Registration.person_id, Registration.state).where(
                Registration.event_id == event_id
            )
        )
        return {person_id: state for person_id, state in rows.all()}


async def seats_taken(bot: Harness, event_id: int) -> int:
    """The event's counter of places taken."""
    async with bot.session_factory() as session:
        event = await session.get(AgendaEvent, event_id)
        assert event is not None
        return event.seats_taken
