"""Shared fixtures: config and content, databases (SQLite and PostgreSQL), the running bot."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from pes21_bot.clock import FakeClock
from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.db.migrate import upgrade_to_head
from pes21_bot.runner import CONTENT_DIR, ROOT, load_all
from tests.harness import START, Harness, running_bot
from tests.postgres import PostgresServer, postgres_server_fixture

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]
PG_TEMPLATE = "pes21_template"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the whole session (skipped when not installed)."""
    yield from postgres_server_fixture()


@pytest.fixture(scope="session")
def loaded() -> tuple[Config, Content]:
    """The project's own config.yaml and contenus/."""
    return load_all(ROOT / "config.yaml", CONTENT_DIR)


@pytest.fixture
def config(loaded: tuple[Config, Content]) -> Config:
    """The validated config.yaml."""
    return loaded[0]


@pytest.fixture
def content(loaded: tuple[Config, Content]) -> Content:
    """The validated contenus/."""
    return loaded[1]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test copies it."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    upgrade_to_head(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A PostgreSQL database migrated once; each test creates a copy of it."""
    url = postgres_server.create_database(PG_TEMPLATE)
    upgrade_to_head(url)
    return PG_TEMPLATE


@pytest.fixture(params=BACKENDS)
def app_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated database for one test, on each backend."""
    if request.param == "sqlite":
        target = tmp_path / "bot.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite+aiosqlite:///{target}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgres_template")
    return server.create_database(f"t_{uuid.uuid4().hex[:16]}", template=template)


@pytest.fixture
def sqlite_db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite database, for tests that need not run on both backends."""
    target = tmp_path / "bot.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
def clock() -> FakeClock:
    """A clock that only moves when the test says so."""
    return FakeClock(START)


@pytest.fixture
async def bot(
    config: Config, content: Content, app_db_url: str, clock: FakeClock
) -> AsyncIterator[Harness]:
    """The running bot, on SQLite and on PostgreSQL."""
    async with running_bot(config, content, app_db_url, clock) as harness:
        yield harness


@pytest.fixture
async def sqlite_bot(
    config: Config, content: Content, sqlite_db_url: str, clock: FakeClock
) -> AsyncIterator[Harness]:
    """The running bot on SQLite only (for the many narrow cases)."""
    async with running_bot(config, content, sqlite_db_url, clock) as harness:
        yield harness


def pytest_sessionstart(session: pytest.Session) -> None:
    """Build matplotlib's font cache before any test: on a fresh machine the first chart builds
    it (seconds), which would count against that test's wait for the bot's answer."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    assert font_manager.fontManager is not None
