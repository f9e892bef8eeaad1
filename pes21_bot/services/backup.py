"""Backups of the database and their rotation; restore into an empty database.

SQLite goes through the online backup API (a file copy of a WAL database can miss committed
pages), PostgreSQL through ``pg_dump`` in its custom format. Every file is checked after writing
(opened and its rows counted, or listed by ``pg_restore --list``) before it takes its final name,
so a half-written file never looks like a backup. These functions block: callers run them in a
worker thread.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import URL, make_url

PREFIX = "pes21-"
SQLITE_SUFFIX = ".sqlite"
PG_SUFFIX = ".dump"
_NAME = re.compile(r"^pes21-(\d{8}-\d{6})\.(sqlite|dump)$")
_STAMP = "%Y%m%d-%H%M%S"
_PARTIAL = ".partial"
# SQLite's write-ahead log and shared memory, created when a WAL database file is opened.
_SIDE_FILES = ("-wal", "-shm", "-journal")
COMMAND_TIMEOUT = 30 * 60
# Tables that exist in a migrated but unused database.
BOOKKEEPING_TABLES = frozenset({"alembic_version"})


class BackupError(Exception):
    """A backup or restore that did not succeed; the message holds no secret."""


@dataclass(frozen=True)
class BackupResult:
    """A checked backup file and what rotation removed."""

    path: Path
    size: int
    items: int  # rows counted (SQLite) or archive entries listed (PostgreSQL)
    removed: list[Path] = field(default_factory=list)
    kept: int = 1  # backups in the folder after rotation, this one included


@dataclass(frozen=True)
class Retention:
    """How many daily, weekly and monthly backups to keep."""

    daily: int = 7
    weekly: int = 4
    monthly: int = 12


def backend_of(database_url: str) -> str:
    """'sqlite' or 'postgresql'; anything else is refused."""
    backend = make_url(database_url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"unsupported database: {backend}")
    return backend


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _tool(name: str, bin_dir: str | None) -> str:
    if bin_dir:
        return str(Path(bin_dir) / name)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found (install postgresql-client or set pg_bin_dir)")
    return found


def _pg_env(url: URL) -> dict[str, str]:
    """libpq settings from the URL, passed by environment so the password is not in argv."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    values = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    env.update({k: str(v) for k, v in values.items() if v})
    return env


def _run(command: list[str], env: dict[str, str] | None = None) -> str:
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=COMMAND_TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise BackupError(f"{Path(command[0]).name}: {type(exc).__name__}") from exc
    if result.returncode != 0:
        # libpq messages name the host and database, never the password.
        last = (result.stderr.strip().splitlines() or ["?"])[-1][:300]
        raise BackupError(f"{Path(command[0]).name} failed ({result.returncode}): {last}")
    return result.stdout


def _table_rows(connection: sqlite3.Connection) -> dict[str, int]:
    """Rows of every table of a SQLite database."""
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        name: int(connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
        for name in names
    }


def count_sqlite_rows(path: Path) -> int:
    """Open a SQLite file, check its integrity and count the rows of every table."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open {path.name}: {exc}") from exc
    try:
        if connection.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError(f"{path.name}: integrity check failed")
        rows = _table_rows(connection)
        if "alembic_version" not in rows:
            raise BackupError(f"{path.name}: not a database of the bot")
        return sum(rows.values())
    except sqlite3.Error as exc:
        raise BackupError(f"{path.name}: {exc}") from exc
    finally:
        connection.close()


def list_pg_archive(path: Path, bin_dir: str | None) -> int:
    """Entries of a pg_dump archive as pg_restore lists them (fails on a damaged file)."""
    listing = _run([_tool("pg_restore", bin_dir), "--list", str(path)])
    entries = [line for line in listing.splitlines() if line and not line.startswith(";")]
    if not any(" TABLE DATA " in line for line in entries):
        raise BackupError(f"{path.name}: the archive holds no table data")
    return len(entries)


def check_backup(path: Path, bin_dir: str | None = None, kind: str | None = None) -> int:
    """Check a backup file by its kind (its suffix unless given); return what it holds."""
    kind = kind or path.suffix
    if kind == SQLITE_SUFFIX:
        return count_sqlite_rows(path)
    if kind == PG_SUFFIX:
        return list_pg_archive(path, bin_dir)
    raise BackupError(f"{path.name}: unknown backup kind (expected {SQLITE_SUFFIX} or {PG_SUFFIX})")


def _sqlite_copy(source: Path, target: Path, what: str, *, standalone: bool = False) -> None:
    """Copy one SQLite database into another through the online backup API.

    ``standalone``: the copy leaves WAL mode (inherited from the bot's database), so opening it
    later creates no ``-wal``/``-shm`` files beside it that rotation would never remove.
    """
    try:
        src = sqlite3.connect(source)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
                if standalone:
                    dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite {what} failed: {exc}") from exc


def backup_name(now: datetime, backend: str, tz: tzinfo = UTC) -> str:
    """File name of a backup taken at `now`, in the Pôle's local time (what people read)."""
    suffix = SQLITE_SUFFIX if backend == "sqlite" else PG_SUFFIX
    return f"{PREFIX}{now.astimezone(tz).strftime(_STAMP)}{suffix}"


def taken_at(path: Path, tz: tzinfo = UTC) -> datetime | None:
    """When a backup file was taken, from its name (local time in `tz`); None for others."""
    match = _NAME.match(path.name)
    if match is None:
        return None
    return datetime.strptime(match.group(1), _STAMP).replace(tzinfo=tz)


def backups_in(folder: Path) -> list[Path]:
    """Backup files of a folder, newest first."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_file() and taken_at(p) is not None]
    return sorted(found, key=lambda p: p.name, reverse=True)


def leftovers_in(folder: Path) -> list[Path]:
    """Files a backup leaves behind when interrupted: partial copies and SQLite side files."""
    if not folder.is_dir():
        return []
    return [
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.name.startswith(PREFIX)
        and (_PARTIAL in p.name or p.name.endswith(_SIDE_FILES))
    ]


def to_keep(stamps: Iterable[datetime], retention: Retention, tz: ZoneInfo) -> set[datetime]:
    """Which backups rotation keeps: the newest of each of the last days, weeks and months.

    Days, ISO weeks and months are counted in the Pôle's time zone, among the days that have
    a backup (a stopped server does not make the older ones disappear).
    """
    days: set[object] = set()
    weeks: set[object] = set()
    months: set[object] = set()
    kept: set[datetime] = set()
    for stamp in sorted(stamps, reverse=True):
        local = stamp.astimezone(tz)
        periods = (
            (days, local.date(), retention.daily),
            (weeks, local.isocalendar()[:2], retention.weekly),
            (months, (local.year, local.month), retention.monthly),
        )
        for seen, period, limit in periods:
            if period not in seen and len(seen) < limit:
                seen.add(period)
                kept.add(stamp)
    return kept


def rotate(folder: Path, retention: Retention, tz: ZoneInfo) -> list[Path]:
    """Delete the backups rotation does not keep; return them."""
    files = backups_in(folder)
    stamps = {p: taken_at(p, tz) for p in files}
    kept = to_keep([s for s in stamps.values() if s is not None], retention, tz)
    removed = [p for p, stamp in stamps.items() if stamp not in kept]
    for path in removed:
        path.unlink(missing_ok=True)
    for path in leftovers_in(folder):
        path.unlink(missing_ok=True)
    return removed


def make_backup(
    database_url: str,
    folder: Path,
    now: datetime,
    retention: Retention,
    tz: ZoneInfo,
    bin_dir: str | None = None,
) -> BackupResult:
    """Back the database up into `folder`, check the file, then rotate older backups."""
    backend = backend_of(database_url)
    url = make_url(database_url)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / backup_name(now, backend, tz)
    partial = final.with_name(final.name + _PARTIAL)
    partial.unlink(missing_ok=True)
    try:
        if backend == "sqlite":
            source = _sqlite_path(url)
            if not source.is_file():
                raise BackupError(f"{source.name}: database file not found")
            _sqlite_copy(source, partial, "backup", standalone=True)
        else:
            _run(
                [_tool("pg_dump", bin_dir), "--format=custom", "--no-owner", "-f", str(partial)],
                env=_pg_env(url),
            )
        items = check_backup(partial, bin_dir, kind=final.suffix)
        partial.replace(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    removed = rotate(folder, retention, tz)
    return BackupResult(final, final.stat().st_size, items, removed, len(backups_in(folder)))


# --- Restore -------------------------------------------------------------------------------


def _sqlite_user_rows(path: Path) -> int:
    if not path.is_file():
        return 0
    connection = sqlite3.connect(path)
    try:
        rows = _table_rows(connection)
    finally:
        connection.close()
    return sum(n for name, n in rows.items() if name not in BOOKKEEPING_TABLES)


_PG_TABLES = """
SELECT string_agg(quote_ident(tablename), ',') FROM pg_tables
WHERE schemaname = 'public' AND tablename <> 'alembic_version'
"""


def _pg_user_rows(url: URL, bin_dir: str | None) -> int:
    """Rows in the database's tables (exact counts: statistics may lag behind)."""
    psql = _tool("psql", bin_dir)
    env = _pg_env(url)
    tables = _run([psql, "-XAtq", "-c", _PG_TABLES], env=env).strip()
    if not tables:
        return 0
    total = 0
    for name in tables.split(","):
        total += int(_run([psql, "-XAtq", "-c", f"SELECT count(*) FROM {name}"], env=env))
    return total


def database_rows(database_url: str, bin_dir: str | None = None) -> int:
    """Rows held by the database, bookkeeping tables aside (0: empty or only migrated)."""
    url = make_url(database_url)
    if backend_of(database_url) == "sqlite":
        return _sqlite_user_rows(_sqlite_path(url))
    return _pg_user_rows(url, bin_dir)


def restore_backup(
    path: Path, database_url: str, *, force: bool = False, bin_dir: str | None = None
) -> int:
    """Restore a checked backup into the database; refuse one holding rows unless forced."""
    backend = backend_of(database_url)
    expected = SQLITE_SUFFIX if backend == "sqlite" else PG_SUFFIX
    if path.suffix != expected:
        raise BackupError(f"{path.name}: a {backend} database needs a {expected} backup")
    items = check_backup(path, bin_dir)
    if not force and database_rows(database_url, bin_dir):
        raise BackupError("the target database is not empty (use --force to replace it)")
    url = make_url(database_url)
    if backend == "sqlite":
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(path, target, "restore")
    else:
        _run(
            [
                _tool("pg_restore", bin_dir),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                url.database or "",
                str(path),
            ],
            env=_pg_env(url),
        )
    return items
