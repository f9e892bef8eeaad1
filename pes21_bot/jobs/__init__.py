"""Repeating jobs (PTB JobQueue, APScheduler underneath): durable reminders and their planning.

Nothing lives only in memory: every run reads the database. Jobs take the running Application,
so tests call them directly after moving the fake clock.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application

from pes21_bot.context import Context
from pes21_bot.heartbeat import REMINDERS, beat
from pes21_bot.jobs import outbox
from pes21_bot.jobs.dispatcher import dispatch_due_reminders
from pes21_bot.jobs.planner import plan_reminders
from pes21_bot.jobs.retention import run_retention, schedule_retention

logger = logging.getLogger(__name__)

JOB_NAME = "reminders"
OUTBOX_JOB_NAME = "outbox"
FIRST_RUN_AFTER = 5.0  # seconds after start: the first run catches up on what fell due meanwhile

__all__ = [
    "dispatch_due_reminders",
    "plan_reminders",
    "run_reminders",
    "run_retention",
    "schedule_jobs",
]


async def run_reminders(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """One tick: plan time-based reminders, then send every due row."""
    try:
        await plan_reminders(application)
    except Exception:  # planning must not stop the sending of rows already planned
        logger.exception("reminder planning failed")
    await dispatch_due_reminders(application)


async def _tick(context: Context) -> None:
    # Stamped before and after: a tick that never ends (stuck database) lets the stamp age.
    beat(context.application, REMINDERS)
    await run_reminders(context.application)
    beat(context.application, REMINDERS)


def schedule_jobs(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the reminder job (interval from config.yaml), the outbox sweep and the retention."""
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is required for reminders")
    application.bot_data.outbox_sender = outbox.deliver
    interval = application.bot_data.config.reminders.interval_seconds
    job_queue.run_repeating(
        _tick,
        interval=interval,
        first=FIRST_RUN_AFTER,
        name=JOB_NAME,
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": interval},
    )
    job_queue.run_repeating(
        outbox.sweep,
        interval=outbox.SWEEP_SECONDS,
        first=FIRST_RUN_AFTER,
        name=OUTBOX_JOB_NAME,
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
    schedule_retention(application)
