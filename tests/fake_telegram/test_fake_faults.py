"""Injected faults and blocked users, seen by the core and by a real PTB Bot."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from pes21_bot.fake_telegram import FakeBotApi, FakeRequest, SimulatedTimeout

from .fake_api_helpers import call, error, ok


def _bot(api: FakeBotApi) -> Bot:
    return Bot(api.token, request=FakeRequest(api), get_updates_request=FakeRequest(api))


async def test_429_fault(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    free_api.inject_fault("sendMessage", "429", times=2, retry_after=7)
    for _ in range(2):
        response = await call(free_api, "sendMessage", chat_id=user.id, text="x")
        assert response.status == 429
        assert response.payload == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        }
    await ok(free_api, "sendMessage", chat_id=user.id, text="x")
    assert len(user.messages) == 1


async def test_500_and_403_faults(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    free_api.inject_fault(None, "500")
    assert await error(free_api, "getMe", 500) == "Internal Server Error"
    free_api.inject_fault("sendMessage", "403")
    description = await error(free_api, "sendMessage", 403, chat_id=user.id, text="x")
    assert description == "Forbidden: bot was blocked by the user"
    await ok(free_api, "sendMessage", chat_id=user.id, text="x")


async def test_timeout_fault_in_core(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    free_api.inject_fault("sendMessage", "timeout")
    with pytest.raises(SimulatedTimeout):
        await call(free_api, "sendMessage", chat_id=user.id, text="x")
    assert user.messages == []  # a timed-out call is not executed
    assert free_api.calls[-1].status == 0


async def test_fault_filters(free_api: FakeBotApi) -> None:
    alice, bob = free_api.user(1), free_api.user(2)
    free_api.inject_fault("sendMessage", "500", chat_id=bob.id)
    free_api.inject_fault(None, "500")
    # method=None never hits getUpdates (the poller), only other methods.
    assert await ok(free_api, "getUpdates") == []
    await error(free_api, "sendChatAction", 500, chat_id=alice.id, action="typing")
    await ok(free_api, "sendMessage", chat_id=alice.id, text="x")
    await error(free_api, "sendMessage", 500, chat_id=bob.id, text="x")
    await ok(free_api, "sendMessage", chat_id=bob.id, text="x")
    free_api.inject_fault("getUpdates", "500", times=3)
    free_api.clear_faults()
    assert await ok(free_api, "getUpdates") == []
    with pytest.raises(ValueError, match="unknown method"):
        free_api.inject_fault("sendTelepathy", "500")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_faults_map_to_ptb_exceptions(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    async with _bot(free_api) as bot:
        free_api.inject_fault("sendMessage", "429", retry_after=3)
        with pytest.raises(RetryAfter, match=r"Retry in (3 seconds|0:00:03)"):
            await bot.send_message(user.id, "x")
        free_api.inject_fault("sendMessage", "500")
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(user.id, "x")
        free_api.inject_fault("sendMessage", "403")
        with pytest.raises(Forbidden, match="blocked"):
            await bot.send_message(user.id, "x")
        free_api.inject_fault("sendMessage", "timeout")
        with pytest.raises(TimedOut):
            await bot.send_message(user.id, "x")
        message = await bot.send_message(user.id, "finally")
        assert message.text == "finally"


async def test_block_bot(free_api: FakeBotApi) -> None:
    user = free_api.user(1, "Alice")
    user.block_bot()
    assert user.blocked
    update = free_api.pending_updates[-1]
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    async with _bot(free_api) as bot:
        with pytest.raises(Forbidden, match="Forbidden: bot was blocked by the user"):
            await bot.send_message(user.id, "x")
        with pytest.raises(Forbidden):
            await bot.send_chat_action(user.id, "typing")
        user.unblock_bot()
        assert free_api.pending_updates[-1]["my_chat_member"]["new_chat_member"]["status"] == (
            "member"
        )
        await bot.send_message(user.id, "welcome back")
        updates = await bot.get_updates()
        assert updates[0].my_chat_member is not None
        assert updates[0].my_chat_member.new_chat_member.status == "kicked"
    assert [m.text for m in user.messages] == ["welcome back"]
