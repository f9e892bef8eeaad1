"""What the Word activity report needs: /rapport's figures, and the lists behind them.

The figures are those of /stats and /rapport (`stats.compute_stats`, the same call and the
same records), never counted again here, so the document equals /rapport by construction. Only
what /rapport does not list is read here: the events held (dates and titles), the consented
quotes of the satisfaction survey, the volunteers' missions and the projects welcomed per month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.db.models import AgendaEvent, Event, Person, Volunteer
from pes21_bot.domain.figures import Stats
from pes21_bot.domain.periods import Bucket, Period, chart_buckets
from pes21_bot.domain.scope import Scope
from pes21_bot.services import agenda, events, stats

# Survey answers that allow quoting the comment, and with which name.
QUOTE_WITH_NAME = "first_name"
QUOTE_ANONYMOUS = "anonymous"
QUOTE_CONSENTS = (QUOTE_WITH_NAME, QUOTE_ANONYMOUS)


@dataclass(frozen=True)
class HeldEvent:
    """An agenda event held in the period, as the report's figures count it."""

    day: date
    kind: str
    title: str
    partner: str | None
    run_by_pole: bool


@dataclass(frozen=True)
class Quote:
    """A satisfaction comment whose author agreed to be quoted."""

    text: str
    first_name: str | None  # None: quoted anonymously
    programme: str | None


@dataclass(frozen=True)
class ActivityReport:
    """Everything the Word report shows for a period, within the reader's scope."""

    stats: Stats
    held: list[HeldEvent]
    quotes: list[Quote]
    missions: dict[str, int]  # volunteer mission -> volunteers enrolled during the period
    buckets: list[Bucket]
    welcomed_per_bucket: list[dict[str, int]]

    @property
    def period(self) -> Period:
        """The period reported on."""
        return self.stats.period

    @property
    def scope(self) -> Scope:
        """The programmes the reader may see."""
        return self.stats.scope


async def held_events(session: AsyncSession, config: Config, period: Period) -> list[HeldEvent]:
    """Events held whose date falls in the period (those `agenda.figures` counts)."""
    window = stats.window_of(period, config)
    result = await session.execute(
        select(
            AgendaEvent.starts_at,
            AgendaEvent.kind,
            AgendaEvent.title,
            AgendaEvent.partner,
            AgendaEvent.run_by_pole,
        )
        .where(
            AgendaEvent.state == agenda.HELD,
            AgendaEvent.starts_at >= window.start,
            AgendaEvent.starts_at < window.end,
        )
        .order_by(AgendaEvent.starts_at, AgendaEvent.id)
    )
    return [
        HeldEvent(starts.astimezone(config.tz).date(), kind, title, partner, bool(run_by_pole))
        for starts, kind, title, partner, run_by_pole in result.all()
    ]


async def quotes(
    session: AsyncSession, config: Config, period: Period, scope: Scope
) -> list[Quote]:
    """Comments of the period's survey answers whose author said yes to quoting, oldest first.

    An erased person's comment is gone (services.satisfaction.erase_comments), so is the quote.
    """
    window = stats.window_of(period, config)
    result = await session.execute(
        select(Event.data, Event.programme, Person.first_name)
        .outerjoin(Person, Person.id == Event.actor_id)
        .where(
            Event.kind == events.SATISFACTION_ANSWERED,
            window.has(),
            Event.programme.in_(scope.programmes),
        )
        .order_by(Event.occurred_at, Event.id)
    )
    found: list[Quote] = []
    for data, programme, first_name in result.all():
        comment = str((data or {}).get("comment") or "").strip()
        consent = (data or {}).get("quote")
        if not comment or consent not in QUOTE_CONSENTS:
            continue
        name = first_name if consent == QUOTE_WITH_NAME and first_name else None
        found.append(Quote(comment, name, programme))
    return found


async def volunteer_missions(
    session: AsyncSession, config: Config, period: Period
) -> dict[str, int]:
    """Volunteers enrolled at some time in the period, counted under each mission they chose."""
    window = stats.window_of(period, config)
    result = await session.execute(
        select(Volunteer.missions).where(
            Volunteer.enrolled_at < window.end,
            or_(Volunteer.removed_at.is_(None), Volunteer.removed_at >= window.start),
        )
    )
    counts: dict[str, int] = {}
    for (missions,) in result.all():
        for mission in dict.fromkeys(missions or []):
            counts[str(mission)] = counts.get(str(mission), 0) + 1
    return counts


async def gather(
    session: AsyncSession, config: Config, period: Period, scope: Scope, now: datetime
) -> ActivityReport:
    """The figures of /stats and /rapport for the period, and the lists the document adds."""
    figures = await stats.compute_stats(session, config, period, scope, now)
    buckets = chart_buckets(period)
    return ActivityReport(
        stats=figures,
        held=await held_events(session, config, period),
        quotes=await quotes(session, config, period, scope),
        missions=await volunteer_missions(session, config, period),
        buckets=buckets,
        welcomed_per_bucket=await stats.welcomed_per_bucket(session, config, buckets, scope),
    )
