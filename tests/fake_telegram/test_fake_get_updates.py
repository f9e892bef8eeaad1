"""getUpdates semantics: offsets, limit, long polling, allowed_updates, conflicts, wait_idle."""

from __future__ import annotations

import asyncio

import pytest

from pes21_bot.fake_telegram import FakeBotApi

from .fake_api_helpers import error, ok


async def test_offset_confirms_updates(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    assert await ok(free_api, "getUpdates") == []
    sent = [user.send_text(f"m{i}") for i in range(3)]
    ids = [u["update_id"] for u in sent]
    assert ids == sorted(ids) and len(set(ids)) == 3
    first = await ok(free_api, "getUpdates")
    assert [u["update_id"] for u in first] == ids
    # Not confirmed yet: fetched again.
    assert [u["update_id"] for u in await ok(free_api, "getUpdates")] == ids
    assert [u["update_id"] for u in await ok(free_api, "getUpdates", offset=ids[1])] == ids[1:]
    assert await ok(free_api, "getUpdates", offset=ids[-1] + 1) == []
    assert free_api.pending_updates == []
    await free_api.wait_idle(timeout=0.1)


async def test_limit_and_negative_offset(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    ids = [user.send_text(f"m{i}")["update_id"] for i in range(5)]
    assert [u["update_id"] for u in await ok(free_api, "getUpdates", limit=2)] == ids[:2]
    assert [u["update_id"] for u in await ok(free_api, "getUpdates", offset=-1)] == ids[-1:]
    assert len(free_api.pending_updates) == 1


async def test_long_poll_wakes_up_on_new_update(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(ok(free_api, "getUpdates", timeout=10))
    for _ in range(5):
        await asyncio.sleep(0)  # let the poll start waiting
    assert not poll.done()
    user.send_text("hello")
    updates = await asyncio.wait_for(poll, 2)
    assert updates[0]["message"]["text"] == "hello"
    assert loop.time() - started < 2


async def test_long_poll_times_out_empty(free_api: FakeBotApi) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await ok(free_api, "getUpdates", timeout=1) == []  # the timeout is an Integer
    assert loop.time() - started >= 0.95


async def test_newer_poll_terminates_older_with_409(free_api: FakeBotApi) -> None:
    first = asyncio.create_task(error(free_api, "getUpdates", 409, timeout=10))
    for _ in range(5):
        await asyncio.sleep(0)
    assert await ok(free_api, "getUpdates") == []
    description = await asyncio.wait_for(first, 2)
    assert description.startswith("Conflict: terminated by other getUpdates request")


async def test_cancelled_poll_is_clean(free_api: FakeBotApi) -> None:
    poll = asyncio.create_task(ok(free_api, "getUpdates", timeout=10))
    for _ in range(5):
        await asyncio.sleep(0)
    poll.cancel()
    with pytest.raises(asyncio.CancelledError):
        await poll
    free_api.user(1).send_text("x")
    assert len(await ok(free_api, "getUpdates")) == 1


async def test_allowed_updates_filter_and_persist(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    await ok(
        free_api,
        "sendMessage",
        chat_id=user.id,
        text="pick",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    user.send_text("ignored")
    user.press("A")
    updates = await ok(free_api, "getUpdates", allowed_updates=["callback_query"])
    assert [list(u)[1] for u in updates] == ["callback_query"]
    user.send_text("still ignored")
    assert [list(u)[1] for u in await ok(free_api, "getUpdates")] == ["callback_query"]
    await ok(free_api, "getUpdates", allowed_updates=[], offset=updates[-1]["update_id"] + 1)
    user.send_text("now delivered")
    assert (await ok(free_api, "getUpdates"))[0]["message"]["text"] == "now delivered"


async def test_wait_idle_times_out_without_poller(free_api: FakeBotApi) -> None:
    update = free_api.user(1).send_text("x")
    with pytest.raises(AssertionError, match=str(update["update_id"])):
        await free_api.wait_idle(timeout=0.01)


async def test_wait_idle_returns_once_confirmed(free_api: FakeBotApi) -> None:
    update = free_api.user(1).send_text("x")
    waiter = asyncio.create_task(free_api.wait_idle(timeout=2))
    fetched = await ok(free_api, "getUpdates")
    for _ in range(3):
        await asyncio.sleep(0)
    assert not waiter.done()  # fetched but not confirmed yet
    await ok(free_api, "getUpdates", offset=fetched[-1]["update_id"] + 1)
    await waiter
    assert update["update_id"] == fetched[0]["update_id"]


async def test_delete_webhook_can_drop_pending(free_api: FakeBotApi) -> None:
    free_api.user(1).send_text("x")
    info = await ok(free_api, "getWebhookInfo")
    assert info == {"url": "", "has_custom_certificate": False, "pending_update_count": 1}
    assert await ok(free_api, "deleteWebhook", drop_pending_updates=True) is True
    assert await ok(free_api, "getUpdates") == []
