"""bot.py as a real process against the HTTP fake Bot API: start, answer, kill -9, resume."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pes21_bot.fake_telegram import FakeBotApi, FakeBotApiServer
from pes21_bot.runner import ROOT
from tests.e2e.flows import MATURE_IDEA, answer, start_path
from tests.harness import make_api

pytestmark = pytest.mark.e2e


class BotProcess:
    """bot.py in a subprocess, its stderr kept for inspection."""

    def __init__(self, env: dict[str, str], cwd: Path, api: FakeBotApi) -> None:
        self.env = env
        self.api = api
        # Relative paths of config.yaml (heartbeats, backups) land here, not in the repository.
        self.cwd = cwd
        self.process: asyncio.subprocess.Process | None = None
        self.stderr = b""

    async def start(self) -> None:
        """Launch the bot and wait until it polls (start-up takes seconds on a busy machine)."""
        polled = len(self.api.calls_to("getUpdates"))
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "bot.py"),
            env=self.env,
            cwd=str(self.cwd),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        await self.api.wait_for_call("getUpdates", count=polled + 1, timeout=60)

    async def kill(self) -> None:
        """SIGKILL: no chance to flush anything."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        _, err = await self.process.communicate()
        self.stderr += err

    async def terminate(self) -> None:
        """SIGTERM, as a service manager stops it."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.terminate()
        _, err = await asyncio.wait_for(self.process.communicate(), 20)
        self.stderr += err


@pytest.fixture
async def http_api() -> AsyncIterator[tuple[FakeBotApi, str]]:
    """The fake Bot API served on 127.0.0.1."""
    api = make_api()
    server = FakeBotApiServer(api)
    base_url = await server.start()
    for member_id in (1001, 2001, 2002, 2003):
        api.user(member_id, first_name=f"membre{member_id}")
    try:
        yield api, base_url
    finally:
        await server.stop()


def _env(api: FakeBotApi, base_url: str, db_url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DATABASE_", "PES21_"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_BASE_URL=base_url,
        DATABASE_URL=db_url,
        PES21_CONFIG=str(ROOT / "config.yaml"),
    )
    return env


async def test_bot_process_survives_kill_9_between_questions(
    http_api: tuple[FakeBotApi, str], app_db_url: str, tmp_path: Path
) -> None:
    api, base_url = http_api
    bot = BotProcess(_env(api, base_url, app_db_url), tmp_path, api)
    await bot.start()
    holder = api.user(5001, first_name="Zoé", last_name="Martin")
    first = await start_path(holder, "💡 J'ai une idée de projet")
    assert "Question 1/13" in (first.text or "")
    await answer(holder, MATURE_IDEA[:3])  # three answers acknowledged
    await bot.kill()

    await bot.start()
    holder.send_text("21000")  # the fourth answer, typed to the restarted bot
    # A freshly started process answers its first updates slowly on a loaded machine.
    await holder.expect("Question 5/13", timeout=30)
    holder.send_command("/start")
    offer = await holder.expect("questionnaire en cours", timeout=30)
    assert "4 réponse" in (offer.text or "")
    await bot.terminate()
    assert api.token not in bot.stderr.decode()
    assert api.token.split(":")[1] not in bot.stderr.decode()


async def test_bad_config_stops_with_one_message(tmp_path: Path) -> None:
    bad = tmp_path / "config.yaml"
    bad.write_text((ROOT / "config.yaml").read_text() + "\nunknown_key: 1\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PES21_"))}
    env["PES21_CONFIG"] = str(bad)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bot.py"),
        "--check",
        env=env,
        cwd=str(ROOT),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    assert process.returncode == 2
    message = err.decode()
    assert f"{bad}: unknown_key: clé inconnue" in message
    assert "Traceback" not in message
    assert message.count("\n") == 1
