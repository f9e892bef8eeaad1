"""Start-up without Telegram: the bot waits and retries with one log line, no traceback."""

from __future__ import annotations

import logging
import socket

import pytest
from telegram.error import InvalidToken

from pes21_bot.fake_telegram import FakeBotApiServer
from pes21_bot.runner import wait_for_telegram
from tests.harness import make_api

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_start_waits_for_an_absent_telegram_then_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Nothing listens at first; two failed tries later the server appears and start-up goes on."""
    api = make_api()
    port = _free_port()
    server = FakeBotApiServer(api, port=port)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            await server.start()

    caplog.set_level(logging.INFO)
    try:
        await wait_for_telegram(api.token, f"http://127.0.0.1:{port}/bot", sleep=sleep)
    finally:
        await server.stop()
    assert waits == [1.0, 2.0]  # backing off
    assert len(api.calls_to("getMe")) == 1
    lines = [r for r in caplog.records if "injoignable" in r.getMessage()]
    assert len(lines) == 2
    for record in lines:
        assert "unreachable" in record.getMessage()
        assert record.exc_info is None
        assert "\n" not in record.getMessage()
    assert api.token not in caplog.text
    assert "Traceback" not in caplog.text


async def test_start_retries_while_telegram_refuses(caplog: pytest.LogCaptureFixture) -> None:
    """Telegram answers 500 three times: three waits growing, then the bot starts."""
    api = make_api()
    api.inject_fault("getMe", "500", times=3)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with FakeBotApiServer(api) as server:
        await wait_for_telegram(api.token, server.base_url, sleep=sleep)
    assert waits == [1.0, 2.0, 4.0]
    assert "Traceback" not in caplog.text


async def test_a_refused_token_is_not_retried() -> None:
    """A wrong token is no network problem: start-up stops at once instead of waiting forever."""
    api = make_api()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with FakeBotApiServer(api) as server:
        with pytest.raises(InvalidToken):
            await wait_for_telegram("999:WRONG", server.base_url, sleep=sleep)
    assert waits == []
