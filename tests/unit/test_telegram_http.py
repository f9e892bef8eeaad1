"""The bot's aiohttp request class against the HTTP fake: fields, files, errors and timeouts."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from pes21_bot.fake_telegram import FakeBotApi, FakeBotApiServer, Limits
from pes21_bot.telegram_http import AiohttpRequest


@pytest.fixture
def api() -> FakeBotApi:
    """A fake API without flood control."""
    return FakeBotApi(limits=Limits(flood_control=False))


@pytest.fixture
async def server(api: FakeBotApi) -> AsyncIterator[FakeBotApiServer]:
    """The fake on 127.0.0.1; timed-out calls are held 30 s, far longer than the client waits."""
    async with FakeBotApiServer(api, timeout_hold=30.0) as running:
        yield running


def _bot(api: FakeBotApi, server: FakeBotApiServer, read_timeout: float = 5.0) -> Bot:
    return Bot(
        api.token, base_url=server.base_url, request=AiohttpRequest(read_timeout=read_timeout)
    )


async def test_sends_fields_markup_and_files(api: FakeBotApi, server: FakeBotApiServer) -> None:
    api.user(7)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Je prends", callback_data="claim:1")]])
    async with _bot(api, server) as bot:
        sent = await bot.send_message(
            7, "<b>Zoé &amp; Cie</b>", parse_mode="HTML", reply_markup=markup
        )
        await bot.send_document(7, b"col1;col2\n", filename="export.csv", caption="Export")
    assert sent.text == "Zoé & Cie" and sent.reply_markup == markup
    text, document = api.messages(7)
    assert text.text == "Zoé & Cie"
    assert document.document is not None and document.document.content == b"col1;col2\n"
    assert document.document.filename == "export.csv" and document.caption == "Export"


async def test_telegram_errors_keep_their_meaning(
    api: FakeBotApi, server: FakeBotApiServer
) -> None:
    api.user(7)
    async with _bot(api, server) as bot:
        api.inject_fault("sendMessage", "429", retry_after=3)
        with pytest.raises(RetryAfter) as limited:
            await bot.send_message(7, "x")
        assert limited.value.retry_after == timedelta(seconds=3)
        api.inject_fault("sendMessage", "500")
        with pytest.raises(NetworkError):
            await bot.send_message(7, "x")
        with pytest.raises(BadRequest):
            await bot.send_message(7, "")
        assert (await bot.send_message(7, "ok")).text == "ok"
    assert [m.text for m in api.messages(7)] == ["ok"]


async def test_timeout_becomes_timed_out(api: FakeBotApi, server: FakeBotApiServer) -> None:
    api.user(7)
    async with _bot(api, server, read_timeout=0.2) as bot:
        api.inject_fault("sendMessage", "timeout")
        with pytest.raises(TimedOut):
            await bot.send_message(7, "x")
        assert (await bot.send_message(7, "ok")).text == "ok"


async def test_unreachable_server_is_a_network_error(api: FakeBotApi) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        bot = Bot(api.token, base_url=f"http://127.0.0.1:{port}/bot", request=request)
        with pytest.raises(NetworkError) as failed:
            await bot.get_me()
        assert api.token not in str(failed.value)
    finally:
        await request.shutdown()


async def test_not_initialized_is_refused() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:9/bot", "POST")
