"""bot.py as a real process: SIGTERM in the middle of a flood still stops it within 10 s."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from pes21_bot.fake_telegram import FakeBotApi
from tests.e2e.test_process import BotProcess, _env, http_api  # noqa: F401 - fixture

pytestmark = pytest.mark.e2e

# Docker sends SIGKILL 10 s after SIGTERM.
STOP_GRACE = 10


async def test_sigterm_under_a_flood_stops_the_bot_in_time_and_it_starts_again(
    http_api: tuple[FakeBotApi, str],  # noqa: F811 - fixture
    sqlite_db_url: str,
    tmp_path: Path,
) -> None:
    api, base_url = http_api
    bot = BotProcess(_env(api, base_url, sqlite_db_url), tmp_path, api)
    await bot.start()
    flooders = [api.user(7000 + n, first_name=f"Flot{n}") for n in range(20)]
    for n in range(50):
        for user in flooders:
            user.send_text(f"message {n}")
    await api.wait_for_call("sendMessage", count=20, timeout=60)  # handling has begun
    assert bot.process is not None
    bot.process.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(bot.process.communicate(), STOP_GRACE)
    assert "Traceback" not in err.decode()
    await bot.start()  # the database is consistent: a new start answers
    holder = api.user(5001, first_name="Zoé")
    holder.send_command("/aide")
    await holder.expect("Voici ce que", timeout=30)
    await bot.terminate()
