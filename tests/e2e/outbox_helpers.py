"""Helpers for the outbox and cosmetic-fault tests: cards sent through the outbox, drained rows."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from pes21_bot.db.models import OutboxMessage, Project, ProjectCard
from pes21_bot.fake_telegram import BotMessage, FakeUser
from pes21_bot.jobs.outbox import deliver
from pes21_bot.services import outbox
from tests.harness import Harness

APOLOGY = "problème technique"


async def rows(bot: Harness) -> list[OutboxMessage]:
    """Every outbox row, oldest first."""
    async with bot.session_factory() as session:
        result = await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
        return list(result.scalars())


async def drained(bot: Harness, within: float = 5.0) -> None:
    """Wait until the background sends are over: no row is being sent or due now."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        now = bot.clock.now()
        busy = [
            r
            for r in await rows(bot)
            if r.state == outbox.SENDING or (r.state == outbox.PENDING and r.due_at <= now)
        ]
        if not busy:
            await bot.settle()
            return
        assert loop.time() < deadline, f"outbox rows still busy: {[(r.id, r.state) for r in busy]}"
        await asyncio.sleep(0.02)  # polling a condition, not waiting for time to pass


async def send_cards(bot: Harness, project: Project) -> None:
    """Queue the project's cards in the outbox and send them, as a submission does."""
    async with bot.session_factory.begin() as session:
        fresh = await session.get(Project, project.id)
        assert fresh is not None
        await outbox.add_cards(session, bot.config, fresh, bot.clock.now())
    assert bot.app is not None
    await deliver(bot.app)


async def cards(bot: Harness, project_id: int) -> list[ProjectCard]:
    """The recorded cards of a project."""
    async with bot.session_factory() as session:
        result = await session.execute(
            select(ProjectCard).where(ProjectCard.project_id == project_id)
        )
        return list(result.scalars())


def count(bot: Harness, user: FakeUser, contains: str) -> int:
    """How many bot messages in this chat contain a text (edits count once: the message)."""
    return sum(contains in (m.text or "") for m in bot.api.messages(user.id))


def apologies(bot: Harness, *users: FakeUser) -> list[BotMessage]:
    """Messages telling someone about a technical problem."""
    return [m for u in users for m in bot.api.messages(u.id) if APOLOGY in (m.text or "")]
