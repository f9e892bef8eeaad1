"""Flood control with an injected clock: private burst/sustained, group per minute, global."""

from __future__ import annotations

from pes21_bot.fake_telegram import FakeBotApi, Limits

from .fake_api_helpers import FakeClock, call, ok


async def _send(api: FakeBotApi, chat_id: int) -> int:
    response = await call(api, "sendMessage", chat_id=chat_id, text="x")
    if response.status == 429:
        retry_after = response.payload["parameters"]["retry_after"]
        assert response.payload["description"] == f"Too Many Requests: retry after {retry_after}"
        assert response.payload["error_code"] == 429
    return response.status


async def test_private_chat_burst_of_five(api: FakeBotApi, clock: FakeClock) -> None:
    user = api.user(1)
    assert [await _send(api, user.id) for _ in range(5)] == [200] * 5
    response = await call(api, "sendMessage", chat_id=user.id, text="x")
    assert response.status == 429
    assert response.payload["parameters"] == {"retry_after": 1}
    assert len(user.messages) == 5  # the refused message was not delivered
    clock.advance(1.0)
    assert await _send(api, user.id) == 200
    assert await _send(api, user.id) == 429


async def test_private_chat_sustained_one_per_second(api: FakeBotApi, clock: FakeClock) -> None:
    user = api.user(1)
    for _ in range(30):
        assert await _send(api, user.id) == 200
        clock.advance(1.0)
    # Two per second drains the burst then gets refused.
    statuses = []
    for _ in range(12):
        statuses.append(await _send(api, user.id))
        statuses.append(await _send(api, user.id))
        clock.advance(1.0)
    assert 429 in statuses
    assert statuses[:8] == [200] * 8


async def test_conversational_bot_is_fine(api: FakeBotApi, clock: FakeClock) -> None:
    user = api.user(1)
    for _ in range(10):  # a user message every 3 s, the bot answers with 3 messages
        assert [await _send(api, user.id) for _ in range(3)] == [200, 200, 200]
        clock.advance(3.0)


async def test_group_twenty_per_minute(api: FakeBotApi, clock: FakeClock) -> None:
    group = api.group(-100, "Board")
    assert [await _send(api, group.id) for _ in range(20)] == [200] * 20
    response = await call(api, "sendMessage", chat_id=group.id, text="x")
    assert response.status == 429
    assert response.payload["parameters"]["retry_after"] == 3
    clock.advance(3.0)
    assert await _send(api, group.id) == 200
    assert await _send(api, group.id) == 429


async def test_global_thirty_per_second(api: FakeBotApi, clock: FakeClock) -> None:
    users = [api.user(i) for i in range(1, 8)]
    statuses = [await _send(api, u.id) for u in users for _ in range(4)]  # 28 sends
    statuses += [await _send(api, users[0].id), await _send(api, users[1].id)]
    assert statuses == [200] * 30
    fresh = api.user(99)
    response = await call(api, "sendMessage", chat_id=fresh.id, text="x")
    assert response.status == 429
    assert response.payload["parameters"]["retry_after"] == 1
    clock.advance(1 / 30)
    assert await _send(api, fresh.id) == 200


async def test_media_counts_and_edits_do_not(api: FakeBotApi, clock: FakeClock) -> None:
    user = api.user(1)
    message = await ok(api, "sendMessage", chat_id=user.id, text="0")
    for i in range(1, 20):
        await ok(
            api, "editMessageText", chat_id=user.id, message_id=message["message_id"], text=str(i)
        )
    assert [await _send(api, user.id) for _ in range(4)] == [200] * 4
    assert await _send(api, user.id) == 429
    await ok(api, "sendChatAction", chat_id=user.id, action="typing")


async def test_flood_control_can_be_disabled(clock: FakeClock) -> None:
    api = FakeBotApi(limits=Limits(flood_control=False), clock=clock)
    user = api.user(1)
    assert [await _send(api, user.id) for _ in range(100)] == [200] * 100


async def test_limits_are_configurable(clock: FakeClock) -> None:
    api = FakeBotApi(limits=Limits(private_chat_burst=2, private_chat_rate=0.5), clock=clock)
    user = api.user(1)
    assert [await _send(api, user.id) for _ in range(3)] == [200, 200, 429]
    response = await call(api, "sendMessage", chat_id=user.id, text="x")
    assert response.payload["parameters"]["retry_after"] == 2
