"""Backup files: checked after writing, rotated (7 daily, 4 weekly, 12 monthly), off the loop."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pes21_bot.jobs import backup as job
from pes21_bot.services import backup
from pes21_bot.services.backup import BackupError, Retention, backups_in, make_backup, to_keep
from tests.harness import Harness
from tests.postgres import find_postgres_bindir

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def test_rotation_keeps_seven_days_four_weeks_twelve_months() -> None:
    """Two years of nightly backups: the newest of each of 7 days, 4 weeks and 12 months stay."""
    stamps = [NOW - timedelta(days=n) for n in range(730)]
    kept = to_keep(stamps, Retention(), PARIS)
    local_days = sorted({s.astimezone(PARIS).date() for s in kept}, reverse=True)
    # The last 7 days, then one per older week (Sundays), then one per older month (month ends).
    assert local_days[:7] == [(NOW - timedelta(days=n)).astimezone(PARIS).date() for n in range(7)]
    months = {(d.year, d.month) for d in local_days}
    assert len(months) == 12
    assert min(local_days) >= (NOW - timedelta(days=366)).date()
    assert 7 + 12 - 1 <= len(kept) <= 7 + 4 + 12


def test_rotation_does_not_forget_old_backups_when_the_server_was_off() -> None:
    """Only 3 backups in a year (server off): all three are kept."""
    stamps = [NOW, NOW - timedelta(days=100), NOW - timedelta(days=300)]
    assert to_keep(stamps, Retention(), PARIS) == set(stamps)


def test_damaged_files_are_not_backups(tmp_path: Path) -> None:
    """A truncated SQLite file or a garbage dump fails the check with a clear reason."""
    bad_sqlite = tmp_path / "pes21-20260310-020000.sqlite"
    bad_sqlite.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
    with pytest.raises(BackupError):
        backup.check_backup(bad_sqlite)
    bindir = find_postgres_bindir()
    if bindir is not None:
        bad_dump = tmp_path / "pes21-20260310-020000.dump"
        bad_dump.write_bytes(b"PGDMP garbage")
        with pytest.raises(BackupError, match="pg_restore failed"):
            backup.check_backup(bad_dump, str(bindir))


async def test_backup_of_a_migrated_database_is_checked_and_rotated(
    migrated_url: str, tmp_path: Path
) -> None:
    """Nine nightly backups with a 3-day retention: three files left, each one readable."""
    bindir = find_postgres_bindir()
    folder = tmp_path / "sauvegardes"
    retention = Retention(daily=3, weekly=0, monthly=0)
    for night in range(9):
        moment = NOW + timedelta(days=night)
        result = make_backup(
            migrated_url, folder, moment, retention, PARIS, str(bindir) if bindir else None
        )
        assert result.items > 0
    files = backups_in(folder)
    assert [f.name for f in files] == [
        backup.backup_name(NOW + timedelta(days=n), backup.backend_of(migrated_url), PARIS)
        for n in (8, 7, 6)
    ]
    assert result.kept == 3 and len(result.removed) == 1
    # Nothing else: no partial copy, no SQLite -wal/-shm side file left by the check.
    assert sorted(p.name for p in folder.iterdir()) == sorted(f.name for f in files)


def test_backup_names_read_in_local_time() -> None:
    """A backup taken at 02:00 UTC in March is named 03:00, as the bot shows times in Dijon."""
    assert backup.backup_name(NOW, "sqlite", PARIS) == "pes21-20260310-030000.sqlite"
    summer = datetime(2026, 7, 1, 1, 30, tzinfo=UTC)
    assert backup.backup_name(summer, "postgresql", PARIS) == "pes21-20260701-033000.dump"
    assert backup.taken_at(Path("pes21-20260310-030000.sqlite"), PARIS) == NOW


def test_rotation_removes_files_an_interrupted_backup_left(tmp_path: Path) -> None:
    """Partial copies and SQLite side files of earlier runs go at the next rotation."""
    kept = tmp_path / "pes21-20260310-030000.sqlite"
    kept.write_bytes(b"x")
    orphans = [
        tmp_path / "pes21-20260309-030000.sqlite.partial",
        tmp_path / "pes21-20260309-030000.sqlite.partial-wal",
        tmp_path / "pes21-20260309-030000.sqlite.partial-shm",
        tmp_path / "pes21-20260310-030000.sqlite-shm",
    ]
    for orphan in orphans:
        orphan.write_bytes(b"")
    mine = tmp_path / "notes.txt"
    mine.write_text("à garder")
    backup.rotate(tmp_path, Retention(), PARIS)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([kept.name, mine.name])


async def test_backup_job_runs_off_the_event_loop_thread(
    sqlite_bot: Harness, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The job hands the copy to a worker thread, so the bot keeps answering meanwhile."""
    assert sqlite_bot.app is not None
    threads: list[int] = []

    def fake_backup(*args: object) -> backup.BackupResult:
        threads.append(threading.get_ident())
        path = tmp_path / "pes21-20260310-020000.sqlite"
        path.write_bytes(b"")
        return backup.BackupResult(path, 0, 0)

    monkeypatch.setattr(job, "make_backup", fake_backup)
    await job.run_backup(sqlite_bot.app)
    assert threads and threads[0] != threading.get_ident()


async def test_daily_backup_is_planned_at_the_configured_time(sqlite_bot: Harness) -> None:
    """The backup job runs every day at operations.backup_time, in the Pôle's time zone."""
    assert sqlite_bot.app is not None and sqlite_bot.app.job_queue is not None
    (planned,) = sqlite_bot.app.job_queue.get_jobs_by_name(job.JOB_NAME)
    assert planned.next_t is not None
    local = planned.next_t.astimezone(sqlite_bot.config.tz)
    assert (local.hour, local.minute) == (3, 0)
