"""Fixtures of the statistics tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from pes21_bot.db.session import SessionFactory, make_engine, make_session_factory


@pytest.fixture
async def factory(app_db_url: str) -> AsyncIterator[SessionFactory]:
    """Sessions on a migrated database (SQLite and PostgreSQL)."""
    engine = make_engine(app_db_url)
    try:
        yield make_session_factory(engine)
    finally:
        await engine.dispose()
