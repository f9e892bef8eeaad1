"""The fake users and groups tests act with, and their read side (transcripts, cursors)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pes21_bot.fake_telegram.models import BotMessage, JSONDict
from pes21_bot.fake_telegram.payloads import TINY_PNG, command_entities, document_dict, photo_sizes

if TYPE_CHECKING:
    from pes21_bot.fake_telegram.core import FakeBotApi


class _Own:
    """Marker type of :data:`OWN`."""

    def __repr__(self) -> str:
        return "OWN"


#: Default of ``FakeUser.send_contact(user_id=...)``: share the user's own contact.
OWN = _Own()


class _ChatView:
    """Read side shared by users (their private chat) and groups."""

    def __init__(self, api: FakeBotApi, chat_id: int) -> None:
        self.api = api
        self.chat_id = chat_id

    @property
    def messages(self) -> list[BotMessage]:
        """Snapshots of every bot message in this chat."""
        return self.api.messages(self.chat_id)

    @property
    def last_message(self) -> BotMessage | None:
        """The latest bot message in this chat (None if none)."""
        messages = self.messages
        return messages[-1] if messages else None

    async def next_message(self, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Next bot message/edit in this chat not consumed yet (AssertionError on timeout)."""
        return await self.api.next_message(self.chat_id, timeout)

    async def expect(self, contains: str, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Consume bot messages until one contains ``contains``."""
        return await self.api.expect(self.chat_id, contains, timeout)

    def unread(self, consume: bool = True) -> list[BotMessage]:
        """Bot messages/edits not consumed yet, without waiting."""
        return self.api.unread(self.chat_id, consume)


class FakeGroup(_ChatView):
    """A group chat; users post in it with ``user.send_text(..., chat=group)``."""

    def __init__(self, api: FakeBotApi, chat_id: int, title: str) -> None:
        super().__init__(api, chat_id)
        self.id = chat_id
        self.title = title


class FakeUser(_ChatView):
    """A Telegram user talking to the bot; every action enqueues one update."""

    def __init__(
        self,
        api: FakeBotApi,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> None:
        super().__init__(api, user_id)
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code

    def as_dict(self) -> JSONDict:
        """The Telegram ``User`` object of this user."""
        data: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    @property
    def blocked(self) -> bool:
        """Whether this user currently blocks the bot."""
        return self.api._chat(self.id).blocked

    def _chat_id(self, chat: FakeGroup | None) -> int:
        return self.id if chat is None else chat.id

    def send_text(
        self,
        text: str,
        chat: FakeGroup | None = None,
        reply_to: int | None = None,
        thread: int | None = None,
    ) -> JSONDict:
        """Send a text message (bot_command entities are added like Telegram does), optionally
        as a reply to message ``reply_to`` or in the forum topic ``thread`` of a group."""
        content: JSONDict = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        return self.api._enqueue_message(self, self._chat_id(chat), content, reply_to, thread)

    def edit_text(self, sent: JSONDict, text: str) -> JSONDict:
        """Edit one of my text messages (``sent``: the update that sent it), as Telegram's
        "Modifier" does: the bot receives an edited_message with the same message id."""
        message = sent["message"]
        return self.api._enqueue_edit(self, message["chat"]["id"], message["message_id"], text)

    def send_command(self, command: str, args: str = "", chat: FakeGroup | None = None) -> JSONDict:
        """Send ``/command args`` (``command`` with or without the leading slash)."""
        text = command if command.startswith("/") else f"/{command}"
        if args:
            text = f"{text} {args}"
        return self.send_text(text, chat)

    def send_contact(
        self,
        phone_number: str,
        first_name: str | None = None,
        user_id: int | _Own | None = OWN,
        chat: FakeGroup | None = None,
    ) -> JSONDict:
        """Share a contact; by default the user's own (user_id=OWN), None for a foreign one."""
        contact: JSONDict = {"phone_number": phone_number}
        if isinstance(user_id, _Own):
            contact["first_name"] = first_name or self.first_name
            contact["user_id"] = self.id
            if self.last_name and first_name is None:
                contact["last_name"] = self.last_name
        else:
            contact["first_name"] = first_name or "Contact"
            if user_id is not None:
                contact["user_id"] = user_id
        return self.api._enqueue_message(self, self._chat_id(chat), {"contact": contact})

    def send_photo(
        self,
        content: bytes = TINY_PNG,
        caption: str | None = None,
        chat: FakeGroup | None = None,
        reply_to: int | None = None,
        thread: int | None = None,
    ) -> JSONDict:
        """Send a photo (two PhotoSize entries, downloadable via getFile)."""
        stored = self.api._register_file(content, "photo.png", "image/png", "photos")
        message: JSONDict = {"photo": photo_sizes(stored)}
        if caption:
            message["caption"] = caption
        return self.api._enqueue_message(self, self._chat_id(chat), message, reply_to, thread)

    def send_sticker(self, emoji: str = "👍", chat: FakeGroup | None = None) -> JSONDict:
        """Send a regular sticker."""
        stored = self.api._register_file(
            b"RIFF-fake-webp", "sticker.webp", "image/webp", "stickers"
        )
        sticker: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.size,
        }
        return self.api._enqueue_message(self, self._chat_id(chat), {"sticker": sticker})

    def send_voice(self, duration: int = 3, chat: FakeGroup | None = None) -> JSONDict:
        """Send a voice note."""
        stored = self.api._register_file(b"OggS-fake-voice", "voice.ogg", "audio/ogg", "voice")
        voice: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.size,
        }
        return self.api._enqueue_message(self, self._chat_id(chat), {"voice": voice})

    def send_document(
        self,
        filename: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat: FakeGroup | None = None,
    ) -> JSONDict:
        """Send a document; the bot can download it with getFile."""
        stored = self.api._register_file(content, filename, mime_type, "documents")
        message: JSONDict = {"document": document_dict(stored)}
        if caption:
            message["caption"] = caption
        return self.api._enqueue_message(self, self._chat_id(chat), message)

    def press(
        self,
        button: str,
        message: BotMessage | int | None = None,
        chat: FakeGroup | None = None,
    ) -> JSONDict:
        """Press an inline button (by text, else callback_data) and enqueue the callback_query.

        ``message`` is a BotMessage or message id; default: the latest bot message of the chat
        carrying an inline keyboard.
        """
        api = self.api
        state = api._chat(self._chat_id(chat))
        if message is None:
            candidates = [m for m in state.transcript if m.has_inline_keyboard and not m.deleted]
            if not candidates:
                raise AssertionError(
                    f"no bot message with an inline keyboard in chat {state.id}; transcript:\n"
                    + api.format_transcript(state.id)
                )
            target = candidates[-1]
        else:
            message_id = message if isinstance(message, int) else message.message_id
            found = state.bot_messages.get(message_id)
            if found is None or found.deleted:
                raise AssertionError(f"no bot message #{message_id} in chat {state.id}")
            target = found
        chosen = _find_button(target, button)
        data = chosen.get("callback_data")
        if data is None:
            raise AssertionError(f"button {button!r} has no callback_data: {chosen}")
        raw = state.messages.get(target.message_id) or api._message_dict(state, target)
        return api._enqueue_callback(self, state, dict(raw), str(data))

    def press_raw(
        self, data: str, message_id: int | None = None, chat: FakeGroup | None = None
    ) -> JSONDict:
        """Enqueue a forged/replayed callback_query with arbitrary ``data``.

        The attached message is the given bot message (an inaccessible message if it does not
        exist), or the latest bot message of the chat.
        """
        api = self.api
        state = api._chat(self._chat_id(chat))
        if message_id is None and state.transcript:
            message_id = state.transcript[-1].message_id
        raw = state.messages.get(message_id) if message_id is not None else None
        if raw is None:
            raw = {"chat": dict(state.info), "message_id": message_id or 1, "date": 0}
        return api._enqueue_callback(self, state, dict(raw), data)

    def add_bot(self, group: FakeGroup) -> JSONDict:
        """Add the bot to ``group`` (enqueues my_chat_member, as Telegram does)."""
        return self.api._add_bot(self, group)

    def block_bot(self) -> None:
        """Block the bot: later sends to this chat fail with 403 (enqueues my_chat_member)."""
        self.api._set_blocked(self, True)

    def unblock_bot(self) -> None:
        """Unblock the bot (enqueues my_chat_member)."""
        self.api._set_blocked(self, False)


def _find_button(message: BotMessage, wanted: str) -> JSONDict:
    buttons = [b for row in message.inline_buttons for b in row]
    for key in ("text", "callback_data"):
        for button in buttons:
            if button.get(key) == wanted:
                return button
    partial = [b for b in buttons if wanted in str(b.get("text", ""))]
    if len(partial) == 1:
        return partial[0]
    raise AssertionError(
        f"no inline button {wanted!r} on bot message #{message.message_id} "
        f"({message.content[:80]!r}); buttons: {message.buttons}"
    )
