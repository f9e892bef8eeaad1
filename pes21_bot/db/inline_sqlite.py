"""SQLite for SQLAlchemy's aiosqlite dialect, run on the event loop's thread.

aiosqlite sends every call (open a cursor, execute, fetch, close) to a thread and back: under
load each round trip waits for a turn of the busy event loop, and a write transaction holds
SQLite's single write lock across some twenty of them. On a local file in WAL mode a statement
takes tens of microseconds, far less than one round trip, so these classes run the standard
`sqlite3` calls directly and present aiosqlite's interface, which the dialect drives.

SQLite's own busy handler would sleep on the loop's thread while another connection or process
(a backup, the sqlite3 shell, a migration) holds the write lock, freezing the whole bot up to
the busy timeout. So connections are opened with no busy timeout, and a statement refused with
SQLITE_BUSY is retried after an asyncio sleep until the timeout: the writer waits, everyone
else goes on (WAL readers never need the write lock). Within the process, writers queue in
asyncio first (`session.write_transaction`). Statements that may last more than a few
milliseconds (exports, statistics) do not run here but on a reader thread (`session.read_apart`).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
FIRST_RETRY = 0.001
LONGEST_RETRY = 0.05


def _busy(error: sqlite3.OperationalError) -> bool:
    # Plain SQLITE_BUSY only: a transaction whose snapshot is stale (SQLITE_BUSY_SNAPSHOT)
    # would be refused forever, so it fails at once.
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY


async def _patiently(call: Callable[[], T], patience: float) -> T:
    """Run a sqlite3 call; while the database is locked, retry after asyncio sleeps."""
    try:
        return call()
    except sqlite3.OperationalError as error:
        if not _busy(error):
            raise
    deadline = time.monotonic() + patience
    delay = FIRST_RETRY
    while True:
        await asyncio.sleep(delay)
        try:
            return call()
        except sqlite3.OperationalError as error:
            if not _busy(error) or time.monotonic() >= deadline:
                raise
        delay = min(delay * 2, LONGEST_RETRY)


class InlineCursor:
    """aiosqlite's Cursor interface over a sqlite3 cursor."""

    def __init__(self, cursor: sqlite3.Cursor, timeout: float) -> None:
        self._cursor = cursor
        self._timeout = timeout

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
        """Run one statement (waiting, without blocking the loop, while the database is locked)."""
        await _patiently(lambda: self._cursor.execute(sql, parameters), self._timeout)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        """Run one statement for each set of parameters."""
        rows = list(parameters)  # a retry must see them all again
        await _patiently(lambda: self._cursor.executemany(sql, rows), self._timeout)
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

    def __init__(self, connection: sqlite3.Connection, timeout: float) -> None:
        # The dialect reaches these aiosqlite attributes directly.
        self._conn = connection
        self._timeout = timeout
        self._connection: sqlite3.Connection | None = connection
        self._tx = _RunNow()

    def cursor(self) -> InlineCursor:
        """A new cursor (used as `async with`, as aiosqlite's is)."""
        return InlineCursor(self._conn.cursor(), self._timeout)

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
        await _patiently(self._conn.commit, self._timeout)

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
    """The `async_creator` of an engine on this SQLite file, waiting up to `timeout` for locks."""

    async def connect() -> InlineConnection:
        # check_same_thread off: the pool may close a connection from the garbage collector.
        # No busy timeout in SQLite itself: its sleeps would block the loop (see above).
        connection = sqlite3.connect(database, timeout=0, check_same_thread=False)
        return InlineConnection(connection, timeout)

    return connect
