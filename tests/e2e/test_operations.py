"""Production mends: a Telegram outage is logged once each way; one migration per start;
the health check can say "healthy" within seconds of a good start."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.request import BaseRequest

from pes21_bot import runner
from pes21_bot.config import Config, Environment, read_environment
from pes21_bot.content import Content
from pes21_bot.health import liveness_problems
from pes21_bot.heartbeat import POLLING, BeatingRequest, Heartbeats, last_beat
from pes21_bot.jobs import FIRST_RUN_AFTER, JOB_NAME
from pes21_bot.runner import ROOT
from tests.harness import Harness
from tests.imports.workbooks import csv_file

pytestmark = pytest.mark.e2e


async def test_a_telegram_outage_is_logged_once_when_lost_and_once_when_back(
    sqlite_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Five failed getUpdates rounds in a row: one warning, then one when answers come back."""
    caplog.set_level(logging.INFO)
    bot = sqlite_bot
    bot.api.inject_fault("getUpdates", "timeout", times=5)
    failed = lambda: [c for c in bot.api.calls_to("getUpdates") if c.status == 0]  # noqa: E731
    await bot.until(lambda: len(failed()) == 5, "five failed polling rounds")
    holder = bot.holder()
    holder.send_command("/aide")
    await holder.next_message()  # answered once Telegram is back
    lost = [r for r in caplog.records if "Telegram injoignable" in r.getMessage()]
    back = [r for r in caplog.records if "de nouveau joignable" in r.getMessage()]
    assert len(lost) == 1 and len(back) == 1
    assert lost[0].levelno == logging.WARNING and lost[0].exc_info is None
    assert bot.api.token not in caplog.text
    assert "Traceback" not in caplog.text


def _healthcheck_options() -> dict[str, str]:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    line = next(x for x in dockerfile.splitlines() if x.startswith("HEALTHCHECK"))
    return dict(re.findall(r"--([a-z-]+)=(\S+)", line))


def _seconds(value: str) -> float:
    return float(value.rstrip("s"))


class _SlowRound(BaseRequest):
    """A getUpdates round that has not answered yet (a long poll lasts 10 s)."""

    def __init__(self) -> None:
        self.answer = asyncio.Event()

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        await self.answer.wait()
        return 200, b'{"ok": true, "result": []}'


async def test_a_fresh_start_is_healthy_at_the_first_check(
    sqlite_bot: Harness, config: Config, tmp_path: Path
) -> None:
    """Polling beats as its first round starts and the reminder job beats 5 s after the start:
    the image's first health check, 15 s after the start, passes."""
    options = _healthcheck_options()
    interval = _seconds(options["interval"])
    assert interval <= 15 and _seconds(options["start-period"]) >= 30
    assert interval > FIRST_RUN_AFTER
    folder = tmp_path / "etat"
    config = config.model_copy(
        update={"operations": config.operations.model_copy(update={"heartbeat_dir": str(folder)})}
    )
    beats = Heartbeats(folder, sqlite_bot.clock)
    inner = _SlowRound()
    polling = BeatingRequest(inner, lambda: beats.beat(POLLING))
    first_round = asyncio.create_task(polling.do_request("getUpdates", "POST"))
    await asyncio.sleep(0)
    assert last_beat(folder, POLLING) == sqlite_bot.clock.now()  # before any answer
    bot = sqlite_bot
    bot.config = config
    bot.heartbeats = beats
    await bot.restart()
    assert bot.app is not None and bot.app.job_queue is not None
    (job,) = bot.app.job_queue.get_jobs_by_name(JOB_NAME)
    await job.run(bot.app)  # its first run, FIRST_RUN_AFTER seconds after the start
    assert liveness_problems(config, bot.clock.now() + timedelta(seconds=interval)) == []
    inner.answer.set()
    await first_round


def test_the_database_is_migrated_once_per_start(
    config: Config, content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bot.py migrates; neither the image's command nor `make run` migrates a second time."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    command = next(x for x in dockerfile.splitlines() if x.startswith("CMD"))
    assert "migrate" not in command and "bot.py" in command
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run_target = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "migrate" not in run_target
    migrations: list[str] = []

    class _Application:
        def run_polling(self, **kwargs: Any) -> None:
            pass

    async def telegram_answers(*args: Any, **kwargs: Any) -> None:
        pass

    monkeypatch.setattr(runner, "wait_for_telegram", telegram_answers)
    monkeypatch.setattr(runner, "upgrade_to_head", migrations.append)
    built: dict[str, Any] = {}

    def build(*args: Any, **kwargs: Any) -> _Application:
        built.update(kwargs)
        return _Application()

    monkeypatch.setattr(runner, "build_application", build)
    monkeypatch.setattr(runner, "use_uvloop", lambda: None)
    env = Environment(
        token="1:x",
        base_url=None,
        database_url="sqlite+aiosqlite://",
        config_path=ROOT / "config.yaml",
    )
    env = dataclasses.replace(env, base_file_url="http://bot-api:8081/file/bot", local_mode=True)
    assert runner.run_polling(config, content, env) == 0
    assert migrations == ["sqlite+aiosqlite://"]
    # A self-hosted Bot API server's files are fetched from it, not from api.telegram.org.
    assert built["base_file_url"] == "http://bot-api:8081/file/bot" and built["local_mode"]


def test_a_self_hosted_bot_api_server_serves_files_too() -> None:
    """TELEGRAM_BASE_URL also moves file downloads off api.telegram.org; --local is opt-in."""
    env = read_environment(
        {"TELEGRAM_BASE_URL": "http://bot-api:8081/bot", "TELEGRAM_LOCAL_MODE": "oui"}
    )
    assert env.base_file_url == "http://bot-api:8081/file/bot" and env.local_mode
    plain = read_environment({"TELEGRAM_BOT_TOKEN": "1:x"})
    assert plain.base_file_url is None and not plain.local_mode


async def test_an_import_through_a_local_bot_api_server_reads_the_file_from_its_disk(
    sqlite_bot: Harness, tmp_path: Path
) -> None:
    """With --local, getFile answers a path on the server's disk (nothing is served over HTTP):
    the admin's file is read there and imported."""
    bot = sqlite_bot
    bot.api.local_files = tmp_path / "telegram-bot-api"
    bot.local_mode = True
    await bot.restart()
    admin = bot.admin()
    rows = [("L-1", "DLA", "02/03/2023", "Atelier vélo", "Dijon", "21000", "", "")]
    admin.send_document("dossiers.csv", csv_file("Dossiers", rows), "text/csv")
    admin.press("Importer", await admin.expect("Importer 1 ligne ?"))
    await admin.expect("Import terminé : 1 ligne créée")
    assert len(await bot.projects()) == 1
    assert list(bot.api.local_files.rglob("*.csv"))  # where the bot read it
    assert bot.app is not None and bot.app.bot.local_mode
