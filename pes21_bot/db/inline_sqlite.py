"""SQLite for SQLAlchemy's aiosqlite dialect, run on the event loop's thread.

aiosqlite sends every call (open a cursor, execute, fetch, close) to a thread and back: under
load each round trip waits for a turn of the busy event loop, and a write transaction holds
SQLite's single write lock across some twenty of them. On a local file in WAL mode a statement
takes tens of microseconds, far less than one round trip, so these classes run the standard
`sqlite3` calls directly and present aiosqlite's interface, which the dialect drives.

The price: while another *process* holds the write lock, a writer here blocks the loop (up to
the busy timeout). The bot is the only process writing its SQLite file; within the process,
writers queue in asyncio first (`session.write_transaction`).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any


class InlineCursor:
    """aiosqlite's Cursor interface over a sqlite3 cursor."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        """Column descriptions of the last query."""
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        """Rows changed by the last statement."""
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        """Id of the last inserted row."""
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        """Rows fetched by fetchmany by default."""
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        """Run one statement."""
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        """Run one statement for each set of parameters."""
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        """The next row."""
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        """The next rows."""
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        """The remaining rows."""
        return self._cursor.fetchall()

    async def close(self) -> None:
        """Release the cursor."""
        self._cursor.close()


class _RunNow:
    """Stands for aiosqlite's request queue, which the dialect uses to set isolation_level."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:
            future.set_exception(error)


class InlineConnection:
    """aiosqlite's Connection interface over a sqlite3 connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        # The dialect reaches these aiosqlite attributes directly.
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection
        self._tx = _RunNow()

    def cursor(self) -> InlineCursor:
        """A new cursor (used as `async with`, as aiosqlite's is)."""
        return InlineCursor(self._conn.cursor())

    @property
    def isolation_level(self) -> str | None:
        """The sqlite3 module's transaction mode (None: the dialect sends BEGIN itself)."""
        return self._conn.isolation_level

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        """Run one statement on a new cursor."""
        return await self.cursor().execute(sql, parameters)

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        """Register a Python function for SQL."""
        self._conn.create_function(*args, **kwargs)

    async def commit(self) -> None:
        """Commit the transaction."""
        self._conn.commit()

    async def rollback(self) -> None:
        """Roll the transaction back."""
        self._conn.rollback()

    async def close(self) -> None:
        """Close the connection (again: nothing happens)."""
        self.stop()

    def stop(self) -> None:
        """Close at once (the dialect's forced termination)."""
        if self._connection is not None:
            self._connection = None
            self._conn.close()


def inline_connector(database: str, timeout: float) -> Callable[[], Any]:
    """The `async_creator` of an engine on this SQLite file."""

    async def connect() -> InlineConnection:
        # check_same_thread off: the pool may close a connection from the garbage collector.
        return InlineConnection(sqlite3.connect(database, timeout=timeout, check_same_thread=False))

    return connect
