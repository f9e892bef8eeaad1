"""Follow-up figures (docs/indicateurs.md): claims within the delay announced to the holder,
the median delay to the first answer sent to them through the bot, the satisfaction survey.

The announced delay is counted in working days (public holidays included), which SQL cannot
do: the routing and claim events of the dossiers oriented in the period are read (a few
hundred rows a year), everything else is aggregated in SQL.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.db.models import Event, Project
from pes21_bot.domain.followup import DelayFigures, FollowUpFigures, SurveyFigures
from pes21_bot.domain.scheduling import add_working_days
from pes21_bot.domain.scope import Scope
from pes21_bot.services import events

ALL = "*"
ANNOUNCING = (events.ROUTED, events.REDIRECTED)


def _between(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


async def _delays(
    session: AsyncSession,
    config: Config,
    start: datetime,
    end: datetime,
    scope: Scope,
    now: datetime,
) -> dict[str, DelayFigures]:
    """Dossiers oriented in the period: claimed by the announced working day, or not."""
    oriented = select(Event.project_id).where(
        Event.kind == events.ROUTED, _between(Event.occurred_at, start, end)
    )
    result = await session.execute(
        select(
            Event.project_id,
            Event.kind,
            Event.occurred_at,
            Event.programme,
            Event.data["recorded_at"].as_string(),
        )
        .where(
            Event.kind.in_((*ANNOUNCING, events.CLAIMED)),
            Event.project_id.in_(oriented),
        )
        .order_by(Event.project_id, Event.occurred_at, Event.id)
    )
    # Per dossier: the latest announcement before its first claim, and that claim.
    announced: dict[int, tuple[datetime, str | None]] = {}
    claimed: dict[int, datetime] = {}
    for project_id, kind, moment, programme, recorded_at in result.all():
        if project_id is None or project_id in claimed:
            continue
        if kind == events.CLAIMED:
            claimed[project_id] = moment
        else:
            announced[project_id] = (_announced_at(moment, recorded_at), programme)
    closed = dict(
        (
            await session.execute(
                select(Project.id, Project.closed_at).where(
                    Project.id.in_(list(announced)), Project.closed_at.is_not(None)
                )
            )
        ).all()
    )
    known: dict[str, int] = defaultdict(int)
    within: dict[str, int] = defaultdict(int)
    for project_id, (moment, programme) in announced.items():
        settings = config.programmes.get(programme)  # type: ignore[call-overload]
        if programme is None or settings is None or not scope.sees(programme):
            continue
        deadline = add_working_days(moment, settings.response_days, config.tz)
        claim = claimed.get(project_id)
        if claim is None and deadline > now:
            continue  # still within the delay: not known yet
        ended = closed.get(project_id)
        if claim is None and ended is not None and _aware(ended) <= deadline:
            continue  # closed within the delay (an import, an erased holder): nobody was late
        known[programme] += 1
        if claim is not None and claim <= deadline:
            within[programme] += 1
    return {p: DelayFigures(known[p], within[p]) for p in known}


def _announced_at(moment: datetime, recorded_at: str | None) -> datetime:
    """When the holder was told the delay: a dossier recorded outside the chat, at its
    recording (its events are dated at the first contact, possibly months before)."""
    if not recorded_at:
        return moment
    try:
        recorded = _aware(datetime.fromisoformat(recorded_at))
    except ValueError:
        return moment
    return max(moment, recorded)


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive UTC datetimes back.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def _first_answers(
    session: AsyncSession, start: datetime, end: datetime, scope: Scope
) -> dict[str, float]:
    """Median hours from submission to the first relay_to_holder, per programme and ALL."""
    answered = select(Event.project_id).where(
        Event.kind == events.RELAY_TO_HOLDER, _between(Event.occurred_at, start, end)
    )
    first = (
        select(Event.project_id.label("project_id"), func.min(Event.occurred_at).label("at"))
        .where(Event.kind == events.RELAY_TO_HOLDER, Event.project_id.in_(answered))
        .group_by(Event.project_id)
        .subquery()
    )
    in_scope = true() if scope.everything else Project.programme.in_(scope.programmes)
    result = await session.execute(
        select(Project.programme, first.c.at, Project.submitted_at)
        .join(Project, Project.id == first.c.project_id)
        .where(
            first.c.at >= start,
            first.c.at < end,
            Project.submitted_at.is_not(None),
            in_scope,
        )
    )
    hours: dict[str, list[float]] = defaultdict(list)
    for programme, at, submitted in result.all():
        delay = max(0.0, (at - submitted).total_seconds() / 3600)
        hours[programme or ""].append(delay)
        hours[ALL].append(delay)
    return {group: statistics.median(values) for group, values in hours.items()}


async def _surveys(
    session: AsyncSession, start: datetime, end: datetime, scope: Scope
) -> dict[str, SurveyFigures]:
    """Satisfaction answers in the period: ratings and recommendations per programme."""
    rating = Event.data["rating"].as_float()
    recommend = Event.data["recommend"].as_string()
    in_scope = true() if scope.everything else Event.programme.in_(scope.programmes)
    result = await session.execute(
        select(Event.programme, rating, recommend, func.count())
        .where(
            Event.kind == events.SATISFACTION_ANSWERED,
            _between(Event.occurred_at, start, end),
            in_scope,
        )
        .group_by(Event.programme, rating, recommend)
    )
    distribution: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    yes: dict[str, int] = defaultdict(int)
    answered: dict[str, int] = defaultdict(int)
    for programme, value, recommended, count in result.all():
        if value is None:
            continue
        group = programme or ""
        distribution[group][int(value)] += count
        if recommended in ("yes", "no"):
            answered[group] += count
            yes[group] += count if recommended == "yes" else 0
    return {
        group: SurveyFigures(dict(ratings), yes[group], answered[group])
        for group, ratings in distribution.items()
    }


async def figures(
    session: AsyncSession,
    config: Config,
    start: datetime,
    end: datetime,
    scope: Scope,
    now: datetime,
) -> FollowUpFigures:
    """Every follow-up figure of the period [start, end) within a scope."""
    return FollowUpFigures(
        delays=await _delays(session, config, start, end, scope, now),
        first_answer_hours=await _first_answers(session, start, end, scope),
        surveys=await _surveys(session, start, end, scope),
    )
