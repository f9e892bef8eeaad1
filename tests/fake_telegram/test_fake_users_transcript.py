"""Fake users' updates, the bot transcript, edits, read cursor and button presses."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, InputFile, Update

from pes21_bot.fake_telegram import OWN, FakeBotApi, FakeRequest, UploadedFile

from .fake_api_helpers import PNG_1X1, error, ok

KEYBOARD = {
    "inline_keyboard": [
        [
            {"text": "Oui ✅", "callback_data": "vote:yes"},
            {"text": "Non", "callback_data": "vote:no"},
        ],
        [{"text": "Site", "url": "https://pes21.fr"}],
    ]
}


def _bot(api: FakeBotApi) -> Bot:
    return Bot(api.token, request=FakeRequest(api), get_updates_request=FakeRequest(api))


async def _send(api: FakeBotApi, chat_id: int | str, text: str, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = await ok(api, "sendMessage", chat_id=chat_id, text=text, **extra)
    return result


def test_user_updates_deserialize_with_ptb(free_api: FakeBotApi) -> None:
    user = free_api.user(42, "Alice", "Martin", username="alice", language_code="fr")
    group = free_api.group(-1001, "Bureau")
    bot = Bot(free_api.token)
    raw = [
        user.send_command("start", "source"),
        user.send_text("salut /aide et /menu@pes21_test_bot"),
        user.send_contact("+33600000000"),
        user.send_contact("+33611111111", first_name="Bob", user_id=None),
        user.send_photo(caption="regarde"),
        user.send_sticker(),
        user.send_voice(duration=4),
        user.send_document("adherents.csv", b"nom;prenom\n", mime_type="text/csv"),
        user.send_text("bonjour le groupe", chat=group),
    ]
    updates = [Update.de_json(u, bot) for u in raw]
    ids = [u.update_id for u in updates]
    assert ids == sorted(set(ids))
    start = updates[0].message
    assert start is not None
    assert start.text == "/start source"
    assert start.parse_entities() == {start.entities[0]: "/start"}
    assert start.from_user is not None and start.from_user.language_code == "fr"
    assert start.chat.type == "private" and start.chat.id == 42
    assert [e.offset for e in updates[1].message.entities] == [6, 15]  # type: ignore[union-attr]
    own = updates[2].message.contact  # type: ignore[union-attr]
    assert own is not None and own.user_id == 42 and own.first_name == "Alice"
    foreign = updates[3].message.contact  # type: ignore[union-attr]
    assert foreign is not None and foreign.user_id is None and foreign.first_name == "Bob"
    assert updates[4].message.photo[-1].width == 1  # type: ignore[union-attr]
    assert updates[5].message.sticker is not None  # type: ignore[union-attr]
    assert raw[6]["message"]["voice"]["duration"] == 4
    assert updates[6].message.voice is not None  # type: ignore[union-attr]
    document = updates[7].message.document  # type: ignore[union-attr]
    assert document is not None and document.file_name == "adherents.csv"
    in_group = updates[8].message
    assert (
        in_group is not None and in_group.chat.type == "group" and in_group.chat.title == "Bureau"
    )
    message_ids = [u.message.message_id for u in updates[:8]]  # type: ignore[union-attr]
    assert message_ids == list(range(1, 9))
    assert OWN is not None


async def test_transcript_edits_and_history(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    sent = await _send(
        free_api, user.id, "<b>Vote</b> ouvert", parse_mode="HTML", reply_markup=KEYBOARD
    )
    assert sent["from"]["is_bot"] is True and sent["chat"]["id"] == 1
    edited = await ok(
        free_api, "editMessageText", chat_id=1, message_id=sent["message_id"], text="Vote clos"
    )
    assert "reply_markup" not in edited  # editing without reply_markup removes the keyboard
    assert "edit_date" in edited
    [message] = user.messages
    assert message.text == "Vote clos" and message.edited and message.buttons == []
    assert [(v.text, v.raw_text) for v in message.history] == [
        ("Vote ouvert", "<b>Vote</b> ouvert")
    ]
    assert message.history[0].reply_markup == KEYBOARD
    first = await user.next_message()
    second = await user.next_message()
    assert (first.text, first.edited, first.buttons[0]) == ("Vote ouvert", False, ["Oui ✅", "Non"])
    assert (second.text, second.edited) == ("Vote clos", True)
    assert first.raw_text == "<b>Vote</b> ouvert" and first.parse_mode == "HTML"
    assert user.unread() == []


async def test_edit_errors(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    sent = await _send(free_api, user.id, "Vote", reply_markup=KEYBOARD)
    mid = sent["message_id"]
    assert "message is not modified" in await error(
        free_api, "editMessageText", chat_id=1, message_id=mid, text="Vote", reply_markup=KEYBOARD
    )
    assert "message is not modified" in await error(
        free_api, "editMessageReplyMarkup", chat_id=1, message_id=mid, reply_markup=KEYBOARD
    )
    await ok(free_api, "editMessageReplyMarkup", chat_id=1, message_id=mid)
    assert user.messages[0].buttons == []
    assert await error(free_api, "editMessageText", chat_id=1, message_id=99, text="x") == (
        "Bad Request: message to edit not found"
    )
    incoming = user.send_text("hello")["message"]["message_id"]
    assert await error(free_api, "editMessageText", chat_id=1, message_id=incoming, text="x") == (
        "Bad Request: message can't be edited"
    )


async def test_delete_message(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    sent = await _send(free_api, user.id, "temporaire")
    assert await ok(free_api, "deleteMessage", chat_id=1, message_id=sent["message_id"]) is True
    assert user.messages[0].deleted
    assert await error(free_api, "deleteMessage", chat_id=1, message_id=sent["message_id"]) == (
        "Bad Request: message to delete not found"
    )


async def test_reply_to_message(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    incoming = user.send_text("question")["message"]["message_id"]
    sent = await _send(free_api, 1, "réponse", reply_parameters={"message_id": incoming})
    assert sent["reply_to_message"]["text"] == "question"
    assert user.messages[0].reply_to_message_id == incoming
    assert (
        await error(
            free_api, "sendMessage", chat_id=1, text="x", reply_parameters={"message_id": 404}
        )
        == "Bad Request: message to be replied not found"
    )


async def test_next_message_expect_unread(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    for text in ("un", "deux", "trois", "quatre"):
        await _send(free_api, 1, text)
    assert (await user.next_message(timeout=0.1)).text == "un"
    found = await user.expect("rois", timeout=0.1)
    assert found.text == "trois"
    assert [m.text for m in user.unread(consume=False)] == ["quatre"]
    assert [m.text for m in user.unread()] == ["quatre"]
    assert user.unread() == []
    with pytest.raises(AssertionError, match="recent transcript") as timeout:
        await user.next_message(timeout=0.01)
    assert "'quatre'" in str(timeout.value)
    await _send(free_api, 1, "cinq")
    with pytest.raises(AssertionError, match="'cinq'"):
        await user.expect("six", timeout=0.01)


async def test_listener_gets_every_send_and_edit(free_api: FakeBotApi) -> None:
    seen: list[str] = []
    free_api.add_listener(lambda m: seen.append(f"{m.chat_id}:{m.text}:{m.edited}"))
    free_api.user(1)
    sent = await _send(free_api, 1, "a")
    await ok(free_api, "editMessageText", chat_id=1, message_id=sent["message_id"], text="b")
    assert seen == ["1:a:False", "1:b:True"]


async def test_press_builds_valid_callback(free_api: FakeBotApi) -> None:
    user = free_api.user(1, "Alice")
    await _send(
        free_api,
        1,
        "ancien",
        reply_markup={"inline_keyboard": [[{"text": "Oui ✅", "callback_data": "old"}]]},
    )
    sent = await _send(free_api, 1, "Vote", reply_markup=KEYBOARD)
    await _send(free_api, 1, "sans clavier")
    raw = user.press("Oui ✅")
    query = raw["callback_query"]
    assert query["data"] == "vote:yes"
    assert query["message"]["message_id"] == sent["message_id"]
    assert query["from"]["id"] == 1 and query["chat_instance"]
    update = Update.de_json(raw, Bot(free_api.token))
    assert update.callback_query is not None and update.callback_query.data == "vote:yes"
    assert update.callback_query.message is not None
    assert update.callback_query.message.chat.id == 1
    assert user.press("vote:no")["callback_query"]["data"] == "vote:no"  # by callback_data
    assert user.press("Oui", message=1)["callback_query"]["data"] == "old"  # unique substring
    with pytest.raises(AssertionError, match="Oui ✅"):
        user.press("Peut-être")
    with pytest.raises(AssertionError, match="no callback_data"):
        user.press("Site")
    assert user.messages[1].button_data("Non") == "vote:no"
    async with _bot(free_api) as bot:
        assert await bot.answer_callback_query(query["id"], text="Merci") is True
        with pytest.raises(Exception, match=r"(?i)query is too old"):
            await bot.answer_callback_query(query["id"])
    assert free_api.callback_answers[query["id"]] == {"text": "Merci"}


async def test_press_raw_forged_callbacks(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    bot = Bot(free_api.token)
    with pytest.raises(AssertionError, match="no bot message with an inline keyboard"):
        user.press("x")
    forged = Update.de_json(user.press_raw("admin:delete_all", message_id=77), bot)
    assert forged.callback_query is not None and forged.callback_query.data == "admin:delete_all"
    assert forged.callback_query.message is not None
    assert forged.callback_query.message.date.timestamp() == 0  # inaccessible message
    sent = await _send(free_api, 1, "menu")
    replay = user.press_raw("vote:yes")["callback_query"]
    assert replay["message"]["message_id"] == sent["message_id"]


async def test_group_transcript(free_api: FakeBotApi) -> None:
    group = free_api.group(-5, "CA")
    alice = free_api.user(1)
    alice.send_command("/stats", chat=group)
    await _send(free_api, -5, "Stats du mois")
    assert (await group.next_message(timeout=0.1)).text == "Stats du mois"
    assert alice.messages == []
    chat = await ok(free_api, "getChat", chat_id=-5)
    assert chat["title"] == "CA" and chat["type"] == "group"
    news = free_api.group(-1002, "Actus", supergroup=True, username="pes21_actus")
    sent = await _send(free_api, "@PES21_actus", "Nouvelle")
    assert sent["chat"] == {
        "id": -1002,
        "type": "supergroup",
        "title": "Actus",
        "username": "pes21_actus",
    }
    assert [m.text for m in news.messages] == ["Nouvelle"]


async def test_files_through_ptb(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    async with _bot(free_api) as bot:
        doc = await bot.send_document(
            1,
            InputFile(b"a;b\n1;2\n", filename="export.csv"),
            caption="<b>Export</b>",
            parse_mode="HTML",
        )
        assert doc.document is not None and doc.document.file_name == "export.csv"
        assert doc.caption == "Export"
        photo = await bot.send_photo(1, PNG_1X1, caption="graphique")
        assert photo.photo[-1].file_id
        again = await bot.send_photo(1, photo.photo[-1].file_id)  # resend by file_id
        assert again.photo[-1].file_id == photo.photo[-1].file_id
        upload = user.send_document("liste.txt", b"contenu")["message"]["document"]
        file = await bot.get_file(upload["file_id"])
        assert bytes(await file.download_as_bytearray()) == b"contenu"
    document, picture, resent = user.messages
    assert document.document is not None
    assert (document.document.filename, document.document.content) == ("export.csv", b"a;b\n1;2\n")
    assert document.caption == "Export" and document.raw_caption == "<b>Export</b>"
    assert picture.photo is not None and picture.photo.content == PNG_1X1
    assert resent.photo == picture.photo


async def test_photo_must_be_an_image(free_api: FakeBotApi) -> None:
    free_api.user(1)
    upload = UploadedFile("chart.svg", b"<svg></svg>", "image/svg+xml")
    assert await error(free_api, "sendPhoto", chat_id=1, photo=upload) == (
        "Bad Request: IMAGE_PROCESS_FAILED"
    )
    assert await error(free_api, "sendDocument", chat_id=1, document="unknown-id") == (
        "Bad Request: wrong file identifier/HTTP URL specified"
    )
    empty = UploadedFile("empty.txt", b"")
    assert "non-empty" in await error(free_api, "sendDocument", chat_id=1, document=empty)


async def test_commands_per_scope_and_language(free_api: FakeBotApi) -> None:
    from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat

    free_api.user(42)
    async with _bot(free_api) as bot:
        await bot.set_my_commands([BotCommand("start", "Démarrer")])
        await bot.set_my_commands(
            [BotCommand("admin", "Administration")],
            scope=BotCommandScopeChat(42),
            language_code="fr",
        )
        await bot.set_my_commands(
            [BotCommand("aide", "Aide")], scope=BotCommandScopeAllPrivateChats()
        )
        fetched = await bot.get_my_commands(scope=BotCommandScopeChat(42), language_code="fr")
        assert [c.command for c in fetched] == ["admin"]
        assert await bot.get_my_commands(scope=BotCommandScopeChat(42)) == ()
        await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats())
        with pytest.raises(Exception, match=r"(?i)bot_command_invalid"):
            await bot.set_my_commands([BotCommand("Start", "bad")])
    assert free_api.get_commands() == [{"command": "start", "description": "Démarrer"}]
    assert free_api.get_commands({"type": "chat", "chat_id": 42}, "fr") == [
        {"command": "admin", "description": "Administration"}
    ]
    assert free_api.get_commands({"type": "all_private_chats"}) is None
    scopes = [c.params.get("scope") for c in free_api.calls_to("setMyCommands")]
    assert scopes == [None, {"type": "chat", "chat_id": 42}, {"type": "all_private_chats"}, None]


async def test_misc_methods(free_api: FakeBotApi) -> None:
    user = free_api.user(5, "Eve", username="eve")
    chat = await ok(free_api, "getChat", chat_id=5)
    assert (chat["type"], chat["first_name"], chat["username"]) == ("private", "Eve", "eve")
    assert await ok(free_api, "sendChatAction", chat_id=5, action="typing") is True
    assert "action" in await error(free_api, "sendChatAction", chat_id=5, action="dancing")
    assert await ok(free_api, "close") is True and await ok(free_api, "logOut") is True
    photo = await ok(
        free_api, "sendPhoto", chat_id=5, photo=UploadedFile("p.png", PNG_1X1), caption="avant"
    )
    await ok(
        free_api,
        "editMessageCaption",
        chat_id=5,
        message_id=photo["message_id"],
        caption="<i>après</i>",
        parse_mode="HTML",
    )
    [message] = user.messages
    assert (message.caption, message.history[0].caption) == ("après", "avant")
    assert "there is no text" in await error(
        free_api, "editMessageText", chat_id=5, message_id=photo["message_id"], text="x"
    )


async def test_listener_failure_is_a_500(free_api: FakeBotApi) -> None:
    def broken(_message: object) -> None:
        """A listener that fails."""
        raise RuntimeError("boom")

    free_api.user(1)
    free_api.add_listener(broken)
    description = await error(free_api, "sendMessage", 500, chat_id=1, text="x")
    assert "boom" in description
