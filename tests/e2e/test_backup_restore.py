"""/sauvegarde, then python -m pes21_bot.restore into a new database: nothing is lost."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from pes21_bot.config import Config, Operations
from pes21_bot.content import Content
from pes21_bot.db.models import Project, Reminder
from pes21_bot.restore import main as restore_main
from pes21_bot.runner import ROOT
from pes21_bot.services import reminders
from pes21_bot.services.backup import backups_in
from tests.e2e.flows import MATURE_IDEA, answer, expect_question, start_path
from tests.harness import OTHER_HOLDER_ID, Harness, running_bot
from tests.postgres import PostgresServer, find_postgres_bindir
from tests.volunteers.helpers import CAMILLE, seed_project, stop_jobs

pytestmark = pytest.mark.e2e


def ops_config(config: Config, tmp_path: Path) -> Config:
    """The config with backups in tmp_path and pg_dump from the test server's installation."""
    bindir = find_postgres_bindir()
    operations = Operations(
        backup_dir=str(tmp_path / "sauvegardes"),
        heartbeat_dir=str(tmp_path / "etat"),
        pg_bin_dir=str(bindir) if bindir else None,
    )
    return config.model_copy(update={"operations": operations})


def write_config(config: Config, tmp_path: Path) -> Path:
    """config.yaml with the test's operations section, for the restore command."""
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["operations"] = config.operations.model_dump(exclude_none=True)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def new_database(bot: Harness, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on the bot's backend (not even migrated)."""
    if bot.db_url.startswith("sqlite"):
        return f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"restored_{uuid.uuid4().hex[:12]}")


async def _rows(bot: Harness) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    async with bot.session_factory() as session:
        projects = (await session.execute(select(Project).order_by(Project.id))).scalars()
        found = [(p.id, p.reference, p.status, p.owner_id, p.answers) for p in projects]
        rows = (await session.execute(select(Reminder).order_by(Reminder.id))).scalars()
        planned = [(r.id, r.kind, r.due_at, r.state, r.recipient_id) for r in rows]
    return found, planned


async def test_backup_restore_into_a_new_database_keeps_everything(
    bot: Harness,
    config: Config,
    content: Content,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Dossiers, reminders and a questionnaire half-way through all come back after restore."""
    config = ops_config(config, tmp_path)
    bot.config = config
    await bot.restart()
    stop_jobs(bot)
    claimed = await seed_project(bot, owner_id=CAMILLE)
    await seed_project(bot, holder_id=OTHER_HOLDER_ID, owner_id=None)
    async with bot.session_factory.begin() as session:
        reminders.add(
            session, reminders.DIGEST, bot.clock.now() + timedelta(days=1), chat_id=CAMILLE
        )
    holder = bot.api.user(5003, first_name="Inès", last_name="Roux")
    await start_path(holder, "💡 J'ai une idée de projet")
    await answer(holder, MATURE_IDEA[:3])
    assert bot.app is not None
    await bot.app.update_persistence()  # what the bot does every few seconds
    before = await _rows(bot)

    admin = bot.admin()
    admin.send_command("/sauvegarde")
    done = await admin.expect("Sauvegarde faite")
    (backup,) = backups_in(Path(config.operations.backup_dir))
    assert backup.name in (done.text or "")
    await bot.stop()

    target = new_database(bot, request, tmp_path)
    monkeypatch.setenv("PES21_CONFIG", str(write_config(config, tmp_path)))
    assert restore_main([str(backup), "--database-url", target]) == 0
    # A second restore over the restored data is refused unless forced.
    assert restore_main([str(backup), "--database-url", target]) == 1
    assert restore_main([str(backup), "--database-url", target, "--force"]) == 0

    async with running_bot(config, content, target, bot.clock) as restored:
        stop_jobs(restored)
        assert await _rows(restored) == before
        assert claimed.reference in [row[1] for row in before[0]]
        moved = restored.api.user(5003, first_name="Inès", last_name="Roux")
        moved.send_text("21000")  # the fourth answer, typed to the restored bot
        nxt = await expect_question(moved)
        assert "Question 5/13" in (nxt.text or "")


async def test_backup_refused_to_non_admins(
    sqlite_bot: Harness, config: Config, tmp_path: Path
) -> None:
    """A staff member cannot trigger a backup: refused, and no file is written."""
    config = ops_config(config, tmp_path)
    sqlite_bot.config = config
    await sqlite_bot.restart()
    staff = sqlite_bot.staff("Camille")
    staff.send_command("/sauvegarde")
    refusal = await staff.next_message()
    assert "réservée" in (refusal.text or "")
    assert backups_in(Path(config.operations.backup_dir)) == []
