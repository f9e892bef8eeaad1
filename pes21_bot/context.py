"""Typed shared state reachable from every handler through ContextTypes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import CallbackContext, ExtBot

from pes21_bot.clock import Clock
from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.db.session import SessionFactory, write_transaction

OutboxSender = Callable[[Any, Sequence[int]], Coroutine[Any, Any, int]]


class BotData:
    """Config, content, database and clock; PTB creates it empty, build_application fills it."""

    __slots__ = (
        "base_config",
        "clock",
        "config",
        "content",
        "outbox_sender",
        "session_factory",
        "topic_locks",
    )

    # config.yaml as written; `config` is it merged with the team changed by chat (services.team).
    base_config: Config
    config: Config
    content: Content
    session_factory: SessionFactory
    clock: Clock
    # Sends outbox rows by id (pes21_bot.jobs.outbox.deliver, set by schedule_jobs): the jobs
    # import the handlers, so handlers reach the sender through here.
    outbox_sender: OutboxSender | None
    # One forum topic per dossier: its creation is serialised per project (jobs/outbox.py).
    topic_locks: dict[int, asyncio.Lock]

    def setup(
        self, config: Config, content: Content, session_factory: SessionFactory, clock: Clock
    ) -> None:
        """Fill the shared state once, before the application starts."""
        self.base_config = config
        self.config = config
        self.content = content
        self.session_factory = session_factory
        self.clock = clock
        self.outbox_sender = None
        self.topic_locks = {}

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session for a change: commits on success, rolls back on error."""
        async with write_transaction(self.session_factory) as session:
            yield session


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
