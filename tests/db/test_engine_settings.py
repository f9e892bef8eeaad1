"""The bot's PostgreSQL sessions run with the planner settings the statistics rely on."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pes21_bot.db.session import make_engine
from tests import postgres


@pytest.mark.postgres
async def test_postgres_sessions_have_no_jit_and_ssd_page_costs(
    postgres_server: postgres.PostgresServer,
) -> None:
    engine = make_engine(postgres_server.create_database("engine_settings"))
    try:
        async with engine.connect() as connection:
            jit = (await connection.execute(text("SHOW jit"))).scalar()
            cost = (await connection.execute(text("SHOW random_page_cost"))).scalar()
    finally:
        await engine.dispose()
    assert (jit, cost) == ("off", "1.1")
