"""Every state change writes one event row: the memory the yearly figures are counted from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.db.models import Event

# Event kinds; docs/indicateurs.md says which ones define each figure.
BOT_STARTED = "bot_started"
CONSENT_GIVEN = "consent_given"
CONSENT_REFUSED = "consent_refused"
INTAKE_STARTED = "intake_started"
QUESTION_ANSWERED = "question_answered"
INTAKE_ABANDONED = "intake_abandoned"
INTAKE_COMPLETED = "intake_completed"  # "projet accueilli"
ROUTED = "routed"  # "projet orienté"
CLAIMED = "claimed"
REDIRECTED = "redirected"
CLOSED = "closed"
DATA_EXPORTED = "data_exported"
DATA_ERASED = "data_erased"


def record(
    session: AsyncSession,
    kind: str,
    now: datetime,
    *,
    actor_id: int | None = None,
    project_id: int | None = None,
    programme: str | None = None,
    **data: Any,
) -> Event:
    """Add an event to the session; it is committed with the change it describes."""
    event = Event(
        kind=kind,
        occurred_at=now,
        actor_id=actor_id,
        project_id=project_id,
        programme=programme,
        data=data,
    )
    session.add(event)
    return event
