"""The daily backup job (time from config.yaml) and the backup run shared with /sauvegarde."""

from __future__ import annotations

import asyncio
import logging
import weakref
from pathlib import Path
from typing import Any

from telegram.ext import Application

from pes21_bot import alerts
from pes21_bot.config import parse_clock_time
from pes21_bot.context import BotData, Context
from pes21_bot.services.backup import BackupError, BackupResult, Retention, make_backup

logger = logging.getLogger(__name__)

JOB_NAME = "backup"

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
_LOCKS: weakref.WeakKeyDictionary[AnyApplication, asyncio.Lock] = weakref.WeakKeyDictionary()


def _lock(application: AnyApplication) -> asyncio.Lock:
    if application not in _LOCKS:
        _LOCKS[application] = asyncio.Lock()
    return _LOCKS[application]


def backup_running(application: AnyApplication) -> bool:
    """Whether a backup of this application is under way."""
    return _lock(application).locked()


def database_url_of(data: BotData) -> str:
    """The URL (with its password) of the bot's own database."""
    bind = data.session_factory.kw["bind"]
    return str(bind.url.render_as_string(hide_password=False))


async def run_backup(application: AnyApplication) -> BackupResult:
    """Back the database up in a worker thread, one at a time; raise BackupError on failure."""
    data: BotData = application.bot_data
    settings = data.config.operations
    retention = Retention(settings.keep_daily, settings.keep_weekly, settings.keep_monthly)
    async with _lock(application):
        try:
            result = await asyncio.to_thread(
                make_backup,
                database_url_of(data),
                Path(settings.backup_dir),
                data.clock.now(),
                retention,
                data.config.tz,
                settings.pg_bin_dir,
            )
        except BackupError:
            raise
        except Exception as exc:  # disk full, permissions...: still a failed backup
            raise BackupError(f"{type(exc).__name__}: {exc}") from exc
    logger.info(
        "backup %s written (%s bytes, %s rows/entries checked, %s old removed)",
        result.path.name,
        result.size,
        result.items,
        len(result.removed),
    )
    return result


async def daily_backup(application: AnyApplication) -> BackupResult | None:
    """The job's body: back up, and tell the admins in French when it fails."""
    try:
        return await run_backup(application)
    except BackupError as exc:
        logger.warning("daily backup failed: %s", exc)
        await alerts.send_alert(application, alerts.BACKUP_FAILED, reason=str(exc)[:300])
        return None


async def _tick(context: Context) -> None:
    await daily_backup(context.application)


def schedule_backup(application: AnyApplication) -> None:
    """Register the daily backup at operations.backup_time, in the Pôle's time zone."""
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is required for backups")
    config = application.bot_data.config
    at = parse_clock_time(config.operations.backup_time).replace(tzinfo=config.tz)
    job_queue.run_daily(_tick, time=at, name=JOB_NAME, job_kwargs={"misfire_grace_time": 3600})
