"""Inline keyboard rules: callback_data size, one action per button, non-empty text."""

from __future__ import annotations

from typing import Any

import pytest

from pes21_bot.fake_telegram import FakeBotApi

from .fake_api_helpers import error, ok


def _markup(**button: Any) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": "Go", **button}]]}


@pytest.mark.parametrize(
    "data",
    ["x", "a" * 64, "é" * 32, "€" * 21, "😀" * 16],
    ids=["1-byte", "64-ascii", "64-bytes-2b-chars", "63-bytes-3b-chars", "64-bytes-emoji"],
)
async def test_callback_data_within_64_bytes(free_api: FakeBotApi, data: str) -> None:
    chat = free_api.user(1).id
    result = await ok(
        free_api, "sendMessage", chat_id=chat, text="t", reply_markup=_markup(callback_data=data)
    )
    assert result["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == data


@pytest.mark.parametrize(
    "data",
    ["", "a" * 65, "é" * 33, "€" * 22, "😀" * 16 + "a"],
    ids=["empty", "65-ascii", "66-bytes-2b-chars", "66-bytes-3b-chars", "65-bytes-emoji"],
)
async def test_callback_data_over_64_bytes(free_api: FakeBotApi, data: str) -> None:
    chat = free_api.user(1).id
    description = await error(
        free_api, "sendMessage", chat_id=chat, text="t", reply_markup=_markup(callback_data=data)
    )
    assert description.startswith("Bad Request: BUTTON_DATA_INVALID")


@pytest.mark.parametrize(
    ("button", "fragment"),
    [
        ({}, "Text buttons are unallowed"),
        ({"callback_data": "a", "url": "https://e.org"}, "exactly one action"),
        ({"callback_data": "a", "text": ""}, "text must be non-empty"),
        ({"url": "javascript:alert(1)"}, "BUTTON_URL_INVALID"),
    ],
)
async def test_invalid_buttons(free_api: FakeBotApi, button: dict[str, Any], fragment: str) -> None:
    chat = free_api.user(1).id
    description = await error(
        free_api, "sendMessage", chat_id=chat, text="t", reply_markup=_markup(**button)
    )
    assert fragment in description


async def test_layout_fields_are_not_actions(free_api: FakeBotApi) -> None:
    chat = free_api.user(1).id
    markup = _markup(callback_data="a", style="success")
    await ok(free_api, "sendMessage", chat_id=chat, text="t", reply_markup=markup)


async def test_reply_keyboard(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    markup = {"keyboard": [[{"text": "Oui"}, {"text": "Non"}]], "one_time_keyboard": True}
    result = await ok(free_api, "sendMessage", chat_id=user.id, text="t", reply_markup=markup)
    assert "reply_markup" not in result  # only inline keyboards are part of the Message
    assert user.messages[-1].buttons == [["Oui", "Non"]]
    bad = {"keyboard": [[{"text": ""}]]}
    assert "non-empty" in await error(
        free_api, "sendMessage", chat_id=user.id, text="t", reply_markup=bad
    )
