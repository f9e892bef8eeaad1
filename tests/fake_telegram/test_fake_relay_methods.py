"""copyMessage, forum topics (createForumTopic, closeForumTopic, message_thread_id) and user
replies, as the Bot API describes them."""

from __future__ import annotations

from pes21_bot.fake_telegram import FakeBotApi

from .fake_api_helpers import error, ok

FORUM = -100123


async def test_copy_message_of_a_photo_replaces_its_caption(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    staff = free_api.user(2)
    sent = user.send_photo(caption="original")["message"]
    copied = await ok(
        free_api,
        "copyMessage",
        chat_id=staff.id,
        from_chat_id=user.id,
        message_id=sent["message_id"],
        caption="<b>Zoé</b> : original",
        parse_mode="HTML",
    )
    assert set(copied) == {"message_id"}  # a MessageId, not a Message
    message = free_api.bot_message(staff.id, copied["message_id"])
    assert message.kind == "photo" and message.caption == "Zoé : original"
    assert message.photo is not None
    assert message.photo.file_id == sent["photo"][-1]["file_id"]


async def test_copy_message_of_a_text_and_a_voice(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    staff = free_api.user(2)
    text = user.send_text("bonjour")["message"]
    voice = user.send_voice()["message"]
    first = await ok(
        free_api,
        "copyMessage",
        chat_id=staff.id,
        from_chat_id=user.id,
        message_id=text["message_id"],
    )
    assert free_api.bot_message(staff.id, first["message_id"]).text == "bonjour"
    second = await ok(
        free_api,
        "copyMessage",
        chat_id=staff.id,
        from_chat_id=user.id,
        message_id=voice["message_id"],
    )
    assert free_api.bot_message(staff.id, second["message_id"]).kind == "voice"


async def test_copy_message_refuses_what_does_not_exist(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    staff = free_api.user(2)
    description = await error(
        free_api, "copyMessage", chat_id=staff.id, from_chat_id=user.id, message_id=999
    )
    assert "message to copy not found" in description
    sticker = user.send_sticker()["message"]
    description = await error(
        free_api,
        "copyMessage",
        chat_id=staff.id,
        from_chat_id=user.id,
        message_id=sticker["message_id"],
    )
    assert "can't be copied" in description


async def test_copy_message_to_a_blocked_user_is_403(free_api: FakeBotApi) -> None:
    user = free_api.user(1)
    text = user.send_text("bonjour")["message"]
    user.block_bot()
    description = await error(
        free_api,
        "copyMessage",
        403,
        chat_id=user.id,
        from_chat_id=user.id,
        message_id=text["message_id"],
    )
    assert "blocked" in description


async def test_forum_topics_are_created_used_and_closed(free_api: FakeBotApi) -> None:
    free_api.group(FORUM, "Équipe", forum=True)
    chat = await ok(free_api, "getChat", chat_id=FORUM)
    assert chat["is_forum"] is True and chat["type"] == "supergroup"
    topic = await ok(free_api, "createForumTopic", chat_id=FORUM, name="📂 PES-2026-0001")
    thread = topic["message_thread_id"]
    assert topic["name"] == "📂 PES-2026-0001" and free_api.topic_name(FORUM, thread)
    sent = await ok(free_api, "sendMessage", chat_id=FORUM, text="fiche", message_thread_id=thread)
    assert sent["message_thread_id"] == thread and sent["is_topic_message"] is True
    assert free_api.bot_message(FORUM, sent["message_id"]).thread_id == thread
    wrong = await error(free_api, "sendMessage", chat_id=FORUM, text="x", message_thread_id=999)
    assert "thread not found" in wrong
    assert await ok(free_api, "closeForumTopic", chat_id=FORUM, message_thread_id=thread) is True
    assert free_api.topic_closed(FORUM, thread)
    closed = await error(free_api, "sendMessage", chat_id=FORUM, text="x", message_thread_id=thread)
    assert "TOPIC_CLOSED" in closed


async def test_topics_only_in_forums(free_api: FakeBotApi) -> None:
    free_api.group(-5, "Petit groupe")
    description = await error(free_api, "createForumTopic", chat_id=-5, name="x")
    assert "not a forum" in description
    # Outside a forum, message_thread_id is ignored, as Telegram does.
    sent = await ok(free_api, "sendMessage", chat_id=-5, text="x", message_thread_id=3)
    assert "message_thread_id" not in sent


async def test_users_reply_and_write_in_topics(free_api: FakeBotApi) -> None:
    group = free_api.group(FORUM, "Équipe", forum=True)
    staff = free_api.user(2)
    topic = await ok(free_api, "createForumTopic", chat_id=FORUM, name="t")
    thread = topic["message_thread_id"]
    card = await ok(free_api, "sendMessage", chat_id=FORUM, text="fiche", message_thread_id=thread)
    in_topic = staff.send_text("réponse", chat=group, thread=thread)["message"]
    assert in_topic["is_topic_message"] and in_topic["message_thread_id"] == thread
    assert in_topic["reply_to_message"]["forum_topic_created"]["name"] == "t"
    reply = staff.send_text("à la fiche", chat=group, thread=thread, reply_to=card["message_id"])
    assert reply["message"]["reply_to_message"]["text"] == "fiche"
