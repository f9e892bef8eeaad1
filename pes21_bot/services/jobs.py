"""Jobs created, recorded by an accompaniment's end or a review: one event per line."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.domain.jobs import JobLine
from pes21_bot.services import events


def record_jobs(
    session: AsyncSession,
    lines: list[JobLine],
    origin: str,
    now: datetime,
    where: dict[str, Any],
) -> None:
    """One jobs_created event per line of jobs, in the caller's transaction."""
    for line in lines:
        events.record(
            session,
            events.JOBS_CREATED,
            now,
            **where,
            count=line.count,
            contract=line.contract,
            time=line.time,
            origin=origin,
        )
