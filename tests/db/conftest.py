"""Fixtures for the database tests: each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pes21_bot.db.migrate import upgrade_to_head_async
from pes21_bot.db.session import SessionFactory, make_engine, make_session_factory
from tests.postgres import PostgresServer

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty database: a SQLite file, or a fresh database on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"test_{uuid.uuid4().hex[:16]}")


@pytest.fixture
async def migrated_url(db_url: str) -> str:
    """URL of a database upgraded to the latest migration."""
    await upgrade_to_head_async(db_url)
    return db_url


@pytest.fixture
async def session_factory(migrated_url: str) -> AsyncIterator[SessionFactory]:
    """Session factory on a migrated database; the engine is disposed afterwards."""
    engine = make_engine(migrated_url)
    try:
        yield make_session_factory(engine)
    finally:
        await engine.dispose()
