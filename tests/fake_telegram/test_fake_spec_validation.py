"""Spec-driven validation of calls: methods, parameters, types and tokens."""

from __future__ import annotations

import json

from pes21_bot.fake_telegram import FakeBotApi, load_spec

from .fake_api_helpers import call, error, ok


def test_spec_is_loaded_once() -> None:
    assert load_spec() is load_spec()
    assert load_spec().version == "Bot API 10.0"
    assert load_spec().method("SENDMESSAGE") is load_spec().method("sendMessage")


async def test_unknown_method_is_404(api: FakeBotApi) -> None:
    response = await call(api, "sendTelepathy", chat_id=1)
    assert response.status == 404
    assert response.payload == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_wrong_token_is_401(api: FakeBotApi) -> None:
    response = await call(api, "getMe", token="999:WRONG")
    assert response.status == 401
    assert response.payload == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_parameter_is_400_naming_it(api: FakeBotApi) -> None:
    api.user(1)
    description = await error(api, "sendMessage", chat_id=1, text="hi", colour="blue")
    assert description.startswith("Bad Request: ")
    assert '"colour"' in description


async def test_missing_required_parameter_is_400_naming_it(api: FakeBotApi) -> None:
    api.user(1)
    description = await error(api, "sendMessage", chat_id=1)
    assert '"text"' in description and "required" in description
    assert '"chat_id"' in await error(api, "sendMessage", text="hi")


async def test_parameterless_method_rejects_parameters(api: FakeBotApi) -> None:
    assert '"foo"' in await error(api, "getMe", foo=1)


async def test_type_checks(api: FakeBotApi) -> None:
    api.user(1)
    assert '"text"' in await error(api, "sendMessage", chat_id=1, text={"a": 1})
    assert '"disable_notification"' in await error(
        api, "sendMessage", chat_id=1, text="x", disable_notification="maybe"
    )
    assert '"message_id"' in await error(api, "deleteMessage", chat_id=1, message_id="abc")
    assert '"reply_markup"' in await error(
        api, "sendMessage", chat_id=1, text="x", reply_markup="not json"
    )
    assert '"reply_markup"' in await error(
        api, "sendMessage", chat_id=1, text="x", reply_markup={"unknown": True}
    )


async def test_form_style_string_values_are_coerced(api: FakeBotApi) -> None:
    api.user(1)
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    result = await ok(
        api,
        "sendMessage",
        chat_id="1",
        text="x",
        disable_notification="true",
        reply_markup=json.dumps(markup),
    )
    assert result["reply_markup"] == markup
    assert api.calls[-1].params["chat_id"] == 1
    assert api.calls[-1].params["disable_notification"] is True


async def test_nested_objects_are_checked(api: FakeBotApi) -> None:
    description = await error(api, "setMyCommands", commands=[{"command": "start"}])
    assert '"description"' in description
    assert "scope" in await error(api, "setMyCommands", commands=[], scope={"type": "everybody"})


async def test_method_names_are_case_insensitive(api: FakeBotApi) -> None:
    me = await ok(api, "getme")
    assert me["username"] == "pes21_test_bot"
    assert me["is_bot"] is True
    assert me["id"] == 123456
    assert api.calls[-1].method == "getMe"


async def test_known_but_unsimulated_method(api: FakeBotApi) -> None:
    api.user(1)
    description = await error(api, "sendDice", chat_id=1)
    assert description == "Bad Request: method not simulated by the fake"
    # Validation still runs first.
    assert '"bogus"' in await error(api, "sendDice", chat_id=1, bogus=1)


async def test_unknown_chat(api: FakeBotApi) -> None:
    assert await error(api, "sendMessage", chat_id=777, text="x") == "Bad Request: chat not found"
    assert await error(api, "sendMessage", chat_id="@nobody", text="x") == (
        "Bad Request: chat not found"
    )


async def test_calls_are_recorded(api: FakeBotApi) -> None:
    api.user(1)
    await ok(api, "sendMessage", chat_id=1, text="x")
    await call(api, "nope")
    assert [(c.method, c.status) for c in api.calls] == [("sendMessage", 200), ("nope", 404)]
    assert api.calls_to("sendmessage")[0].params == {"chat_id": 1, "text": "x"}
