"""A real PTB Application polling the fake over both transports (and from another process)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.ext import ApplicationBuilder

from pes21_bot.fake_telegram import FakeBotApi, FakeBotApiServer, FakeRequest

from .fake_echo_bot import build_application

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["in-process", "http"])
async def running_bot(request: pytest.FixtureRequest) -> AsyncIterator[FakeBotApi]:
    """The echo bot polling the fake through the transport of the parameter."""
    api = FakeBotApi()
    builder = ApplicationBuilder().token(api.token)
    server: FakeBotApiServer | None = None
    if request.param == "in-process":
        builder = builder.request(FakeRequest(api)).get_updates_request(FakeRequest(api))
    else:
        server = FakeBotApiServer(api)
        base_url = await server.start()
        builder = builder.base_url(base_url).base_file_url(server.base_file_url)
    application = build_application(builder)
    try:
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=10)
            yield api
            await application.updater.stop()
            await application.stop()
    finally:
        if server is not None:
            await server.stop()


async def test_round_trip(running_bot: FakeBotApi) -> None:
    api = running_bot
    alice = api.user(42, "Alice", username="alice")
    alice.send_command("start", "affiche")
    welcome = await alice.next_message()
    assert welcome.text == "Bienvenue (affiche)"
    assert welcome.raw_text == "<b>Bienvenue</b> (affiche)"
    assert welcome.buttons == [["Oui", "Non"]]

    press = alice.press("Non")
    edited = await alice.next_message()
    assert edited.edited and edited.text == "Choix : no" and edited.buttons == []
    assert api.callback_answers[press["callback_query"]["id"]] == {"text": "Noté"}

    alice.send_text("bonjour")
    assert (await alice.expect("bonjour")).text == "Écho : bonjour"

    alice.send_command("rapport")
    report = await alice.next_message()
    assert report.document is not None
    assert (report.document.filename, report.document.content) == (
        "rapport.csv",
        b"nom;montant\nA;12\n",
    )
    assert report.caption == "Rapport"

    await api.wait_idle()
    assert api.pending_updates == []
    assert [c.method for c in api.calls[:2]] == ["getMe", "deleteWebhook"]
    assert all(c.status == 200 for c in api.calls if c.method != "getUpdates")


async def test_bot_in_another_process(tmp_path: Path) -> None:
    api = FakeBotApi()
    async with FakeBotApiServer(api) as server:
        script = Path(__file__).with_name("fake_echo_bot.py")
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(script), api.token, server.base_url, cwd=tmp_path
        )
        try:
            bob = api.user(7, "Bob")
            bob.send_text("ping")
            reply = await bob.next_message(timeout=15)
            assert reply.text == "Écho : ping"
            bob.send_command("start")
            await bob.expect("Bienvenue", timeout=5)
            bob.press("Oui")
            assert (await bob.next_message()).text == "Choix : yes"
        finally:
            process.terminate()
            await process.wait()
