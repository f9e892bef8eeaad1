"""Fixtures: the running bot with its reminder job stopped (tests run it by hand)."""

from __future__ import annotations

import pytest

from tests.harness import Harness
from tests.volunteers.helpers import stop_jobs


@pytest.fixture
def sbot(sqlite_bot: Harness) -> Harness:
    """The bot on SQLite, reminder job run by the test."""
    stop_jobs(sqlite_bot)
    return sqlite_bot


@pytest.fixture
def both(bot: Harness) -> Harness:
    """The bot on SQLite and PostgreSQL, reminder job run by the test."""
    stop_jobs(bot)
    return bot
