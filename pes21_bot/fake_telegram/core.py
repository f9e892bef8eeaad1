"""Transport-independent core of the fake Telegram Bot API (state, validation, methods)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pes21_bot.fake_telegram.errors import (
    ApiError,
    ApiResponse,
    JSONDict,
    SimulatedTimeout,
    bad_request,
)
from pes21_bot.fake_telegram.formatting import EntityParseError, ParsedText, parse_text
from pes21_bot.fake_telegram.limits import (
    GET_FILE_MAX_BYTES,
    SEND_METHODS,
    Clock,
    FloodControl,
    Limits,
)
from pes21_bot.fake_telegram.models import (
    ApiCall,
    BotMessage,
    Fault,
    FaultKind,
    MessageVersion,
    StoredFile,
)
from pes21_bot.fake_telegram.payloads import command_entities, document_dict, photo_sizes
from pes21_bot.fake_telegram.spec import BotApiSpec, UploadedFile, load_spec
from pes21_bot.fake_telegram.users import FakeGroup, FakeUser

_LOGGER = logging.getLogger(__name__)

BLOCKED_DESCRIPTION = "Forbidden: bot was blocked by the user"
LEFT_DESCRIPTION = "Forbidden: bot is not a member of the group chat"
CONFLICT_DESCRIPTION = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_LAYOUT_FIELDS = frozenset({"text", "icon_custom_emoji_id", "style"})
_BOT_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


class _Signal:
    """Condition-like broadcast primitive that can be notified from synchronous code."""

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def notify_all(self) -> None:
        """Wake every waiter."""
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait(self, within: float | None) -> bool:
        """Wait for the next notification; False after ``within`` seconds."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await asyncio.wait_for(fut, within)
        except TimeoutError:
            return False
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(fut)
        return True

    async def wait_until(self, predicate: Callable[[], bool], within: float | None) -> bool:
        """Wait until ``predicate()`` is true; return False after ``within`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = None if within is None else loop.time() + within
        while not predicate():
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            await self.wait(remaining)
        return True


@dataclass
class _Chat:
    id: int
    type: str
    info: JSONDict
    username: str | None = None
    next_message_id: int = 1
    messages: dict[int, JSONDict] = field(default_factory=dict)
    bot_messages: dict[int, BotMessage] = field(default_factory=dict)
    transcript: list[BotMessage] = field(default_factory=list)
    events: list[BotMessage] = field(default_factory=list)
    cursor: int = 0
    blocked: bool = False
    # The bot left this group (leaveChat): sends to it are refused.
    left: bool = False
    # Forum supergroups: topic id (its creation message's id) -> name, and the closed ones.
    topics: dict[int, str] = field(default_factory=dict)
    closed_topics: set[int] = field(default_factory=set)
    # Per chat, so a new message wakes only the tests waiting on this chat (not every user).
    signal: _Signal = field(default_factory=_Signal)

    @property
    def is_private(self) -> bool:
        """Whether this is a private chat with a user."""
        return self.type == "private"

    def take_message_id(self) -> int:
        """Allocate the next message id of the chat."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


class FakeBotApi:
    """In-memory Telegram Bot API: validates calls against the spec and simulates a few users."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "pes21_test_bot",
        limits: Limits | None = None,
        clock: Clock | None = None,
        bot_first_name: str = "PES21 Test Bot",
    ) -> None:
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", token):
            raise ValueError(f"not a bot token: {token!r}")
        self.token = token
        self.bot_username = bot_username
        self.limits = limits or Limits()
        self.clock: Clock = clock or time.monotonic
        self.spec: BotApiSpec = load_spec()
        self.bot_user: JSONDict = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.calls: list[ApiCall] = []
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.callback_answers: dict[str, JSONDict] = {}
        self.flood = FloodControl(self.limits, lambda: self.clock())
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, FakeGroup] = {}
        self._pending: list[JSONDict] = []
        self._fetched_up_to = 0
        self._update_ids = itertools.count(10_001)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._callbacks: dict[str, JSONDict] = {}
        self._callback_times: dict[str, float] = {}
        self._files: dict[str, StoredFile] = {}
        self._file_paths: dict[str, StoredFile] = {}
        # Local mode (telegram-bot-api --local): getFile writes the file under this folder and
        # answers its absolute path; nothing is served over HTTP.
        self.local_files: Path | None = None
        self._faults: list[Fault] = []
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._updates_signal = _Signal()
        self._idle_signal = _Signal()
        self._calls_signal = _Signal()
        self._listeners: list[Callable[[BotMessage], None]] = []
        self._answer_listeners: list[Callable[[int, str], None]] = []
        action_fields = self.spec.types["InlineKeyboardButton"].fields
        self._button_actions = frozenset(action_fields) - _BUTTON_LAYOUT_FIELDS
        self._handlers: dict[str, Callable[[JSONDict], Any]] = {
            "getMe": self._get_me,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "getFile": self._get_file,
            "copyMessage": self._copy_message,
            "createForumTopic": self._create_forum_topic,
            "closeForumTopic": self._close_forum_topic,
            "leaveChat": self._leave_chat,
            "close": lambda _params: True,
            "logOut": lambda _params: True,
        }

    # ------------------------------------------------------------------ public test API

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "fr",
    ) -> FakeUser:
        """Return the fake user ``user_id`` (created on first call; private chat id == user id)."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        if user_id <= 0:
            raise ValueError("user ids must be positive")
        user = FakeUser(self, user_id, first_name, last_name, username, language_code)
        info: JSONDict = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name:
            info["last_name"] = last_name
        if username:
            info["username"] = username
        self._chats[user_id] = _Chat(user_id, "private", info, username=username)
        self._users[user_id] = user
        return user

    def group(
        self,
        chat_id: int,
        title: str = "Test group",
        supergroup: bool = False,
        username: str | None = None,
        forum: bool = False,
    ) -> FakeGroup:
        """Return the fake group ``chat_id`` (negative id), created on first call.

        A group with a ``username`` can also be addressed as ``chat_id="@username"``; a
        ``forum`` is a supergroup with topics (``is_forum``).
        """
        existing = self._groups.get(chat_id)
        if existing is not None:
            return existing
        if chat_id >= 0:
            raise ValueError("group chat ids must be negative")
        kind = "supergroup" if supergroup or forum else "group"
        info: JSONDict = {"id": chat_id, "type": kind, "title": title}
        if forum:
            info["is_forum"] = True
        if username:
            info["username"] = username
        self._chats[chat_id] = _Chat(
            chat_id, kind, info, username=username.lower() if username else None
        )
        group = FakeGroup(self, chat_id, title)
        self._groups[chat_id] = group
        return group

    def messages(self, chat_id: int) -> list[BotMessage]:
        """Snapshots of every bot message of the chat, in order (current state, with history)."""
        return [m.snapshot() for m in self._chat(chat_id).transcript]

    def bot_message(self, chat_id: int, message_id: int) -> BotMessage:
        """Snapshot of one bot message."""
        msg = self._chat(chat_id).bot_messages.get(message_id)
        if msg is None:
            raise AssertionError(f"no bot message #{message_id} in chat {chat_id}")
        return msg.snapshot()

    async def next_message(self, chat_id: int, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Return the next bot message/edit of the chat not consumed yet, waiting if needed."""
        chat = self._chat(chat_id)
        arrived = await chat.signal.wait_until(lambda: chat.cursor < len(chat.events), timeout)
        if not arrived:
            raise AssertionError(
                f"no new bot message in chat {chat_id} within {timeout}s; recent transcript:\n"
                + self.format_transcript(chat_id)
            )
        event = chat.events[chat.cursor]
        chat.cursor += 1
        return event

    async def expect(self, chat_id: int, contains: str, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Consume bot messages of the chat until one contains ``contains``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        skipped: list[BotMessage] = []
        while True:
            try:
                event = await self.next_message(chat_id, max(0.0, deadline - loop.time()))
            except AssertionError:
                seen = "\n".join(f"  {m.describe()}" for m in skipped) or "  (none)"
                raise AssertionError(
                    f"no bot message containing {contains!r} in chat {chat_id} within "
                    f"{timeout}s; consumed meanwhile:\n{seen}\nrecent transcript:\n"
                    + self.format_transcript(chat_id)
                ) from None
            if _contains(event, contains):
                return event
            skipped.append(event)

    def unread(self, chat_id: int, consume: bool = True) -> list[BotMessage]:
        """Bot messages/edits of the chat not consumed yet (marked consumed unless told not)."""
        chat = self._chat(chat_id)
        events = chat.events[chat.cursor :]
        if consume:
            chat.cursor = len(chat.events)
        return events

    def format_transcript(self, chat_id: int, last: int = 10) -> str:
        """Human readable list of the last bot messages of the chat."""
        transcript = self._chat(chat_id).transcript[-last:]
        return "\n".join(f"  {m.describe()}" for m in transcript) or "  (no bot message)"

    async def wait_idle(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until every enqueued update was fetched and confirmed by the bot.

        Confirmation only means the bot's poller received the update; its handler may still
        be running. Wait for the bot's answer with ``next_message``/``expect`` instead.
        """
        if not await self._idle_signal.wait_until(lambda: not self._pending, timeout):
            ids = [u["update_id"] for u in self._pending]
            raise AssertionError(
                f"updates {ids} not confirmed by the bot within {timeout}s "
                f"(fetched up to {self._fetched_up_to})"
            )

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates enqueued and not confirmed yet."""
        return list(self._pending)

    def inject_fault(
        self,
        method: str | None,
        kind: FaultKind,
        times: int = 1,
        retry_after: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``times`` matching calls fail (method None: any method but getUpdates).

        "timeout" fails before the call runs; "late" runs it, then times out (Telegram often
        delivers a message whose answer is lost); "slow" runs it after ``retry_after`` seconds
        (the client's own read time-out may expire first, while the call still goes through).
        """
        if kind not in ("429", "500", "timeout", "late", "403", "slow"):
            raise ValueError(f"unknown fault kind {kind!r}")
        canonical = None
        if method is not None:
            spec = self.spec.method(method)
            if spec is None:
                raise ValueError(f"unknown method {method!r}")
            canonical = spec.name
        self._faults.append(Fault(canonical, kind, times, retry_after, chat_id))

    def clear_faults(self) -> None:
        """Drop every pending injected fault."""
        self._faults.clear()

    def calls_to(self, method: str) -> list[ApiCall]:
        """Recorded calls of one method."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    async def wait_for_call(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> ApiCall:
        """Wait until ``count`` calls of ``method`` were received; return the last of them.

        The returned call may still be in flight (``status`` None).
        """
        if not await self._calls_signal.wait_until(
            lambda: len(self.calls_to(method)) >= count, timeout
        ):
            raise AssertionError(
                f"{method} was called {len(self.calls_to(method))} times within {timeout}s, "
                f"expected {count}"
            )
        return self.calls_to(method)[count - 1]

    def get_commands(
        self, scope: JSONDict | None = None, language_code: str = ""
    ) -> list[JSONDict] | None:
        """Commands stored by setMyCommands for a scope (default scope when None)."""
        return self.commands.get((_scope_key(scope), language_code))

    def add_listener(self, callback: Callable[[BotMessage], None]) -> None:
        """Call ``callback`` with a snapshot of each bot message sent or edited."""
        self._listeners.append(callback)

    def add_answer_listener(self, callback: Callable[[int, str], None]) -> None:
        """Call ``callback(user_id, text)`` when the bot answers a button press with a text."""
        self._answer_listeners.append(callback)

    def file_content(self, file_id: str) -> bytes | None:
        """Content of a file known to the fake."""
        stored = self._lookup_file(file_id)
        return stored.content if stored else None

    def download(self, token: str, file_path: str) -> bytes | None:
        """Content served at ``/file/bot<token>/<file_path>`` (None when unknown, or in local
        mode, where a bot reads files from the disk)."""
        if token != self.token or self.local_files is not None:
            return None
        stored = self._file_paths.get(file_path)
        return stored.content if stored else None

    # ------------------------------------------------------------------ dispatch

    async def handle(
        self,
        token: str,
        method: str,
        params: Mapping[str, Any],
        files: Mapping[str, UploadedFile] | None = None,
    ) -> ApiResponse:
        """Run one Bot API call; raise SimulatedTimeout for an injected timeout fault."""
        try:
            return await self._handle(token, method, params, files)
        finally:  # a finished call (its status known) may be what a test waits for
            self._calls_signal.notify_all()

    async def _handle(
        self,
        token: str,
        method: str,
        params: Mapping[str, Any],
        files: Mapping[str, UploadedFile] | None = None,
    ) -> ApiResponse:
        call = ApiCall(method=method, params=dict(params))
        call.files = {name: f.filename for name, f in (files or {}).items()}
        self.calls.append(call)
        self._calls_signal.notify_all()
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            spec = self.spec.method(method)
            if spec is None:
                raise ApiError(404, "Not Found")
            call.method = spec.name
            clean = self.spec.validate_call(spec, params, files)
            call.params = clean
            delay = self._slow_delay(spec.name, clean)
            if delay:
                await asyncio.sleep(delay)
            late = self._apply_fault(spec.name, clean)
            if spec.name == "getUpdates":
                result: Any = await self._get_updates(clean)
            else:
                handler = self._handlers.get(spec.name)
                if handler is None:
                    raise bad_request("method not simulated by the fake")
                result = handler(clean)
        except ApiError as exc:
            call.status = exc.status
            return ApiResponse(exc.status, exc.payload())
        except SimulatedTimeout:
            call.status = 0
            raise
        except asyncio.CancelledError:
            call.status = 0
            raise
        except Exception as exc:  # a bug in the fake or in a listener: answer like a 500
            _LOGGER.exception("fake Bot API failed on %s", method)
            call.status = 500
            return ApiResponse(
                500,
                {
                    "ok": False,
                    "error_code": 500,
                    "description": f"Internal Server Error (fake Bot API bug: {exc!r})",
                },
            )
        if late:  # executed, but the answer never reaches the bot
            call.status = 0
            raise SimulatedTimeout(f"{method} timed out after being applied (injected fault)")
        call.status = 200
        return ApiResponse(200, {"ok": True, "result": result})

    def _matching(self, fault: Fault, method: str, params: JSONDict) -> bool:
        if fault.times <= 0:
            return False
        if fault.method is None and method == "getUpdates":
            return False
        if fault.method is not None and fault.method != method:
            return False
        return fault.chat_id is None or _as_int(params.get("chat_id")) == fault.chat_id

    def _slow_delay(self, method: str, params: JSONDict) -> float:
        """Seconds the first matching "slow" fault holds this call (0 when none)."""
        for fault in self._faults:
            if fault.kind == "slow" and self._matching(fault, method, params):
                fault.times -= 1
                self._faults = [f for f in self._faults if f.times > 0]
                return float(fault.retry_after)
        return 0.0

    def _apply_fault(self, method: str, params: JSONDict) -> bool:
        """Raise the first matching fault; True for a "late" one (run the call, then time out)."""
        for fault in self._faults:
            if fault.kind == "slow" or fault.times <= 0:
                continue
            if fault.method is None and method == "getUpdates":
                continue
            if fault.method is not None and fault.method != method:
                continue
            if fault.chat_id is not None and _as_int(params.get("chat_id")) != fault.chat_id:
                continue
            fault.times -= 1
            self._faults = [f for f in self._faults if f.times > 0]
            if fault.kind == "late":
                return True
            if fault.kind == "timeout":
                raise SimulatedTimeout(f"{method} timed out (injected fault)")
            if fault.kind == "429":
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {fault.retry_after}",
                    {"retry_after": fault.retry_after},
                )
            if fault.kind == "403":
                raise ApiError(403, BLOCKED_DESCRIPTION)
            raise ApiError(500, "Internal Server Error")
        return False

    # ------------------------------------------------------------------ updates

    def _enqueue(self, payload: JSONDict) -> JSONDict:
        update: JSONDict = {"update_id": next(self._update_ids), **payload}
        self._pending.append(update)
        self._updates_signal.notify_all()
        return update

    def _confirm(self, offset: int | None) -> None:
        if offset is None or not self._pending:
            return
        before = len(self._pending)
        if offset < 0:
            self._pending = self._pending[offset:]
        else:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        if len(self._pending) != before:
            self._idle_signal.notify_all()

    def _deliverable(self, limit: int) -> list[JSONDict]:
        allowed = self._allowed_updates
        if allowed is not None:
            kept = [u for u in self._pending if _update_type(u) in allowed]
            if len(kept) != len(self._pending):
                self._pending = kept
                self._idle_signal.notify_all()
        return self._pending[:limit]

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.notify_all()  # terminates an older long poll with 409
        allowed = params.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) if allowed else None
        self._confirm(params.get("offset"))
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        timeout = max(float(params.get("timeout", 0)), 0.0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT_DESCRIPTION)
            batch = self._deliverable(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0:
                break
            await self._updates_signal.wait(remaining)
        if batch:
            self._fetched_up_to = max(self._fetched_up_to, batch[-1]["update_id"])
        return batch

    # ------------------------------------------------------------------ helpers

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise KeyError(f"unknown chat {chat_id}; create it with api.user() or api.group()")
        return chat

    def _target_chat(self, value: Any) -> _Chat:
        chat_id = _as_int(value)
        if chat_id is not None:
            chat = self._chats.get(chat_id)
        else:
            name = str(value).lstrip("@").lower()
            chat = next(
                (c for c in self._chats.values() if not c.is_private and c.username == name),
                None,
            )
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _parse(
        self, raw: str, parse_mode: str | None, entities: list[JSONDict] | None
    ) -> ParsedText:
        try:
            return parse_text(raw, parse_mode, entities)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None

    def _parse_message_text(self, params: JSONDict) -> ParsedText:
        parsed = self._parse(params["text"], params.get("parse_mode"), params.get("entities"))
        if not parsed.text:
            raise bad_request("message text is empty")
        if len(parsed.text) > self.limits.max_text_length:
            raise bad_request("message is too long")
        return parsed

    def _parse_caption(self, params: JSONDict) -> ParsedText | None:
        raw = params.get("caption")
        if raw is None:
            return None
        parsed = self._parse(raw, params.get("parse_mode"), params.get("caption_entities"))
        if len(parsed.text) > self.limits.max_caption_length:
            raise bad_request("message caption is too long")
        return parsed if parsed.text else None

    def _check_reply_markup(self, markup: JSONDict | None) -> JSONDict | None:
        if markup is None:
            return None
        if "inline_keyboard" in markup:
            for row in markup["inline_keyboard"]:
                for button in row:
                    self._check_inline_button(button)
        elif "keyboard" in markup:
            for row in markup["keyboard"]:
                for button in row:
                    text = button if isinstance(button, str) else button.get("text")
                    if not isinstance(text, str) or not text.strip():
                        raise bad_request("keyboard button text must be non-empty")
        return markup

    def _check_inline_button(self, button: JSONDict) -> None:
        text = button.get("text")
        if not isinstance(text, str) or not text.strip():
            raise bad_request("can't parse inline keyboard button: text must be non-empty")
        actions = sorted(
            k for k, v in button.items() if k in self._button_actions and v is not None
        )
        if not actions:
            raise bad_request(
                f"can't parse inline keyboard button {text!r}: "
                "Text buttons are unallowed in the inline keyboard"
            )
        if len(actions) > 1:
            raise bad_request(
                f"can't parse inline keyboard button {text!r}: exactly one action field is "
                f"allowed, got {', '.join(actions)}"
            )
        data = button.get("callback_data")
        if data is not None:
            size = len(str(data).encode("utf-8"))
            if not 1 <= size <= self.limits.max_callback_data_bytes:
                raise bad_request(
                    f"BUTTON_DATA_INVALID (callback_data of button {text!r} is {size} bytes, "
                    f"must be 1-{self.limits.max_callback_data_bytes})"
                )
        url = button.get("url")
        if url is not None and not re.match(r"^(https?|tg)://\S+$", str(url)):
            raise bad_request(f"BUTTON_URL_INVALID ({url!r})")

    def _reply_target(self, chat: _Chat, params: JSONDict) -> int | None:
        reply = params.get("reply_parameters")
        if not reply:
            return None
        message_id = _as_int(reply.get("message_id"))
        if message_id is None:
            return None
        if message_id not in chat.messages:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return message_id

    def _thread(self, chat: _Chat, params: JSONDict) -> int | None:
        """The forum topic a message is sent to (only forum supergroups have topics)."""
        thread = _as_int(params.get("message_thread_id"))
        if thread is None or not chat.info.get("is_forum"):
            return None
        if thread not in chat.topics:
            raise bad_request("message thread not found")
        if thread in chat.closed_topics:
            raise bad_request("TOPIC_CLOSED")
        return thread

    def _check_blocked(self, chat: _Chat) -> None:
        if chat.blocked:
            raise ApiError(403, BLOCKED_DESCRIPTION)
        if chat.left:
            raise ApiError(403, LEFT_DESCRIPTION)

    def _admit(self, chat: _Chat, method: str) -> None:
        self._check_blocked(chat)
        if method in SEND_METHODS:
            retry_after = self.flood.admit(chat.id, chat.is_private)
            if retry_after is not None:
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {retry_after}",
                    {"retry_after": retry_after},
                )

    def _store_file(
        self,
        value: UploadedFile | str,
        folder: str,
        is_photo: bool = False,
    ) -> StoredFile:
        if isinstance(value, str):
            known = self._lookup_file(value)
            if known is not None:
                return known
            if re.match(r"^https?://\S+$", value):
                return self._register_file(None, None, None, folder, url=value)
            raise bad_request("wrong file identifier/HTTP URL specified")
        if not value.content:
            raise bad_request("file must be non-empty")
        if len(value.content) > self.limits.max_upload_bytes:
            raise ApiError(413, "Request Entity Too Large")
        if is_photo and not _looks_like_image(value.content):
            raise bad_request("IMAGE_PROCESS_FAILED")
        return self._register_file(value.content, value.filename, value.mime_type, folder)

    def _lookup_file(self, file_id: str) -> StoredFile | None:
        stored = self._files.get(file_id)
        if stored is None and file_id.endswith("_s"):
            stored = self._files.get(file_id[:-2])  # small size of a photo
        return stored

    def _register_file(
        self,
        content: bytes | None,
        filename: str | None,
        mime_type: str | None,
        folder: str,
        url: str | None = None,
    ) -> StoredFile:
        number = next(self._file_ids)
        suffix = ""
        if filename and "." in filename:
            suffix = "." + filename.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=f"FAKE{folder[:3].upper()}{number:06d}{self.bot_user['id']}",
            file_unique_id=f"U{number:08d}",
            filename=filename,
            mime_type=mime_type,
            content=content,
            url=url,
            file_path=f"{folder}/file_{number}{suffix}",
        )
        self._files[stored.file_id] = stored
        if stored.file_path:
            self._file_paths[stored.file_path] = stored
        return stored

    def _message_dict(self, chat: _Chat, msg: BotMessage, nested: bool = False) -> JSONDict:
        data: JSONDict = {
            "message_id": msg.message_id,
            "from": dict(self.bot_user),
            "chat": dict(chat.info),
            "date": msg.date,
        }
        if msg.edit_date is not None:
            data["edit_date"] = msg.edit_date
        if msg.text is not None:
            data["text"] = msg.text
            if msg.entities:
                data["entities"] = msg.entities
        if msg.document is not None:
            data["document"] = document_dict(msg.document)
        if msg.photo is not None:
            data["photo"] = photo_sizes(msg.photo)
        if msg.caption is not None:
            data["caption"] = msg.caption
            if msg.entities:
                data["caption_entities"] = msg.entities
        if msg.voice is not None:
            data["voice"] = {
                "file_id": msg.voice.file_id,
                "file_unique_id": msg.voice.file_unique_id,
                "duration": 1,
            }
        if msg.reply_markup is not None and "inline_keyboard" in msg.reply_markup:
            data["reply_markup"] = msg.reply_markup
        if msg.thread_id is not None:
            data["message_thread_id"] = msg.thread_id
            data["is_topic_message"] = True
        if not nested and msg.reply_to_message_id is not None:
            original = chat.messages.get(msg.reply_to_message_id)
            if original is not None:
                data["reply_to_message"] = {
                    k: v for k, v in original.items() if k != "reply_to_message"
                }
        return data

    def _publish(self, chat: _Chat, msg: BotMessage) -> JSONDict:
        data = self._message_dict(chat, msg)
        chat.messages[msg.message_id] = data
        snapshot = msg.snapshot()
        chat.events.append(snapshot)
        chat.signal.notify_all()
        for listener in list(self._listeners):
            listener(snapshot)
        return data

    def _store_bot_message(self, chat: _Chat, msg: BotMessage) -> JSONDict:
        chat.bot_messages[msg.message_id] = msg
        chat.transcript.append(msg)
        return self._publish(chat, msg)

    def _new_bot_message(self, chat: _Chat, **fields: Any) -> BotMessage:
        return BotMessage(
            chat_id=chat.id, message_id=chat.take_message_id(), date=int(time.time()), **fields
        )

    def _editable(self, params: JSONDict) -> tuple[_Chat, BotMessage]:
        if params.get("inline_message_id") is not None:
            raise bad_request("inline messages are not simulated by the fake")
        if params.get("chat_id") is None:
            raise bad_request('parameter "chat_id" is required when inline_message_id is absent')
        if params.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        chat = self._target_chat(params["chat_id"])
        message_id = params["message_id"]
        msg = chat.bot_messages.get(message_id)
        if msg is None or msg.deleted:
            if message_id in chat.messages:
                raise bad_request("message can't be edited")
            raise bad_request("message to edit not found")
        return chat, msg

    def _apply_edit(self, chat: _Chat, msg: BotMessage, **changes: Any) -> JSONDict:
        self._check_blocked(chat)
        msg.history.append(
            MessageVersion(
                text=msg.text,
                raw_text=msg.raw_text,
                caption=msg.caption,
                raw_caption=msg.raw_caption,
                parse_mode=msg.parse_mode,
                reply_markup=msg.reply_markup,
                edit_date=msg.edit_date,
            )
        )
        for name, value in changes.items():
            setattr(msg, name, value)
        msg.edited = True
        msg.edit_date = int(time.time())
        return self._publish(chat, msg)

    @staticmethod
    def _edited_markup(msg: BotMessage, new: JSONDict | None) -> JSONDict | None:
        if new is not None:
            return new
        if msg.reply_markup is not None and "inline_keyboard" not in msg.reply_markup:
            return msg.reply_markup  # reply keyboards are not attached to the message itself
        return None

    # ------------------------------------------------------------------ method handlers

    def _get_me(self, _params: JSONDict) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _delete_webhook(self, params: JSONDict) -> bool:
        if params.get("drop_pending_updates") and self._pending:
            self._pending = []
            self._idle_signal.notify_all()
        return True

    def _get_webhook_info(self, _params: JSONDict) -> JSONDict:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    def _command_key(self, params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope")
        if scope is not None:
            if scope.get("type") not in _SCOPE_TYPES:
                raise bad_request("wrong scope type")
            if "chat_id" in scope:
                self._target_chat(scope["chat_id"])
        language = params.get("language_code", "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("wrong language code")
        return _scope_key(scope), language

    def _set_my_commands(self, params: JSONDict) -> bool:
        key = self._command_key(params)
        commands = params["commands"]
        if len(commands) > 100:
            raise bad_request("too many commands")
        for command in commands:
            if not _BOT_COMMAND_RE.match(str(command["command"])):
                raise bad_request(f"BOT_COMMAND_INVALID ({command['command']!r})")
            if not 1 <= len(str(command["description"]).strip()) <= 256:
                raise bad_request(f"BOT_COMMAND_DESCRIPTION_INVALID ({command['command']!r})")
        if commands:
            self.commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self.commands.pop(key, None)
        return True

    def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return list(self.commands.get(self._command_key(params), []))

    def _delete_my_commands(self, params: JSONDict) -> bool:
        self.commands.pop(self._command_key(params), None)
        return True

    def _send_message(self, params: JSONDict) -> JSONDict:
        chat = self._target_chat(params["chat_id"])
        parsed = self._parse_message_text(params)
        markup = self._check_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        thread = self._thread(chat, params)
        self._admit(chat, "sendMessage")
        msg = self._new_bot_message(
            chat,
            thread_id=thread,
            kind="text",
            text=parsed.text,
            raw_text=params["text"],
            parse_mode=params.get("parse_mode"),
            entities=parsed.entities,
            reply_markup=markup,
            reply_to_message_id=reply_to,
        )
        return self._store_bot_message(chat, msg)

    def _send_media(self, params: JSONDict, method: str, kind: str) -> JSONDict:
        chat = self._target_chat(params["chat_id"])
        caption = self._parse_caption(params)
        markup = self._check_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        is_photo = kind == "photo"
        stored = self._store_file(params[kind], "photos" if is_photo else "documents", is_photo)
        thread = self._thread(chat, params)
        self._admit(chat, method)
        msg = self._new_bot_message(
            chat,
            thread_id=thread,
            kind=kind,
            caption=caption.text if caption else None,
            raw_caption=params.get("caption"),
            parse_mode=params.get("parse_mode"),
            entities=caption.entities if caption else [],
            reply_markup=markup,
            reply_to_message_id=reply_to,
            document=None if is_photo else stored,
            photo=stored if is_photo else None,
        )
        return self._store_bot_message(chat, msg)

    def _send_document(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "sendDocument", "document")

    def _send_photo(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "sendPhoto", "photo")

    def _copy_message(self, params: JSONDict) -> JSONDict:
        """copyMessage: the message again without a link to the original; ``caption`` replaces a
        media message's caption. Returns a MessageId."""
        chat = self._target_chat(params["chat_id"])
        source = self._target_chat(params["from_chat_id"])
        original = source.messages.get(_as_int(params["message_id"]) or 0)
        if original is None:
            raise bad_request("message to copy not found")
        markup = self._check_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        thread = self._thread(chat, params)
        fields: JSONDict = {"reply_markup": markup, "reply_to_message_id": reply_to}
        if "text" in original:
            fields.update(kind="text", text=original["text"], raw_text=original["text"])
        else:
            kind, stored = self._copied_media(original)
            if "caption" in params:
                caption = self._parse_caption(params)
                fields.update(
                    caption=caption.text if caption else None,
                    raw_caption=params.get("caption"),
                    parse_mode=params.get("parse_mode"),
                    entities=caption.entities if caption else [],
                )
            else:
                fields.update(caption=original.get("caption"), raw_caption=original.get("caption"))
            fields.update(kind=kind, **{kind: stored})
        self._admit(chat, "copyMessage")
        msg = self._new_bot_message(chat, thread_id=thread, **fields)
        self._store_bot_message(chat, msg)
        return {"message_id": msg.message_id}

    def _copied_media(self, original: JSONDict) -> tuple[str, StoredFile]:
        for kind, file_id in (
            ("photo", (original.get("photo") or [{}])[-1].get("file_id")),
            ("document", (original.get("document") or {}).get("file_id")),
            ("voice", (original.get("voice") or {}).get("file_id")),
        ):
            stored = self._lookup_file(file_id) if file_id else None
            if stored is not None:
                return kind, stored
        # Service messages, stickers, contacts... are not simulated as copies.
        raise bad_request("message can't be copied")

    def _forum(self, params: JSONDict) -> _Chat:
        chat = self._target_chat(params["chat_id"])
        if not chat.info.get("is_forum"):
            raise bad_request("the chat is not a forum")
        return chat

    def _create_forum_topic(self, params: JSONDict) -> JSONDict:
        """createForumTopic: a service message opens the topic; its id is the thread id."""
        chat = self._forum(params)
        name = str(params["name"])
        if not 1 <= len(name) <= 128:
            raise bad_request("TOPIC_TITLE_INVALID")
        topic_id = chat.take_message_id()
        chat.topics[topic_id] = name
        chat.messages[topic_id] = {
            "message_id": topic_id,
            "from": dict(self.bot_user),
            "chat": dict(chat.info),
            "date": int(time.time()),
            "message_thread_id": topic_id,
            "forum_topic_created": {"name": name, "icon_color": 7322096},
        }
        return {"message_thread_id": topic_id, "name": name, "icon_color": 7322096}

    def _close_forum_topic(self, params: JSONDict) -> bool:
        chat = self._forum(params)
        topic_id = _as_int(params["message_thread_id"])
        if topic_id not in chat.topics:
            raise bad_request("message thread not found")
        if topic_id in chat.closed_topics:
            raise bad_request("TOPIC_NOT_MODIFIED")
        chat.closed_topics.add(topic_id)
        return True

    def topic_name(self, chat_id: int, thread_id: int) -> str | None:
        """The name of a forum topic (None if there is none)."""
        return self._chat(chat_id).topics.get(thread_id)

    def topic_closed(self, chat_id: int, thread_id: int) -> bool:
        """Whether a forum topic was closed."""
        return thread_id in self._chat(chat_id).closed_topics

    def _edit_message_text(self, params: JSONDict) -> JSONDict:
        chat, msg = self._editable(params)
        if msg.kind != "text":
            raise bad_request("there is no text in the message to edit")
        parsed = self._parse_message_text(params)
        markup = self._edited_markup(msg, self._check_reply_markup(params.get("reply_markup")))
        if (
            parsed.text == msg.text
            and parsed.entities == msg.entities
            and markup == msg.reply_markup
        ):
            raise bad_request(NOT_MODIFIED)
        return self._apply_edit(
            chat,
            msg,
            text=parsed.text,
            raw_text=params["text"],
            parse_mode=params.get("parse_mode"),
            entities=parsed.entities,
            reply_markup=markup,
        )

    def _edit_message_caption(self, params: JSONDict) -> JSONDict:
        chat, msg = self._editable(params)
        if msg.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        caption = self._parse_caption(params)
        new_caption = caption.text if caption else None
        markup = self._edited_markup(msg, self._check_reply_markup(params.get("reply_markup")))
        if new_caption == msg.caption and markup == msg.reply_markup:
            raise bad_request(NOT_MODIFIED)
        return self._apply_edit(
            chat,
            msg,
            caption=new_caption,
            raw_caption=params.get("caption"),
            parse_mode=params.get("parse_mode"),
            entities=caption.entities if caption else [],
            reply_markup=markup,
        )

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        chat, msg = self._editable(params)
        markup = self._check_reply_markup(params.get("reply_markup"))
        if markup == msg.reply_markup:
            raise bad_request(NOT_MODIFIED)
        return self._apply_edit(chat, msg, reply_markup=markup)

    def _delete_message(self, params: JSONDict) -> bool:
        chat = self._target_chat(params["chat_id"])
        message_id = params["message_id"]
        if message_id not in chat.messages:
            raise bad_request("message to delete not found")
        del chat.messages[message_id]
        msg = chat.bot_messages.get(message_id)
        if msg is not None:
            msg.deleted = True
        return True

    def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = params["callback_query_id"]
        window = self.limits.callback_answer_window
        pressed = self._callback_times.get(query_id)
        too_old = window is not None and pressed is not None and self.clock() - pressed > window
        if query_id not in self._callbacks or query_id in self.callback_answers or too_old:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG (callback answer text is limited to 200)")
        self.callback_answers[query_id] = {
            k: params[k] for k in ("text", "show_alert", "url", "cache_time") if k in params
        }
        if text:
            presser = int(self._callbacks[query_id]["from"]["id"])
            for listener in list(self._answer_listeners):
                listener(presser, str(text))
        return True

    def _leave_chat(self, params: JSONDict) -> bool:
        chat = self._target_chat(params["chat_id"])
        if chat.is_private:
            raise bad_request("chat member status can't be changed in private chats")
        self._check_blocked(chat)
        chat.left = True
        return True

    def bot_left(self, chat_id: int) -> bool:
        """Whether the bot left this group (leaveChat)."""
        return self._chat(chat_id).left

    def _send_chat_action(self, params: JSONDict) -> bool:
        chat = self._target_chat(params["chat_id"])
        if params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._admit(chat, "sendChatAction")
        return True

    def _get_chat(self, params: JSONDict) -> JSONDict:
        chat = self._target_chat(params["chat_id"])
        return {
            **chat.info,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _get_file(self, params: JSONDict) -> JSONDict:
        stored = self._lookup_file(params["file_id"])
        if stored is None or stored.content is None:
            raise bad_request("invalid file_id")
        file_path = stored.file_path
        if self.local_files is not None and file_path is not None:
            # The local server has no 20 MB cap; the bot must see the same folder.
            on_disk = self.local_files / self.token / file_path
            on_disk.parent.mkdir(parents=True, exist_ok=True)
            on_disk.write_bytes(stored.content)
            file_path = str(on_disk.resolve())
        elif stored.size > GET_FILE_MAX_BYTES:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": file_path,
        }

    # ------------------------------------------------------------------ user side

    def _enqueue_message(
        self,
        user: FakeUser,
        chat_id: int,
        content: JSONDict,
        reply_to: int | None = None,
        thread: int | None = None,
    ) -> JSONDict:
        chat = self._chat(chat_id)
        message: JSONDict = {
            "message_id": chat.take_message_id(),
            "from": user.as_dict(),
            "chat": dict(chat.info),
            "date": int(time.time()),
            **content,
        }
        if thread is not None:
            if thread not in chat.topics:
                raise AssertionError(f"no forum topic {thread} in chat {chat_id}")
            # In a topic, a message that replies to nothing replies to the topic's creation.
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
            reply_to = reply_to if reply_to is not None else thread
        if reply_to is not None:
            original = chat.messages.get(reply_to)
            if original is None:
                raise AssertionError(f"no message #{reply_to} in chat {chat_id} to reply to")
            message["reply_to_message"] = {
                k: v for k, v in original.items() if k != "reply_to_message"
            }
        chat.messages[message["message_id"]] = message
        return self._enqueue({"message": message})

    def _enqueue_edit(self, user: FakeUser, chat_id: int, message_id: int, text: str) -> JSONDict:
        chat = self._chat(chat_id)
        original = chat.messages.get(message_id)
        if original is None or original.get("from", {}).get("id") != user.id:
            raise AssertionError(f"no message #{message_id} of user {user.id} in chat {chat_id}")
        edited: JSONDict = {k: v for k, v in original.items() if k != "entities"}
        edited.update(text=text, edit_date=int(time.time()))
        entities = command_entities(text)
        if entities:
            edited["entities"] = entities
        chat.messages[message_id] = edited
        return self._enqueue({"edited_message": edited})

    def _enqueue_callback(
        self, user: FakeUser, chat: _Chat, message: JSONDict, data: str
    ) -> JSONDict:
        query_id = str(4_000_000_000_000_000 + next(self._callback_ids))
        query: JSONDict = {
            "id": query_id,
            "from": user.as_dict(),
            "message": message,
            "chat_instance": f"{abs(chat.id) * 7_919 + 13}",
            "data": data,
        }
        self._callbacks[query_id] = query
        self._callback_times[query_id] = self.clock()
        return self._enqueue({"callback_query": query})

    def _add_bot(self, user: FakeUser, group: FakeGroup) -> JSONDict:
        """``user`` adds the bot to ``group``: the bot gets a my_chat_member update."""
        chat = self._chat(group.chat_id)
        chat.left = False
        bot = dict(self.bot_user)
        return self._enqueue(
            {
                "my_chat_member": {
                    "chat": dict(chat.info),
                    "from": user.as_dict(),
                    "date": int(time.time()),
                    "old_chat_member": {"user": bot, "status": "left"},
                    "new_chat_member": {"user": bot, "status": "member"},
                }
            }
        )

    def _set_blocked(self, user: FakeUser, blocked: bool) -> None:
        chat = self._chat(user.id)
        if chat.blocked == blocked:
            return
        chat.blocked = blocked
        bot = dict(self.bot_user)
        member = {"user": bot, "status": "member"}
        kicked = {"user": bot, "status": "kicked", "until_date": 0}
        self._enqueue(
            {
                "my_chat_member": {
                    "chat": dict(chat.info),
                    "from": user.as_dict(),
                    "date": int(time.time()),
                    "old_chat_member": member if blocked else kicked,
                    "new_chat_member": kicked if blocked else member,
                }
            }
        )


# ---------------------------------------------------------------------- module helpers


def _as_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _contains(event: BotMessage, needle: str) -> bool:
    haystacks = (event.text, event.raw_text, event.caption, event.raw_caption)
    return any(h is not None and needle in h for h in haystacks)


def _update_type(update: JSONDict) -> str:
    return next(k for k in update if k != "update_id")


def _scope_key(scope: JSONDict | None) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


def _looks_like_image(content: bytes) -> bool:
    if content.startswith(b"RIFF") and content[8:12] == b"WEBP":
        return True
    return content.startswith(_IMAGE_MAGIC)
