"""UTCDateTime: aware datetimes in, aware UTC datetimes out, naive ones refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from pes21_bot.db.models import Person
from pes21_bot.db.session import SessionFactory

PARIS_SUMMER = timezone(timedelta(hours=2))


async def test_aware_datetime_comes_back_in_utc(session_factory: SessionFactory) -> None:
    local = datetime(2024, 6, 30, 10, 30, 15, 123456, tzinfo=PARIS_SUMMER)
    async with session_factory() as session, session.begin():
        session.add(Person(telegram_id=1, created_at=local, last_seen_at=local, consent_at=None))

    async with session_factory() as session:
        person = (await session.execute(select(Person))).scalar_one()
        raw = (await session.execute(text("SELECT created_at FROM people"))).scalar_one()
        dialect = session.get_bind().dialect.name

    assert person.created_at == local
    assert person.created_at.tzinfo is UTC
    assert person.created_at.hour == 8
    assert person.consent_at is None
    # The database itself holds the UTC instant, so SQL grouping by day or hour is in UTC.
    if dialect == "sqlite":
        assert raw == "2024-06-30 08:30:15.123456"
    else:
        assert raw == local


async def test_comparison_in_sql_uses_the_instant(session_factory: SessionFactory) -> None:
    now = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    async with session_factory() as session, session.begin():
        session.add(Person(telegram_id=2, created_at=now, last_seen_at=now))

    later_elsewhere = datetime(2024, 1, 1, 13, 30, tzinfo=PARIS_SUMMER)  # 11:30 UTC
    async with session_factory() as session:
        found = await session.scalar(select(Person.id).where(Person.created_at > later_elsewhere))
    assert found is not None


async def test_naive_datetime_is_refused(session_factory: SessionFactory) -> None:
    naive = datetime(2024, 6, 30, 10, 30)
    async with session_factory() as session:
        session.add(Person(telegram_id=3, created_at=naive, last_seen_at=naive))
        with pytest.raises(StatementError) as caught:
            await session.flush()
    assert isinstance(caught.value.orig, ValueError)
    assert "naive datetime" in str(caught.value.orig)
