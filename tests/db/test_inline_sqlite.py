"""SQLite through the async engine without aiosqlite's thread: same behaviour, errors included."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from pes21_bot.db.inline_sqlite import InlineConnection, inline_connector
from pes21_bot.db.session import make_engine, make_session_factory, write_transaction


async def test_statements_commit_roll_back_and_fail_like_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    try:
        async with engine.begin() as connection:
            raw = await connection.get_raw_connection()
            assert isinstance(raw.driver_connection, InlineConnection)
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"))
            await connection.execute(text("INSERT INTO t (id, name) VALUES (1, 'Zoé')"))
        async with engine.connect() as connection:
            transaction = await connection.begin()
            await connection.execute(text("INSERT INTO t (id, name) VALUES (2, 'kept?')"))
            with pytest.raises(IntegrityError):
                await connection.execute(text("INSERT INTO t (id, name) VALUES (1, 'twice')"))
            await transaction.rollback()
            with pytest.raises(OperationalError):
                await connection.execute(text("SELECT nothing FROM nowhere"))
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT id, name FROM t"))).all()
            many = await connection.stream(text("SELECT id FROM t"))
            streamed = [row async for row in many]
        assert [tuple(r) for r in rows] == [(1, "Zoé")]  # the failed transaction left nothing
        assert [tuple(r) for r in streamed] == [(1,)]
    finally:
        await engine.dispose()


async def test_a_writer_waits_for_another_process_lock_without_freezing_readers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "locked.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    factory = make_session_factory(engine)
    try:
        async with write_transaction(factory) as session:
            await session.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"))
            await session.execute(text("INSERT INTO t (id, name) VALUES (1, 'avant')"))
        # Another process (a backup, the sqlite3 shell) takes the write lock and keeps it.
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")

        async def write() -> None:
            async with write_transaction(factory) as session:
                await session.execute(text("INSERT INTO t (id, name) VALUES (2, 'pendant')"))

        writer = asyncio.create_task(write())
        for _ in range(3):  # the writer meets the lock and waits for it
            await asyncio.sleep(0)
        async with factory() as session:  # WAL readers do not need the write lock
            names = (await session.execute(text("SELECT name FROM t"))).scalars().all()
        assert names == ["avant"]
        assert not writer.done()
        other.execute("COMMIT")
        other.close()
        await writer
        async with factory() as session:
            names = (await session.execute(text("SELECT name FROM t ORDER BY id"))).scalars().all()
        assert names == ["avant", "pendant"]  # nothing lost
    finally:
        await engine.dispose()


async def test_a_writer_gives_up_after_the_timeout(tmp_path: Path) -> None:
    path = tmp_path / "stuck.db"
    sqlite3.connect(path).execute("CREATE TABLE t (id INTEGER PRIMARY KEY)").connection.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    connection = await inline_connector(str(path), timeout=0.02)()
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await connection.execute("BEGIN IMMEDIATE")
    finally:
        await connection.close()
        other.close()
