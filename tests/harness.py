"""A running bot against the in-process fake Bot API, on a real database, with a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from telegram.ext import Application

from pes21_bot.app import build_application
from pes21_bot.clock import FakeClock
from pes21_bot.concurrency import PerChatUpdateProcessor
from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.db.models import Event, Project
from pes21_bot.db.session import SessionFactory, make_engine, make_session_factory
from pes21_bot.fake_telegram import FakeBotApi, FakeRequest, FakeUser
from pes21_bot.fake_telegram.limits import Limits
from pes21_bot.heartbeat import Heartbeats

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
HOLDER_ID = 5001
OTHER_HOLDER_ID = 5002
UNPACED = 100_000  # messages a minute per person in tests (see Harness.start)


@dataclass
class Harness:
    """The bot under test and everything a test needs to drive and inspect it."""

    api: FakeBotApi
    config: Config
    content: Content
    db_url: str
    clock: FakeClock
    session_factory: SessionFactory
    app: Application | None = None
    heartbeats: Heartbeats | None = None
    rate_limiter: bool = True  # off where the pacing of sends only slows a test down
    local_mode: bool = False  # a self-hosted Bot API server run with --local

    async def start(self) -> None:
        """Build and start the application (real polling over the fake)."""
        app = build_application(
            self.config,
            self.content,
            self.session_factory,
            token=self.api.token,
            clock=self.clock,
            request=FakeRequest(self.api),
            get_updates_request=FakeRequest(self.api),
            heartbeats=self.heartbeats,
            rate_limiter=self.rate_limiter,
            local_mode=self.local_mode,
        )
        processor = app.update_processor
        if isinstance(processor, PerChatUpdateProcessor):
            # Tests play people far faster than anyone types: the per-person pace would drop
            # their steps; tests/e2e/test_fairness.py tries it on purpose.
            processor.pace = replace(processor.pace, per_person_per_minute=UNPACED)
        await app.initialize()
        if app.post_init is not None:  # run_polling would call it; we start by hand
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        self.app = app

    async def stop(self) -> None:
        """Stop polling and the application (like a clean shutdown)."""
        app = self.app
        if app is None:
            return
        assert app.updater is not None
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        self.app = None

    async def restart(self) -> None:
        """Stop and start again on the same database."""
        await self.stop()
        await self.start()

    def holder(self, user_id: int = HOLDER_ID, first_name: str = "Zoé") -> FakeUser:
        """A project holder (any Telegram user not in config)."""
        return self.api.user(user_id, first_name=first_name, last_name="Martin")

    def staff(self, name: str) -> FakeUser:
        """A staff member from config.yaml, by display name."""
        member = next(m for m in self.config.staff if m.name == name)
        return self.api.user(member.id, first_name=member.name)

    def admin(self) -> FakeUser:
        """The first admin of config.yaml."""
        member = self.config.admins[0]
        return self.api.user(member.id, first_name=member.name)

    async def settle(self) -> None:
        """Wait until the bot fetched every update sent so far."""
        await self.api.wait_idle()

    async def button_answer(self, update: dict[str, Any], timeout: float = 5.0) -> str:  # noqa: ASYNC109
        """Wait for the bot's answer to a button press (the little toast) and return its text."""
        query_id = update["callback_query"]["id"]
        answers = self.api.callback_answers
        await self.until(lambda: query_id in answers, f"an answer to {update['callback_query']}")
        return str(answers[query_id].get("text") or "")

    async def until(self, condition: Callable[[], bool], what: str, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot's calls make `condition` true (checked after each call)."""
        reached = await self.api._calls_signal.wait_until(condition, timeout)
        assert reached, f"still waiting for {what} after {timeout}s"

    async def count_events(self, kind: str) -> int:
        """How many events of a kind are stored."""
        async with self.session_factory() as session:
            result = await session.execute(
                select(func.count()).select_from(Event).where(Event.kind == kind)
            )
            return int(result.scalar_one())

    async def projects(self) -> list[Project]:
        """Every project row, oldest first."""
        async with self.session_factory() as session:
            result = await session.execute(select(Project).order_by(Project.id))
            return list(result.scalars())


def make_api() -> FakeBotApi:
    """The fake Bot API used by end-to-end tests."""
    # Private chats get a generous bucket so conversations run at test speed; the 429 path is
    # exercised on purpose with inject_fault and by the reminder benchmark.
    limits = Limits(private_chat_rate=20.0, private_chat_burst=20)
    return FakeBotApi(token="123456:TEST-TOKEN", bot_username="pes21_test_bot", limits=limits)


@asynccontextmanager
async def running_bot(
    config: Config,
    content: Content,
    db_url: str,
    clock: FakeClock,
    api: FakeBotApi | None = None,
    rate_limiter: bool = True,
) -> AsyncIterator[Harness]:
    """A started bot on its database; stopped and disposed of afterwards."""
    engine = make_engine(db_url)
    harness = Harness(
        api=api or make_api(),
        config=config,
        content=content,
        db_url=db_url,
        clock=clock,
        session_factory=make_session_factory(engine),
        rate_limiter=rate_limiter,
    )
    # Staff and admins have opened a chat with the bot, as they would before their first card.
    for member in [*config.staff, *config.admins]:
        harness.api.user(member.id, first_name=member.name)
    try:
        await harness.start()
        yield harness
    finally:
        await harness.stop()
        await engine.dispose()
