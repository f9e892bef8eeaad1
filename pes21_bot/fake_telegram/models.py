"""Records kept by the fake Bot API: bot messages (transcript), files and API calls."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

JSONDict = dict[str, Any]
FaultKind = Literal["429", "500", "timeout", "late", "403", "slow"]


@dataclass(frozen=True)
class StoredFile:
    """A file known to the fake (uploaded by the bot or sent by a fake user)."""

    file_id: str
    file_unique_id: str
    filename: str | None
    mime_type: str | None
    content: bytes | None
    url: str | None = None
    file_path: str | None = None

    @property
    def size(self) -> int:
        """Size in bytes (0 when the content is unknown, e.g. sent by URL)."""
        return len(self.content) if self.content is not None else 0


@dataclass(frozen=True)
class MessageVersion:
    """A previous state of an edited bot message."""

    text: str | None
    raw_text: str | None
    caption: str | None
    raw_caption: str | None
    parse_mode: str | None
    reply_markup: JSONDict | None
    edit_date: int | None


@dataclass
class BotMessage:
    """A message sent by the bot, as the fake user sees it (a snapshot when handed to tests).

    ``text``/``caption`` are the visible strings (entities parsed, whitespace trimmed);
    ``raw_text``/``raw_caption`` are what the bot sent (e.g. with HTML tags).
    """

    chat_id: int
    message_id: int
    date: int
    kind: Literal["text", "photo", "document", "voice"]
    text: str | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    entities: list[JSONDict] = field(default_factory=list)
    caption: str | None = None
    raw_caption: str | None = None
    reply_markup: JSONDict | None = None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    voice: StoredFile | None = None
    reply_to_message_id: int | None = None
    # The forum topic it was posted in (message_thread_id), if any.
    thread_id: int | None = None
    edited: bool = False
    edit_date: int | None = None
    history: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False

    @property
    def content(self) -> str:
        """The visible text, or the caption for media messages ('' when none)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def has_inline_keyboard(self) -> bool:
        """Whether the message currently carries an inline keyboard."""
        return bool(self.reply_markup and "inline_keyboard" in self.reply_markup)

    @property
    def inline_buttons(self) -> list[list[JSONDict]]:
        """The inline keyboard as rows of button dicts ([] when none)."""
        if not self.reply_markup:
            return []
        rows: list[list[JSONDict]] = self.reply_markup.get("inline_keyboard", [])
        return rows

    @property
    def buttons(self) -> list[list[str]]:
        """Button texts by row (inline keyboard, or reply keyboard when there is no inline one)."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or self.reply_markup.get("keyboard") or []
        return [[b if isinstance(b, str) else str(b.get("text", "")) for b in row] for row in rows]

    def button_data(self, text: str) -> str:
        """Return the callback_data of the inline button labelled ``text``."""
        for row in self.inline_buttons:
            for button in row:
                if button.get("text") == text:
                    data = button.get("callback_data")
                    if data is None:
                        raise AssertionError(f"button {text!r} has no callback_data: {button}")
                    return str(data)
        raise AssertionError(f"no inline button {text!r} on message; buttons: {self.buttons}")

    def snapshot(self) -> BotMessage:
        """Return an independent copy (history list copied)."""
        return dataclasses.replace(self, history=list(self.history))

    def describe(self) -> str:
        """One-line human readable summary used in assertion messages."""
        flags = " (edited)" if self.edited else ""
        flags += " (deleted)" if self.deleted else ""
        body = self.content.replace("\n", "\\n")
        if len(body) > 120:
            body = body[:117] + "..."
        parts = [f"#{self.message_id} [{self.kind}]{flags} {body!r}"]
        if self.document is not None:
            parts.append(f"file={self.document.filename!r}")
        if self.buttons:
            parts.append(f"buttons={self.buttons}")
        return " ".join(parts)


@dataclass
class ApiCall:
    """One call received by the fake.

    ``status`` is None while in flight, 0 when it timed out (injected fault) or was aborted.
    """

    method: str
    params: JSONDict
    status: int | None = None
    files: dict[str, str] = field(default_factory=dict)  # part name -> filename


@dataclass
class Fault:
    """A pending injected failure."""

    method: str | None
    kind: FaultKind
    times: int
    retry_after: int
    chat_id: int | None
