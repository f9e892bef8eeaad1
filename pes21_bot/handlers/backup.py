"""/sauvegarde: an admin backs the database up now and sees the checked file."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update

from pes21_bot.context import Context
from pes21_bot.domain.french_format import fr_decimal
from pes21_bot.handlers.access import command
from pes21_bot.handlers.ui import reply
from pes21_bot.jobs.backup import backup_running, run_backup
from pes21_bot.services.backup import BackupError
from pes21_bot.texts import ops as t

logger = logging.getLogger(__name__)


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{fr_decimal(size / 1024)} Ko"
    return f"{fr_decimal(size / (1024 * 1024))} Mo"


async def backup_command(update: Update, context: Context) -> None:
    """/sauvegarde (admins): back up now, check the file, rotate, report in French."""
    data = context.bot_data
    if backup_running(context.application):
        await reply(update, data.content.render(t.BACKUP_BUSY))
        return
    await reply(update, data.content.render(t.BACKUP_STARTED))
    try:
        result = await run_backup(context.application)
    except BackupError as exc:
        logger.warning("backup asked by an admin failed: %s", exc)
        await reply(update, data.content.render(t.BACKUP_FAILED, reason=str(exc)[:300]))
        return
    await reply(
        update,
        data.content.render(
            t.BACKUP_DONE,
            name=result.path.name,
            size=_size(result.size),
            kept=result.kept,
            removed=len(result.removed),
        ),
    )


def backup_handlers() -> list[Any]:
    """/sauvegarde (the access table says: admins only)."""
    return [command("sauvegarde", backup_command)]
