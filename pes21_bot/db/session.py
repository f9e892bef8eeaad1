"""Engine and session factory."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from pes21_bot.db.inline_sqlite import inline_connector

SessionFactory = async_sessionmaker[AsyncSession]
T = TypeVar("T")

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


# Exports, statistics and charts: at most two at a time, each on its own thread.
_READERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pes21-reader")
# While a reader thread computes, the loop's thread waits for the GIL each time it comes back
# from a socket or a SQLite call: up to Python's switch interval (5 ms), several times per
# answer. 1 ms keeps holders' answer times close to idle (bench/isolation.py); with a single
# thread running, as most of the time, the interval changes nothing.
READER_SWITCH_INTERVAL = 0.001


def _read_only_engine(url: str) -> AsyncEngine:
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _query_only(dbapi_connection: object, _record: object) -> None:
            cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
            cursor.execute("PRAGMA query_only=ON")
            cursor.close()

    return engine


def _read_in_thread(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = _read_only_engine(url)
        try:
            async with make_session_factory(engine)() as session:
                if engine.dialect.name == "postgresql":
                    await session.execute(text("SET TRANSACTION READ ONLY"))
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


async def read_apart(factory: SessionFactory, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run a long read (and what it builds) on a thread with its own engine, off the bot's loop.

    Its statements and its Python work (rows, workbook, chart) run there with their own event
    loop and a read-only connection, so the bot keeps answering everyone meanwhile. `work` must
    only use its session and plain data, never the bot. An in-memory SQLite database exists in
    one connection only: there `work` runs on the bot's own session.
    """
    bind = factory.kw.get("bind")
    assert isinstance(bind, AsyncEngine)
    url = bind.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        async with factory() as session:
            return await work(session)
    if sys.getswitchinterval() > READER_SWITCH_INTERVAL:
        sys.setswitchinterval(READER_SWITCH_INTERVAL)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        _READERS, _read_in_thread, url.render_as_string(hide_password=False), work
    )
