"""The daily retention job: anonymise who reached the period, tell the admins what comes."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

from telegram.ext import Application, CallbackContext

from pes21_bot.config import parse_clock_time
from pes21_bot.context import BotData, Context
from pes21_bot.messages.render import fr_date
from pes21_bot.services import data_rights, retention
from pes21_bot.texts import team as t

logger = logging.getLogger(__name__)

JOB_NAME = "retention"

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True)
class Senders:
    """How the job tells people: the handlers' senders, given by app.py (jobs import no handler)."""

    announce: Callable[[Context, data_rights.Erasure, str], Awaitable[None]]
    notify: Callable[[Context, int, str], Awaitable[object]]


_SENDERS: weakref.WeakKeyDictionary[AnyApplication, Senders] = weakref.WeakKeyDictionary()


def use_senders(application: AnyApplication, senders: Senders) -> None:
    """The senders of this application's retention runs."""
    _SENDERS[application] = senders


@dataclass
class RetentionReport:
    """What one run did."""

    erased: int = 0
    noticed: int = 0


async def run_retention(application: Application[Any, Any, Any, Any, Any, Any]) -> RetentionReport:
    """One run: erase everyone past their period, one transaction each; then the admins' notice."""
    data: BotData = application.bot_data
    senders = _SENDERS[application]
    context = cast(Context, CallbackContext(application))
    config, content = data.config, data.content
    report = RetentionReport()
    now = data.clock.now()
    async with data.session_factory() as session:
        scheduled = await retention.schedule(session, config, config.team_ids())
    for item in scheduled:
        if item.due_at > now:
            continue
        async with data.transaction() as session:
            erasure = await retention.erase_due(session, config, item, now)
        if erasure is not None:
            report.erased += 1
            await senders.announce(context, erasure, data_rights.RETENTION)
    async with data.transaction() as session:
        notice = await retention.mark_notice(session, config, scheduled, now)
    report.noticed = notice.count
    lines = []
    if report.erased:
        lines.append(content.render(t.RETENTION_DONE, count=report.erased))
    if notice.count:
        lines.append(
            content.render(
                t.RETENTION_NOTICE,
                count=notice.count,
                date=fr_date(notice.until, config.tz),
                years=config.retention.years,
            )
        )
    if lines:
        text = "\n\n".join(lines)
        for admin in config.admins:
            await senders.notify(context, admin.id, text)
    logger.info("retention: %s anonymised, %s announced", report.erased, report.noticed)
    return report


async def _tick(context: Context) -> None:
    try:
        await run_retention(context.application)
    except (
        Exception
    ):  # the next day's run tries again; nothing is half-erased (one transaction each)
        logger.exception("retention run failed")


def schedule_retention(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Run the retention job every day at retention.time (local time)."""
    assert application.job_queue is not None
    config = application.bot_data.config
    at = parse_clock_time(config.retention.time).replace(tzinfo=config.tz)
    application.job_queue.run_daily(_tick, time=at, name=JOB_NAME)
