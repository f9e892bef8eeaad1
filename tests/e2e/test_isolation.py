"""Heavy reads and other processes' locks never freeze the bot for everyone."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.db.session import SessionFactory, read_apart
from pes21_bot.services import events
from tests.e2e.flows import start_path
from tests.harness import Harness


async def test_a_holder_is_answered_while_another_process_holds_the_write_lock(
    sqlite_bot: Harness,
) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, "💡 J'ai une idée de projet")
    path = sqlite_bot.db_url.removeprefix("sqlite+aiosqlite:///")
    backup = sqlite3.connect(path, isolation_level=None)  # a backup, the sqlite3 shell...
    backup.execute("BEGIN IMMEDIATE")
    try:
        holder.send_text("Camille Exemple")  # an answer: written once the lock is released
        holder.send_command("aide")  # reads only: answered meanwhile
        other = sqlite_bot.holder(5002, first_name="Léa")
        other.send_command("aide")
        await other.expect("Voici ce que vous pouvez")
        assert await sqlite_bot.count_events(events.QUESTION_ANSWERED) == 0
    finally:
        backup.execute("COMMIT")
        backup.close()
    await holder.expect("Question 2/")
    await holder.expect("Voici ce que vous pouvez")
    assert await sqlite_bot.count_events(events.QUESTION_ANSWERED) == 1


async def _where(session: AsyncSession) -> tuple[int, int]:
    found = await session.execute(text("SELECT count(*) FROM people"))
    return threading.get_ident(), int(found.scalar_one())


async def _write(session: AsyncSession) -> None:
    await session.execute(text("DELETE FROM people"))


async def test_long_reads_run_on_their_own_thread_and_cannot_write(bot: Harness) -> None:
    factory: SessionFactory = bot.session_factory
    thread, _people = await read_apart(factory, _where)
    assert thread != threading.get_ident()
    with pytest.raises(DBAPIError, match=r"readonly|read-only"):
        await read_apart(factory, _write)
