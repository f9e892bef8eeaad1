"""The health check fails when polling or the reminder job stalls, not only the database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from pes21_bot.config import Config, Operations
from pes21_bot.health import liveness_problems
from pes21_bot.heartbeat import POLLING, REMINDERS, Heartbeats
from pes21_bot.jobs import JOB_NAME
from pes21_bot.runner import ROOT
from tests.harness import Harness

pytestmark = pytest.mark.e2e


async def _run_reminder_job(bot: Harness) -> None:
    """One tick of the every-minute reminder job, as the JobQueue runs it."""
    assert bot.app is not None and bot.app.job_queue is not None
    (job,) = bot.app.job_queue.get_jobs_by_name(JOB_NAME)
    await job.run(bot.app)


async def _polling_round(bot: Harness) -> None:
    """Make the polling loop fetch something."""
    bot.holder().send_command("/aide")
    await bot.settle()


def _with_heartbeats(config: Config, folder: Path) -> Config:
    operations = Operations(heartbeat_dir=str(folder))
    return config.model_copy(update={"operations": operations})


async def test_stalled_polling_then_stalled_reminders_fail_the_check(
    sqlite_bot: Harness, config: Config, tmp_path: Path
) -> None:
    """Fresh beats pass; polling stopped fails on polling; the job not running fails on it."""
    bot = sqlite_bot
    folder = tmp_path / "etat"
    config = _with_heartbeats(config, folder)
    bot.config = config
    bot.heartbeats = Heartbeats(folder, bot.clock)
    await bot.restart()
    await _polling_round(bot)
    await _run_reminder_job(bot)
    assert liveness_problems(config, bot.clock.now()) == []

    # The polling loop stalls; the reminder job goes on.
    assert bot.app is not None and bot.app.updater is not None
    await bot.app.updater.stop()
    bot.clock.advance(timedelta(minutes=2))
    await _run_reminder_job(bot)
    problems = liveness_problems(config, bot.clock.now())
    assert len(problems) == 1 and problems[0].startswith(POLLING)

    # Polling is back; now the reminder job stops running.
    await bot.app.updater.start_polling(poll_interval=0, timeout=1)
    await _polling_round(bot)
    assert liveness_problems(config, bot.clock.now()) == []
    bot.clock.advance(timedelta(minutes=4))
    await _polling_round(bot)
    problems = liveness_problems(config, bot.clock.now())
    assert len(problems) == 1 and problems[0].startswith(REMINDERS)


def _health(tmp_path: Path, stamp: datetime) -> subprocess.CompletedProcess[str]:
    """`python -m pes21_bot.health` (the Docker HEALTHCHECK) with both beats at `stamp`."""
    folder = tmp_path / "etat"
    folder.mkdir(exist_ok=True)
    for name in (POLLING, REMINDERS):
        (folder / name).write_text(stamp.isoformat())
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["operations"] = {"heartbeat_dir": str(folder)}
    config_path = tmp_path / "config.yaml"
    config_path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PES21_"))}
    env["PES21_CONFIG"] = str(config_path)
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    return subprocess.run(
        [sys.executable, "-m", "pes21_bot.health"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=60,
    )


def test_health_command_passes_with_fresh_beats_and_fails_with_old_ones(tmp_path: Path) -> None:
    """The container's check: exit 0 while alive, 1 with a one-line reason when stalled."""
    fresh = _health(tmp_path, datetime.now(UTC))
    assert fresh.returncode == 0, fresh.stderr
    stale = _health(tmp_path, datetime.now(UTC) - timedelta(minutes=10))
    assert stale.returncode == 1
    assert "polling" in stale.stderr and "reminders" in stale.stderr
    assert len(stale.stderr.strip().splitlines()) == 1
