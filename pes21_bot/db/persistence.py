"""python-telegram-bot persistence stored in the database through SQLAlchemy.

Conversation states live in ``ptb_conversations`` (one row per handler name and conversation
key, the key being the JSON text of PTB's tuple key); user, chat, bot and callback data live in
``ptb_data`` as JSON documents (one row per user or chat; bot and callback data use key 0).

Everything stored must survive a JSON round trip unchanged: dicts with string keys, lists,
strings, numbers (no NaN or infinity), booleans and None. Tuples, integer dict keys, sets,
datetimes or Telegram objects are refused with a TypeError instead of being silently altered;
PTB hands that error to the application's error handlers and keeps the previous stored value.

Every update is written at once in its own short transaction, so :meth:`SqlPersistence.flush`
has nothing left to do. The same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from copy import deepcopy
from typing import Any, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert
from telegram.ext import BasePersistence, PersistenceInput

from pes21_bot.db.models import (
    Base,
    ConversationKey,
    ConversationState,
    PersistedData,
    decode_conversation_key,
    encode_conversation_key,
)
from pes21_bot.db.session import SessionFactory

# Same shapes as PTB's private aliases in telegram.ext._utils.types.
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]

USER = "user"
CHAT = "chat"
BOT = "bot"
CALLBACK = "callback"
# Key of the single ptb_data row used for bot data and for callback data.
SINGLE_ROW_KEY = 0
# Lengths of ConversationState.name and ConversationState.key, checked on every backend
# (PostgreSQL would enforce them, SQLite would not).
MAX_CONVERSATION_NAME_LENGTH = 100


def to_json_value(value: Any, what: str) -> Any:
    """Return a fresh copy of ``value`` as JSON gives it back, or raise TypeError if it differs."""
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} is not JSON-serialisable: {exc}") from exc
    decoded = json.loads(text)
    if decoded != value:
        raise TypeError(
            f"{what} does not survive a JSON round trip unchanged "
            "(tuples and non-string dict keys are not allowed)"
        )
    return decoded


class SqlPersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB persistence over the project's database; data must be JSON-serialisable."""

    __slots__ = (
        "_bot_data",
        "_callback_data",
        "_callback_data_loaded",
        "_chat_data",
        "_conversations",
        "_session_factory",
        "_user_data",
        "_write_lock",
    )

    def __init__(
        self,
        session_factory: SessionFactory,
        store_data: PersistenceInput | None = None,
        update_interval: float = 60,
    ) -> None:
        super().__init__(store_data=store_data, update_interval=update_interval)
        self._session_factory = session_factory
        # Caches, filled on the first get_* call; None means "not loaded yet".
        self._user_data: dict[int, dict[Any, Any]] | None = None
        self._chat_data: dict[int, dict[Any, Any]] | None = None
        self._bot_data: dict[Any, Any] | None = None
        self._callback_data: CDCData | None = None
        self._callback_data_loaded = False
        self._conversations: dict[str, dict[ConversationKey, object]] = {}
        # PTB runs the updates of one persistence run concurrently; writing them one at a time
        # keeps SQLite from contending for its single write lock.
        self._write_lock = asyncio.Lock()

    # Reading

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        """Return the stored user data by user id (loaded once, then served from the cache)."""
        if self._user_data is None:
            self._user_data = await self._load_rows(USER)
        return deepcopy(self._user_data)

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        """Return the stored chat data by chat id (loaded once, then served from the cache)."""
        if self._chat_data is None:
            self._chat_data = await self._load_rows(CHAT)
        return deepcopy(self._chat_data)

    async def get_bot_data(self) -> dict[Any, Any]:
        """Return the stored bot data, or an empty dict."""
        if self._bot_data is None:
            rows = await self._load_rows(BOT)
            self._bot_data = rows.get(SINGLE_ROW_KEY, {})
        return deepcopy(self._bot_data)

    async def get_callback_data(self) -> CDCData | None:
        """Return the stored callback data cache contents, or None if none was stored."""
        if not self._callback_data_loaded:
            rows = await self._load_rows(CALLBACK)
            stored = rows.get(SINGLE_ROW_KEY)
            self._callback_data = None if stored is None else self._decode_callback_data(stored)
            self._callback_data_loaded = True
        return deepcopy(self._callback_data)

    async def get_conversations(self, name: str) -> dict[ConversationKey, object]:
        """Return the stored states of the conversation handler called ``name``."""
        if name not in self._conversations:
            statement = select(ConversationState.key, ConversationState.state).where(
                ConversationState.name == name
            )
            async with self._session_factory() as session:
                rows = (await session.execute(statement)).all()
            self._conversations[name] = {decode_conversation_key(key): state for key, state in rows}
        return dict(self._conversations[name])

    # Writing

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Store the new state of one conversation at once; None deletes it."""
        cache = self._conversations.get(name)
        if cache is not None and cache.get(key) == new_state:
            return
        if len(name) > MAX_CONVERSATION_NAME_LENGTH:
            raise ValueError(f"conversation name longer than {MAX_CONVERSATION_NAME_LENGTH}")
        stored_key = encode_conversation_key(key)
        if new_state is None:
            await self._delete(
                delete(ConversationState).where(
                    ConversationState.name == name, ConversationState.key == stored_key
                )
            )
            if cache is not None:
                cache.pop(key, None)
            return
        state = to_json_value(new_state, f"state of conversation {name!r}")
        await self._upsert(
            ConversationState, {"name": name, "key": stored_key, "state": state}, ["name", "key"]
        )
        if cache is not None:
            cache[key] = state

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        """Store one user's data if it changed."""
        # No row and nothing to keep is the same as an empty row: no write for every newcomer.
        if self._user_data is not None and self._user_data.get(user_id, {}) == data:
            return
        stored = await self._store_row(USER, user_id, data)
        if self._user_data is not None:
            self._user_data[user_id] = stored

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        """Store one chat's data if it changed."""
        # No row and nothing to keep is the same as an empty row: no write for every newcomer.
        if self._chat_data is not None and self._chat_data.get(chat_id, {}) == data:
            return
        stored = await self._store_row(CHAT, chat_id, data)
        if self._chat_data is not None:
            self._chat_data[chat_id] = stored

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        """Store the bot data if it changed."""
        if self._bot_data == data:
            return
        self._bot_data = await self._store_row(BOT, SINGLE_ROW_KEY, data)

    async def update_callback_data(self, data: CDCData) -> None:
        """Store the callback data cache contents if they changed."""
        if self._callback_data_loaded and self._callback_data == data:
            return
        entries, mapping = data
        document = [[list(entry) for entry in entries], mapping]
        stored = await self._store_row(CALLBACK, SINGLE_ROW_KEY, document)
        self._callback_data = self._decode_callback_data(stored)
        self._callback_data_loaded = True

    async def drop_user_data(self, user_id: int) -> None:
        """Delete one user's data."""
        await self._delete_row(USER, user_id)
        if self._user_data is not None:
            self._user_data.pop(user_id, None)

    async def drop_chat_data(self, chat_id: int) -> None:
        """Delete one chat's data."""
        await self._delete_row(CHAT, chat_id)
        if self._chat_data is not None:
            self._chat_data.pop(chat_id, None)

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Do nothing: this process is the only writer of user data."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Do nothing: this process is the only writer of chat data."""

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        """Do nothing: this process is the only writer of bot data."""

    async def flush(self) -> None:
        """Do nothing: every update was already written."""

    # Helpers

    async def _load_rows(self, kind: str) -> dict[int, Any]:
        statement = select(PersistedData.key, PersistedData.data).where(PersistedData.kind == kind)
        async with self._session_factory() as session:
            rows = (await session.execute(statement)).all()
        return {key: data for key, data in rows}

    async def _store_row(self, kind: str, key: int, data: Any) -> Any:
        """Upsert one ptb_data row and return the JSON copy that was stored."""
        document = to_json_value(data, f"{kind} data for {key}")
        await self._upsert(
            PersistedData, {"kind": kind, "key": key, "data": document}, ["kind", "key"]
        )
        return document

    async def _delete_row(self, kind: str, key: int) -> None:
        await self._delete(
            delete(PersistedData).where(PersistedData.kind == kind, PersistedData.key == key)
        )

    async def _delete(self, statement: Any) -> None:
        async with self._write_lock, self._session_factory() as session, session.begin():
            await session.execute(statement)

    async def _upsert(
        self, model: type[Base], values: dict[str, Any], key_columns: Sequence[str]
    ) -> None:
        async with self._write_lock, self._session_factory() as session, session.begin():
            statement = self._upsert_statement(session, model, values, key_columns)
            if statement is None:
                await session.merge(model(**values))
            else:
                await session.execute(statement)

    @staticmethod
    def _upsert_statement(
        session: AsyncSession,
        model: type[Base],
        values: dict[str, Any],
        key_columns: Sequence[str],
    ) -> Insert | None:
        """Return an INSERT ... ON CONFLICT DO UPDATE, or None on other dialects."""
        table = cast(Table, model.__table__)
        updated = [name for name in values if name not in key_columns]
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            pg_insert = postgresql.insert(table).values(values)
            return pg_insert.on_conflict_do_update(
                index_elements=list(key_columns),
                set_={name: pg_insert.excluded[name] for name in updated},
            )
        if dialect == "sqlite":
            lite_insert = sqlite.insert(table).values(values)
            return lite_insert.on_conflict_do_update(
                index_elements=list(key_columns),
                set_={name: lite_insert.excluded[name] for name in updated},
            )
        return None

    @staticmethod
    def _decode_callback_data(document: Any) -> CDCData:
        entries, mapping = document
        return [(str(uid), float(when), dict(data)) for uid, when, data in entries], dict(mapping)
