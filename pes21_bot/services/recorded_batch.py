"""Dossiers created outside the chat in bulk (/import): a source and a real first-contact date.

Such a dossier is scored, routed and counted like one sent by chat: its `intake_completed` and
`routed` events carry the date of first contact (so the yearly figures count it in the right
year), and `data.recorded_at` says when the bot learnt of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.db.models import Event, Project
from pes21_bot.domain.answers import in_cote_dor
from pes21_bot.domain.references import format_reference
from pes21_bot.domain.vocabulary import PROGRAMME_PATH, ProjectStatus
from pes21_bot.services import events
from pes21_bot.services.intake import evaluate


@dataclass(frozen=True)
class RecordedDossier:
    """What is known of a dossier that did not come through the chat."""

    path: str
    answers: dict[str, Any]
    first_contact: datetime  # UTC
    source: str | None
    # The programme it went to; None: scored and routed from the answers, as the chat does.
    programme: str | None = None


async def _next_seqs(session: AsyncSession, years: set[int]) -> dict[int, int]:
    result = await session.execute(
        select(Project.year, func.max(Project.seq))
        .where(Project.year.in_(sorted(years)))
        .group_by(Project.year)
    )
    found = {year: seq or 0 for year, seq in result.all()}
    return {year: found.get(year, 0) + 1 for year in years}


async def record_dossiers(
    session: AsyncSession,
    config: Config,
    dossiers: Sequence[RecordedDossier],
    *,
    recorded_at: datetime,
    actor_id: int | None,
    close_reason: str | None = None,
) -> list[int]:
    """Add the dossiers with references of their first contact's year, and their events;
    returns their ids, in order.

    ``close_reason``: the dossiers are history (an import), closed at once rather than routed
    to staff. Rows go in with one multi-row INSERT per table (an import writes thousands). The
    caller's transaction commits; a reference taken meanwhile by a dossier sent by chat raises
    IntegrityError, and the caller retries.
    """
    if not dossiers:
        return []
    years = {d.first_contact.astimezone(config.tz).year for d in dossiers}
    seqs = await _next_seqs(session, years)
    rows: list[dict[str, Any]] = []
    for dossier in dossiers:
        year = dossier.first_contact.astimezone(config.tz).year
        seq = seqs[year]
        seqs[year] = seq + 1
        maturity, route = evaluate(config, dossier.path, dossier.answers)
        postal_code = dossier.answers.get("postal_code")
        rows.append(
            {
                "reference": format_reference(year, seq),
                "year": year,
                "seq": seq,
                "holder_id": None,
                "owner_id": None,
                "path": dossier.path,
                "status": ProjectStatus.CLOSED if close_reason else ProjectStatus.ROUTED,
                "answers": dict(dossier.answers),
                "programme": dossier.programme or route.programme,
                "score": maturity.score if maturity else None,
                "criteria": maturity.criteria if maturity else None,
                "sector": dossier.answers.get("sector"),
                "postal_code": postal_code,
                "commune": dossier.answers.get("commune"),
                "in_cote_dor": in_cote_dor(postal_code),
                "source": dossier.source,
                "close_reason": close_reason,
                "created_at": recorded_at,
                "submitted_at": dossier.first_contact,
                "claimed_at": None,
                "closed_at": recorded_at if close_reason else None,
                "updated_at": recorded_at,
            }
        )
    # On the table, not the ORM entity: the ORM's bulk path sent SQLite one row at a time.
    table = cast(Table, Project.__table__)
    result = await session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    )
    ids = [row_id for (row_id,) in result.all()]
    recorded = recorded_at.isoformat()
    logged: list[dict[str, Any]] = []
    for project_id, row, dossier in zip(ids, rows, dossiers, strict=True):
        where = {
            "occurred_at": dossier.first_contact,
            "actor_id": actor_id,
            "project_id": project_id,
            "programme": row["programme"],
        }
        completed = {"path": row["path"], "source": row["source"], "recorded_at": recorded}
        routed = {
            "score": row["score"],
            "criteria": row["criteria"] or [],
            "recorded_at": recorded,
        }
        logged.append({**where, "kind": events.INTAKE_COMPLETED, "data": completed})
        logged.append({**where, "kind": events.ROUTED, "data": routed})
    await session.execute(insert(cast(Table, Event.__table__)), logged)
    return ids


def path_of(programme: str) -> str:
    """The intake path that feeds a programme (a dossier recorded for it took that path)."""
    return str(PROGRAMME_PATH[programme])
