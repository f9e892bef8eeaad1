"""SQLite through the async engine without aiosqlite's thread: same behaviour, errors included."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from pes21_bot.db.inline_sqlite import InlineConnection
from pes21_bot.db.session import make_engine


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
