"""The HTTP transport: encodings, routes, loopback binding, timeouts and shutdown."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot
from telegram.error import BadRequest, TimedOut
from telegram.request import HTTPXRequest

from pes21_bot.fake_telegram import FakeBotApi, FakeBotApiServer

from .fake_api_helpers import PNG_1X1


@pytest.fixture
async def server(free_api: FakeBotApi) -> AsyncIterator[FakeBotApiServer]:
    """A running HTTP server."""
    async with FakeBotApiServer(free_api, timeout_hold=30.0) as running:
        yield running


@pytest.fixture
async def client(server: FakeBotApiServer) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client pointed at the server."""
    async with httpx.AsyncClient(base_url=server.base_url.removesuffix("/bot")) as http:
        yield http


def _path(api: FakeBotApi, method: str) -> str:
    return f"/bot{api.token}/{method}"


def test_binds_only_to_loopback(free_api: FakeBotApi) -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        FakeBotApiServer(free_api, host="0.0.0.0")


async def test_base_url(server: FakeBotApiServer) -> None:
    assert server.base_url == f"http://127.0.0.1:{server.port}/bot"
    assert server.port > 0
    assert server.base_file_url == f"http://127.0.0.1:{server.port}/file/bot"


async def test_json_form_query_and_multipart(
    free_api: FakeBotApi, client: httpx.AsyncClient
) -> None:
    user = free_api.user(1)
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    response = await client.post(
        _path(free_api, "sendMessage"), json={"chat_id": 1, "text": "json", "reply_markup": markup}
    )
    assert response.status_code == 200 and response.json()["result"]["text"] == "json"
    response = await client.post(
        _path(free_api, "sendMessage"),
        data={"chat_id": "1", "text": "form", "reply_markup": json.dumps(markup)},
    )
    assert response.json()["result"]["reply_markup"] == markup
    response = await client.get(_path(free_api, "sendMessage"), params={"chat_id": 1, "text": "q"})
    assert response.json()["ok"] is True
    response = await client.get(_path(free_api, "getMe"))
    assert response.json()["result"]["username"] == "pes21_test_bot"
    response = await client.post(
        _path(free_api, "sendDocument"),
        data={"chat_id": "1", "caption": "pièce"},
        files={"document": ("rapport.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert response.json()["result"]["document"]["file_name"] == "rapport.pdf"
    response = await client.post(
        _path(free_api, "sendPhoto"),
        data={"chat_id": "1", "photo": "attach://pic"},
        files={"pic": ("p.png", PNG_1X1, "image/png")},
    )
    assert response.status_code == 200, response.text
    assert [m.content for m in user.messages] == ["json", "form", "q", "pièce", ""]
    assert user.messages[3].document is not None
    assert user.messages[3].document.content == b"%PDF-1.4"


async def test_errors_over_http(free_api: FakeBotApi, client: httpx.AsyncClient) -> None:
    response = await client.post("/bot999:WRONG/getMe")
    assert (response.status_code, response.json()["description"]) == (401, "Unauthorized")
    response = await client.post(_path(free_api, "doMagic"))
    assert response.status_code == 404 and response.json()["description"] == "Not Found"
    response = await client.get("/favicon.ico")
    assert response.status_code == 404 and response.json()["ok"] is False
    response = await client.post(
        _path(free_api, "sendMessage"),
        content=b"{oops",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    response = await client.post(_path(free_api, "sendMessage"), json={"text": "x"})
    assert response.status_code == 400 and '"chat_id"' in response.json()["description"]


async def test_file_download(free_api: FakeBotApi, server: FakeBotApiServer) -> None:
    user = free_api.user(1)
    file_id = user.send_document("a.txt", b"abc")["message"]["document"]["file_id"]
    async with Bot(
        free_api.token, base_url=server.base_url, base_file_url=server.base_file_url
    ) as bot:
        file = await bot.get_file(file_id)
        assert bytes(await file.download_as_bytearray()) == b"abc"


async def test_a_user_file_over_20_mb_cannot_be_fetched_by_the_bot(
    free_api: FakeBotApi, server: FakeBotApiServer
) -> None:
    user = free_api.user(1)
    big = user.send_document("big.csv", b"x" * (20 * 1024 * 1024 + 1))["message"]["document"]
    assert big["file_size"] == 20 * 1024 * 1024 + 1  # the message still tells its size
    async with Bot(
        free_api.token, base_url=server.base_url, base_file_url=server.base_file_url
    ) as bot:
        with pytest.raises(BadRequest, match="File is too big"):
            await bot.get_file(big["file_id"])


async def test_timeout_fault_holds_then_drops(
    free_api: FakeBotApi, server: FakeBotApiServer, client: httpx.AsyncClient
) -> None:
    free_api.user(1)
    free_api.inject_fault("sendMessage", "timeout")
    with pytest.raises(httpx.ReadTimeout):
        await client.post(
            _path(free_api, "sendMessage"), json={"chat_id": 1, "text": "x"}, timeout=0.2
        )
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(free_api.token, base_url=server.base_url, request=request) as bot:
        free_api.inject_fault("sendMessage", "timeout")
        with pytest.raises(TimedOut):
            await bot.send_message(1, "x")
        assert (await bot.send_message(1, "ok")).text == "ok"
    assert [m.text for m in free_api.messages(1)] == ["ok"]


async def test_stop_releases_held_and_polling_requests(free_api: FakeBotApi) -> None:
    server = FakeBotApiServer(free_api, timeout_hold=30.0)
    await server.start()
    free_api.inject_fault("getMe", "timeout")
    async with httpx.AsyncClient(base_url=server.base_url.removesuffix("/bot")) as http:
        held = asyncio.create_task(http.post(_path(free_api, "getMe"), timeout=60))
        polling = asyncio.create_task(
            http.post(_path(free_api, "getUpdates"), json={"timeout": 50}, timeout=60)
        )
        await free_api.wait_for_call("getMe")
        await free_api.wait_for_call("getUpdates")
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.wait_for(server.stop(), 5)
        results = await asyncio.gather(held, polling, return_exceptions=True)
        assert loop.time() - started < 5
        assert all(isinstance(r, httpx.HTTPError) for r in results), results
