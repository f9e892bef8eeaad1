"""Migrations: up, down and up again on an empty database, and no drift from the models."""

from __future__ import annotations

import ast
import asyncio
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata, produce_migrations, render_python_code
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from pes21_bot.db.migrate import (
    REPO_ROOT,
    alembic_config,
    migration_context_options,
    render_item,
    upgrade_to_head,
)
from pes21_bot.db.models import Base
from pes21_bot.db.session import make_engine

HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _migration_context(connection: Connection) -> MigrationContext:
    return MigrationContext.configure(connection, opts=migration_context_options())


async def _inspect(url: str) -> tuple[set[str], str | None, list[Any]]:
    """Return the table names, the current revision and the differences from the models."""

    def read(connection: Connection) -> tuple[set[str], str | None, list[Any]]:
        context = _migration_context(connection)
        tables = set(inspect(connection).get_table_names())
        return tables, context.get_current_revision(), compare_metadata(context, Base.metadata)

    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(read)
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade_leaves_no_drift(db_url: str) -> None:
    config = alembic_config(db_url)
    await asyncio.to_thread(command.upgrade, config, "head")
    tables, revision, _ = await _inspect(db_url)
    assert revision == HEAD
    assert set(Base.metadata.tables) <= tables

    await asyncio.to_thread(command.downgrade, config, "base")
    tables, revision, _ = await _inspect(db_url)
    assert revision is None
    assert tables == {"alembic_version"}

    await asyncio.to_thread(command.upgrade, config, "head")
    tables, revision, diff = await _inspect(db_url)
    assert revision == HEAD
    assert tables == {*Base.metadata.tables, "alembic_version"}
    assert diff == []


async def test_upgrade_to_head_from_a_running_loop(db_url: str) -> None:
    upgrade_to_head(db_url)  # blocking call made inside the event loop: runs in a worker thread
    upgrade_to_head(db_url)  # already at head: nothing to do
    _, revision, diff = await _inspect(db_url)
    assert revision == HEAD
    assert diff == []


def test_module_entry_point_upgrades_database_url(db_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": db_url}
    result = subprocess.run(
        [sys.executable, "-m", "pes21_bot.db.migrate"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"-> {HEAD}" in result.stderr
    _, revision, _ = asyncio.run(_inspect(db_url))
    assert revision == HEAD


async def test_autogenerate_renders_plain_sqlalchemy_types(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        async with engine.connect() as connection:
            script = await connection.run_sync(
                lambda sync: produce_migrations(_migration_context(sync), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert script.upgrade_ops is not None
    code = render_python_code(script.upgrade_ops, render_item=render_item)
    assert "sa.DateTime(timezone=True)" in code
    assert "UTCDateTime" not in code
    assert "pes21_bot" not in code


def test_version_files_do_not_import_project_code() -> None:
    for path in (REPO_ROOT / "migrations" / "versions").glob("*.py"):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
        assert imported <= {"collections", "typing", "sqlalchemy", "alembic"}, path.name


async def test_0011_splits_job_kinds_and_drops_the_no_source_marker(db_url: str) -> None:
    config = alembic_config(db_url)
    await asyncio.to_thread(command.upgrade, config, "0002")
    engine = make_engine(db_url)
    now = "2025-10-10 10:00:00+00:00"
    rows = [
        ("jobs_created", {"count": 2, "kind": "part_time", "origin": "review"}),
        ("jobs_created", {"count": 4, "kind": "cdi", "origin": "accompaniment"}),
        ("consent_refused", {"path": "idea", "source": "-"}),
        ("bot_started", {"source": "flyer"}),
    ]
    try:
        async with engine.begin() as connection:
            for kind, data in rows:
                await connection.execute(
                    text("INSERT INTO events (occurred_at, kind, data) VALUES (:at, :kind, :data)"),
                    {"at": datetime.fromisoformat(now), "kind": kind, "data": json.dumps(data)},
                )
            await connection.execute(
                text(
                    "INSERT INTO projects (path, status, answers, source, created_at, updated_at)"
                    " VALUES ('idea', 'submitted', '{}', '-', :at, :at)"
                ),
                {"at": datetime.fromisoformat(now)},
            )
        await asyncio.to_thread(command.upgrade, config, "head")
        async with engine.connect() as connection:
            found = (await connection.execute(text("SELECT data FROM events ORDER BY id"))).all()
            sources = (await connection.execute(text("SELECT source FROM projects"))).all()
    finally:
        await engine.dispose()
    data = [json.loads(row[0]) if isinstance(row[0], str) else row[0] for row in found]
    assert data == [
        {"count": 2, "origin": "review", "contract": "other", "time": "part_time"},
        {"count": 4, "origin": "accompaniment", "contract": "cdi", "time": None},
        {"path": "idea", "source": None},
        {"source": "flyer"},
    ]
    assert sources == [(None,)]
