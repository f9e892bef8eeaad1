"""SqlPersistence: what one instance writes, a new instance on the same database reads back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram.ext import PersistenceInput

from pes21_bot.db.persistence import SqlPersistence
from pes21_bot.db.session import SessionFactory

BIG_USER_ID = 7_123_456_789  # Telegram ids no longer fit in 32 bits
GROUP_ID = -1_001_234_567_890


async def test_conversation_states_survive_a_restart(session_factory: SessionFactory) -> None:
    first = SqlPersistence(session_factory)
    assert await first.get_conversations("intake") == {}
    await first.update_conversation("intake", (GROUP_ID, BIG_USER_ID), 2)
    await first.update_conversation("intake", (42, 42), "ASK_NAME")
    await first.update_conversation("intake", (42, 42), "ASK_EMAIL")  # an existing row changes
    await first.update_conversation("intake", (42, "inline-id"), [1, "two"])
    await first.update_conversation("review", (42,), 0)
    assert await first.get_conversations("intake") == {
        (GROUP_ID, BIG_USER_ID): 2,
        (42, 42): "ASK_EMAIL",
        (42, "inline-id"): [1, "two"],
    }

    second = SqlPersistence(session_factory)
    assert await second.get_conversations("intake") == {
        (GROUP_ID, BIG_USER_ID): 2,
        (42, 42): "ASK_EMAIL",
        (42, "inline-id"): [1, "two"],
    }
    assert await second.get_conversations("review") == {(42,): 0}
    assert await second.get_conversations("unknown") == {}


async def test_none_state_deletes_the_conversation(session_factory: SessionFactory) -> None:
    first = SqlPersistence(session_factory)
    await first.update_conversation("intake", (1, 2), 3)
    await first.update_conversation("intake", (1, 3), 4)
    await first.update_conversation("intake", (1, 2), None)
    await first.update_conversation("intake", (9, 9), None)  # nothing stored: no error
    assert await first.get_conversations("intake") == {(1, 3): 4}

    second = SqlPersistence(session_factory)
    assert await second.get_conversations("intake") == {(1, 3): 4}
    await second.update_conversation("intake", (1, 3), None)  # with the cache loaded
    assert await second.get_conversations("intake") == {}
    assert await SqlPersistence(session_factory).get_conversations("intake") == {}


async def test_user_and_chat_data_survive_a_restart(session_factory: SessionFactory) -> None:
    first = SqlPersistence(session_factory, PersistenceInput(bot_data=False, callback_data=False))
    assert await first.get_user_data() == {}
    assert await first.get_chat_data() == {}
    user_data: dict[Any, Any] = {"lang": "fr", "draft": {"answers": [1, 2.5, None, True]}}
    await first.update_user_data(BIG_USER_ID, user_data)
    await first.update_user_data(5, {"step": 1})
    await first.update_user_data(5, {"step": 2})  # an existing row changes
    await first.update_chat_data(GROUP_ID, {"cards": {"12": 34}})

    second = SqlPersistence(session_factory)
    assert await second.get_user_data() == {BIG_USER_ID: user_data, 5: {"step": 2}}
    assert await second.get_chat_data() == {GROUP_ID: {"cards": {"12": 34}}}


async def test_drop_user_and_chat_data(session_factory: SessionFactory) -> None:
    first = SqlPersistence(session_factory)
    await first.update_user_data(1, {"a": 1})
    await first.update_user_data(2, {"b": 2})
    await first.update_chat_data(1, {"c": 3})  # same id, other kind: kept
    await first.get_user_data()
    await first.drop_user_data(1)
    await first.drop_user_data(99)  # unknown id: no error
    await first.drop_chat_data(GROUP_ID)
    assert await first.get_user_data() == {2: {"b": 2}}

    second = SqlPersistence(session_factory)
    assert await second.get_user_data() == {2: {"b": 2}}
    assert await second.get_chat_data() == {1: {"c": 3}}
    await second.drop_chat_data(1)
    assert await second.get_chat_data() == {}
    assert await SqlPersistence(session_factory).get_chat_data() == {}


async def test_bot_and_callback_data_survive_a_restart(session_factory: SessionFactory) -> None:
    first = SqlPersistence(session_factory)
    assert await first.get_bot_data() == {}
    assert await first.get_callback_data() is None
    await first.update_bot_data({"maintenance": False})
    callback_data = ([("kb1", 1_700_000_000.5, {"btn1": "yes", "btn2": [1, 2]})], {"q1": "kb1"})
    await first.update_callback_data(callback_data)

    second = SqlPersistence(session_factory)
    assert await second.get_bot_data() == {"maintenance": False}
    assert await second.get_callback_data() == callback_data


async def test_get_returns_copies_and_loads_once(session_factory: SessionFactory) -> None:
    first = SqlPersistence(session_factory)
    await first.update_user_data(1, {"a": [1]})
    loaded = await first.get_user_data()
    loaded[1]["a"].append(2)
    assert await first.get_user_data() == {1: {"a": [1]}}

    # Like PTB's own persistences, the data is read once: this process is its only writer.
    await SqlPersistence(session_factory).update_user_data(2, {"b": 2})
    assert await first.get_user_data() == {1: {"a": [1]}}
    assert await SqlPersistence(session_factory).get_user_data() == {1: {"a": [1]}, 2: {"b": 2}}


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({1: "int key"}, id="int-key"),
        pytest.param({"pair": (1, 2)}, id="tuple"),
        pytest.param({"when": datetime(2024, 1, 1, tzinfo=UTC)}, id="datetime"),
        pytest.param({"x": float("nan")}, id="nan"),
    ],
)
async def test_non_json_data_is_refused(session_factory: SessionFactory, data: Any) -> None:
    persistence = SqlPersistence(session_factory)
    await persistence.get_user_data()
    with pytest.raises(TypeError, match="JSON"):
        await persistence.update_user_data(1, data)
    with pytest.raises(TypeError, match="JSON"):
        await persistence.update_conversation("intake", (1, 1), data)
    assert await persistence.get_user_data() == {}
    assert await SqlPersistence(session_factory).get_user_data() == {}
    assert await SqlPersistence(session_factory).get_conversations("intake") == {}


async def test_concurrent_updates_like_update_persistence(session_factory: SessionFactory) -> None:
    persistence = SqlPersistence(session_factory)
    await persistence.get_conversations("intake")
    # Application.update_persistence gathers all its writes at once.
    await asyncio.gather(
        *(persistence.update_user_data(user_id, {"n": user_id}) for user_id in range(20)),
        *(persistence.update_chat_data(chat_id, {"n": chat_id}) for chat_id in range(20)),
        *(persistence.update_conversation("intake", (n, n), n) for n in range(20)),
        *(persistence.update_conversation("intake", (n, n), None) for n in range(20, 25)),
    )
    await persistence.flush()

    restarted = SqlPersistence(session_factory)
    assert await restarted.get_user_data() == {n: {"n": n} for n in range(20)}
    assert await restarted.get_chat_data() == {n: {"n": n} for n in range(20)}
    assert await restarted.get_conversations("intake") == {(n, n): n for n in range(20)}


async def test_refresh_methods_leave_data_alone(session_factory: SessionFactory) -> None:
    persistence = SqlPersistence(session_factory, update_interval=5)
    data: dict[Any, Any] = {"a": 1}
    await persistence.refresh_user_data(1, data)
    await persistence.refresh_chat_data(1, data)
    await persistence.refresh_bot_data(data)
    assert data == {"a": 1}
    assert persistence.update_interval == 5


async def test_column_lengths_are_checked_on_every_backend(
    session_factory: SessionFactory,
) -> None:
    persistence = SqlPersistence(session_factory)
    with pytest.raises(ValueError, match="conversation name"):
        await persistence.update_conversation("n" * 101, (1, 1), 1)
    with pytest.raises(ValueError, match="conversation key"):
        await persistence.update_conversation("intake", ("k" * 200,), 1)
    assert await persistence.get_conversations("intake") == {}
