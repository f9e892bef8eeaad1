"""Engine and session factory."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from pes21_bot.db.inline_sqlite import inline_connector

SessionFactory = async_sessionmaker[AsyncSession]

# Settings of the bot's PostgreSQL sessions, for the statistics on a large events table:
# - no JIT: it compiles a plan once its estimated cost is high, 15 ms for a 40 ms query;
# - random reads priced as on an SSD with the data in cache (the default prices a spinning
#   disk), so that the planner looks up a year's projects by index instead of hashing them all.
# Together: one year's /stats figures on 1,000,000 events from 680 to 335 ms (bench/stats.py).
PG_SETTINGS = {"jit": "off", "random_page_cost": "1.1"}
WRITE_OPTION = "pes21_write"


def make_engine(url: str) -> AsyncEngine:
    """Create the async engine; SQLite gets its folder, foreign keys and WAL.

    Both backends hide bound parameters from error messages: they hold names and phone numbers,
    and an IntegrityError is logged with its statement.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            async_creator=inline_connector(parsed.database or ":memory:", timeout=30),
            hide_parameters=True,
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
            # The driver must not open transactions itself: _begin does it.
            dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
            cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(connection: Connection) -> None:
            # A write transaction takes the write lock up front: a deferred one that read before
            # another connection committed could not write any more (SQLITE_BUSY, no waiting).
            # Read-only sessions stay deferred so they never queue behind writers.
            immediate = connection.get_execution_options().get(WRITE_OPTION)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_async_engine(
        url,
        pool_pre_ping=True,
        connect_args={"server_settings": PG_SETTINGS},
        hide_parameters=True,
    )


def make_session_factory(engine: AsyncEngine) -> SessionFactory:
    """Return the session factory used by every service call."""
    return async_sessionmaker(engine, expire_on_commit=False)


_SQLITE_WRITERS: weakref.WeakKeyDictionary[Engine, asyncio.Lock] = weakref.WeakKeyDictionary()


def _writer_lock(factory: SessionFactory) -> asyncio.Lock | None:
    """One lock per SQLite engine: this process's writers queue here, not in SQLite's busy loop.

    SQLite has a single writer; when connections collide its busy handler sleeps (up to 100 ms
    a time), and statements run on the loop's thread (db/inline_sqlite.py), so that would stall
    the whole bot. Queuing in asyncio instead costs nothing. Other processes on the same file
    still fall back on the busy timeout.
    """
    bind = factory.kw.get("bind")
    if not isinstance(bind, AsyncEngine) or bind.dialect.name != "sqlite":
        return None
    engine = bind.sync_engine
    if engine not in _SQLITE_WRITERS:
        _SQLITE_WRITERS[engine] = asyncio.Lock()
    return _SQLITE_WRITERS[engine]


@asynccontextmanager
async def write_transaction(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """A session for a change: SQLite's write lock is taken at BEGIN; commits on success."""
    lock = _writer_lock(factory)
    async with lock if lock is not None else contextlib.nullcontext(), factory() as session:
        await session.connection(execution_options={WRITE_OPTION: True})
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
