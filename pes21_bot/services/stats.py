"""Statistics and activity-report figures: SQL aggregates over the events of a period.

Every figure is defined in docs/indicateurs.md. Each query reads one range of
`events.occurred_at` through the (kind, occurred_at) index and returns aggregates only, so the
cost follows the period, not the size of the table. Rows that several figures need are read
once: a query computes all the figures of its rows (distinct projects per programme, over all
programmes and over the creation mission in one statement, for instance).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    distinct,
    func,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from pes21_bot.config import Config
from pes21_bot.db.models import Event, Person, Project, Review
from pes21_bot.domain.figures import (
    REVIEW_CANCELLED_STATES,
    CreationFigures,
    DlaFigures,
    Funnel,
    ProgrammeFigures,
    ReportFigures,
    SourceRow,
    Stats,
    Territory,
    Totals,
    VolunteerFigures,
)
from pes21_bot.domain.french_format import fold
from pes21_bot.domain.milestones import (
    DLA_BENEFITS,
    DLA_COLLECTIVE_ENGINEERING,
    DLA_DIAGNOSTIC,
    DLA_FOLLOW_UP,
    DLA_INDIVIDUAL_ENGINEERING,
    DLA_MILESTONES,
    DLA_WELCOMED,
)
from pes21_bot.domain.periods import Bucket, Period, local_midnight, year_earlier
from pes21_bot.domain.scope import Scope
from pes21_bot.domain.vocabulary import CREATION_PROGRAMMES, ReviewState
from pes21_bot.services import agenda, events, followup

TOP_COMMUNES = 10
TOP_SOURCES = 10
TOP_SECTORS = 12

# A project deleted later leaves its events detached (project_id NULL): each such event then
# counts as a project of its own instead of vanishing from distinct counts.
PROJECT_KEY = func.coalesce(Event.project_id, -Event.id)

# Events counted as distinct projects, and the figure each one feeds. An accompaniment counts
# in every period it runs through (see _accompanied), the others in the period of their event.
COUNTED = {
    events.INTAKE_COMPLETED: "welcomed",
    events.ROUTED: "oriented",
    events.REDIRECTED: "oriented",
    events.CLAIMED: "claimed",
    events.ACCOMPANIMENT_STARTED: "accompanied",
    events.STRUCTURE_CREATED: "created",
}
# What ends a project's accompaniment: its end, or the project closed without one.
ACCOMPANIMENT_ENDS = (events.ACCOMPANIMENT_ENDED, events.CLOSED)
# The distinct counts that the comparison with the previous year needs.
TOTALS_KINDS = (events.INTAKE_COMPLETED, events.CLAIMED, events.ACCOMPANIMENT_STARTED)
# Groups of the distinct counts besides each programme: all programmes, the creation mission.
ALL = "*"
CREATION = "+"


@dataclass(frozen=True)
class Window:
    """A UTC range [start, end) of occurred_at."""

    start: datetime
    end: datetime

    def has(self, column: Any = Event.occurred_at) -> ColumnElement[bool]:
        """The indexed range condition on a timestamp column."""
        return and_(column >= self.start, column < self.end)


def window_of(period: Period, config: Config) -> Window:
    """The UTC range of a period of local calendar days."""
    start, end = period.bounds(config.tz)
    return Window(start, end)


def _in_scope(scope: Scope, column: Any = Event.programme) -> ColumnElement[bool]:
    return true() if scope.everything else column.in_(scope.programmes)


def _json_text(name: str) -> Any:
    return Event.data[name].as_string()


def json_number(name: str) -> Any:
    """A number stored in Event.data, as a float SQL expression."""
    # as_float, not as_integer: PostgreSQL refuses to cast '2.0' to an integer.
    return Event.data[name].as_float()


def review_programme() -> Any:
    """The programme of a review_done event (its project's when the event has none)."""
    # A correlated lookup, evaluated only when the event has no programme: a join would make
    # PostgreSQL hash the whole projects table.
    project = aliased(Project)
    return func.coalesce(
        Event.programme,
        select(project.programme).where(project.id == Event.project_id).scalar_subquery(),
    )


async def _rows(session: AsyncSession, statement: Any) -> Sequence[Any]:
    return (await session.execute(statement)).all()


async def _scalar(session: AsyncSession, statement: Select) -> Any:
    return (await session.execute(statement)).scalar_one()


# --- Distinct projects and sums ------------------------------------------------------------


@dataclass
class Counts:
    """Distinct projects per (figure, group): group is a programme, ALL or CREATION."""

    values: dict[tuple[str, str], int] = field(default_factory=dict)

    def get(self, figure: str, group: str) -> int:
        """0 when nothing was counted."""
        return self.values.get((figure, group), 0)


async def _counts(
    session: AsyncSession,
    window: Window,
    scope: Scope,
    *,
    per_programme: bool = True,
    kinds: Sequence[str] = tuple(COUNTED),
) -> Counts:
    """Distinct projects welcomed, oriented, claimed, accompanied, with a structure created."""
    found = Counts()
    if events.ACCOMPANIMENT_STARTED in kinds:
        await _accompanied(session, window, scope, per_programme, found)
        kinds = tuple(k for k in kinds if k != events.ACCOMPANIMENT_STARTED)
    figure = case(
        (Event.kind.in_((events.ROUTED, events.REDIRECTED)), literal_column("'oriented'")),
        else_=Event.kind,
    ).label("figure")
    rows = Event.kind.in_(kinds), window.has(), _in_scope(scope)
    in_creation = Event.programme.in_(CREATION_PROGRAMMES)
    # Over all programmes and over the creation mission: a project counts once in each.
    for name, overall, creation in await _rows(
        session,
        select(
            figure,
            func.count(distinct(PROJECT_KEY)),
            func.count(distinct(case((in_creation, PROJECT_KEY)))),
        )
        .where(*rows)
        .group_by(figure),
    ):
        found.values[(COUNTED.get(name, name), ALL)] = int(overall)
        found.values[(COUNTED.get(name, name), CREATION)] = int(creation)
    if per_programme:
        for name, programme, count in await _rows(
            session,
            select(figure, Event.programme, func.count(distinct(PROJECT_KEY)))
            .where(*rows)
            .group_by(figure, Event.programme),
        ):
            found.values[(COUNTED.get(name, name), programme or "")] = int(count)
    return found


async def _accompanied(
    session: AsyncSession, window: Window, scope: Scope, per_programme: bool, found: Counts
) -> None:
    """Distinct projects accompanied at some point of the window, and those started in it.

    An accompaniment runs from its start until its project's next end (or closing): it counts
    when it started before the window's end and did not end before the window's start. Every
    start before the window's end is read, a few hundred a year.
    """
    # Each project's last end before the window (one range read of the index, grouped): a start
    # after it, or with none, still runs at the window's start. A correlated NOT EXISTS per
    # start was planned by SQLite as a scan of every end per start (two minutes on 500,000
    # events).
    ended = aliased(Event)
    last_end = (
        select(ended.project_id.label("project_id"), func.max(ended.occurred_at).label("at"))
        .where(ended.kind.in_(ACCOMPANIMENT_ENDS), ended.occurred_at < window.start)
        .group_by(ended.project_id)
        .subquery()
    )
    rows = (
        Event.kind == events.ACCOMPANIMENT_STARTED,
        Event.occurred_at < window.end,
        or_(last_end.c.at.is_(None), last_end.c.at < Event.occurred_at),
        _in_scope(scope),
    )
    joined = Event.__table__.outerjoin(last_end, last_end.c.project_id == Event.project_id)
    # The running accompaniments are found once (a CTE), then counted over all programmes,
    # over the creation mission and per programme.
    running = (
        select(
            Event.programme.label("programme"),
            PROJECT_KEY.label("project"),
            case((window.has(), 1), else_=0).label("started"),
        )
        .select_from(joined)
        .where(*rows)
        .cte("running")
    )
    r = running.c
    in_creation = r.programme.in_(CREATION_PROGRAMMES)

    def distinct_where(condition: ColumnElement[bool]) -> Any:
        return func.count(distinct(case((condition, r.project))))

    groups = [
        select(
            literal_column(f"'{ALL}'"),
            func.count(distinct(r.project)),
            distinct_where(r.started == 1),
        ),
        select(
            literal_column(f"'{CREATION}'"),
            distinct_where(in_creation),
            distinct_where(and_(in_creation, r.started == 1)),
        ),
    ]
    if per_programme:
        groups.append(
            select(
                func.coalesce(r.programme, ""),
                func.count(distinct(r.project)),
                distinct_where(r.started == 1),
            ).group_by(r.programme)
        )
    for group, count, count_started in await _rows(session, union_all(*groups)):
        found.values[("accompanied", str(group))] = int(count)
        found.values[("accompanied_started", str(group))] = int(count_started)


@dataclass
class Sums:
    """Event counts and sums of structure_created, jobs_created and review_done."""

    structures: dict[str, dict[str, int]] = field(default_factory=dict)  # programme -> form
    jobs: dict[str, dict[str, int]] = field(default_factory=dict)  # programme -> contract
    job_times: dict[str, dict[str, int]] = field(default_factory=dict)  # programme -> time
    reviews: dict[str, tuple[int, float, float]] = field(default_factory=dict)  # done, h, km

    def structures_in(self, programmes: Sequence[str] | None = None) -> int:
        """Structures created in these programmes (all when None)."""
        return sum(
            sum(forms.values())
            for p, forms in self.structures.items()
            if programmes is None or p in programmes
        )

    def jobs_in(self, programmes: Sequence[str] | None = None) -> int:
        """Jobs created in these programmes (all when None)."""
        return sum(
            sum(kinds.values())
            for p, kinds in self.jobs.items()
            if programmes is None or p in programmes
        )


async def _sums(session: AsyncSession, window: Window, scope: Scope) -> Sums:
    kind = Event.kind
    programme = review_programme().label("programme")
    label = case(
        (kind == events.STRUCTURE_CREATED, _json_text("legal_form")),
        (kind == events.JOBS_CREATED, _json_text("contract")),
        else_=null(),
    ).label("label")
    working_time = case((kind == events.JOBS_CREATED, _json_text("time")), else_=null()).label(
        "working_time"
    )
    amount = case(
        (kind == events.JOBS_CREATED, json_number("count")),
        (kind == events.REVIEW_DONE, json_number("hours")),
    )
    km = case((kind == events.REVIEW_DONE, json_number("km")))
    rows = await _rows(
        session,
        select(kind, programme, label, func.count(), func.sum(amount), func.sum(km), working_time)
        .where(
            kind.in_((events.STRUCTURE_CREATED, events.JOBS_CREATED, events.REVIEW_DONE)),
            window.has(),
            _in_scope(scope, review_programme()),
        )
        .group_by(kind, programme, label, working_time),
    )
    sums = Sums()
    for name, group, detail, count, amount_sum, km_sum, time_of_work in rows:
        group = group or ""
        if name == events.STRUCTURE_CREATED:
            forms = sums.structures.setdefault(group, {})
            forms[detail or ""] = forms.get(detail or "", 0) + int(count)
        elif name == events.JOBS_CREATED and round(amount_sum or 0):
            kinds = sums.jobs.setdefault(group, {})
            kinds[detail or ""] = kinds.get(detail or "", 0) + round(amount_sum or 0)
            if time_of_work:
                times = sums.job_times.setdefault(group, {})
                times[time_of_work] = times.get(time_of_work, 0) + round(amount_sum or 0)
        elif name == events.REVIEW_DONE:
            done, hours, kms = sums.reviews.get(group, (0, 0.0, 0.0))
            sums.reviews[group] = (
                done + int(count),
                hours + float(amount_sum or 0),
                kms + float(km_sum or 0),
            )
    return sums


# --- Report blocks -------------------------------------------------------------------------


def _beneficiary_ids(window: Window) -> Select:
    """Projects with an engineering or follow-up milestone in the window (on an alias)."""
    milestone = aliased(Event)
    return select(milestone.project_id).where(
        milestone.kind == events.MILESTONE,
        window.has(milestone.occurred_at),
        milestone.data["milestone"].as_string().in_(DLA_BENEFITS),
        milestone.project_id.is_not(None),
    )


async def _dla(session: AsyncSession, window: Window) -> DlaFigures:
    name = _json_text("milestone")
    dla_milestones = and_(Event.kind == events.MILESTONE, window.has(), name.in_(DLA_MILESTONES))
    milestone = name.label("milestone")
    per_milestone = {
        found: int(structures)
        for found, structures in await _rows(
            session,
            select(milestone, func.count(distinct(PROJECT_KEY)))
            .where(dla_milestones)
            .group_by(milestone),
        )
    }
    # Collective engineering counts actions: every participating structure records the
    # milestone with the same `action`, however it is typed (capitals, accents, spaces: the
    # names are folded here, a few a year); an event without one is an action on its own.
    action = func.coalesce(_json_text("action"), literal_column("''"))
    collective_actions: set[str] = set()
    unnamed = 0
    for typed, count in await _rows(
        session,
        select(action, func.count())
        .where(dla_milestones, name == DLA_COLLECTIVE_ENGINEERING)
        .group_by(action),
    ):
        if fold(str(typed)):
            collective_actions.add(fold(str(typed)))
        else:
            unnamed += int(count)
    # Beneficiaries: structures in an engineering (individual or collective) or followed.
    beneficiaries = await _scalar(
        session,
        select(func.count(distinct(PROJECT_KEY))).where(dla_milestones, name.in_(DLA_BENEFITS)),
    )
    # Their consolidated jobs: the latest figure recorded on any of their DLA milestones up to
    # the end of the period (usually at the diagnostic, possibly a year before), once per
    # structure: summing across milestones would count the same jobs twice.
    jobs_value = json_number("jobs_consolidated")
    latest = (
        select(
            jobs_value.label("jobs"),
            func.row_number()
            .over(
                partition_by=Event.project_id,
                order_by=(Event.occurred_at.desc(), Event.id.desc()),
            )
            .label("nth"),
        )
        .where(
            Event.kind == events.MILESTONE,
            Event.project_id.in_(_beneficiary_ids(window)),
            Event.occurred_at < window.end,
            name.in_(DLA_MILESTONES),
            jobs_value.is_not(None),
        )
        .subquery()
    )
    jobs = await _scalar(
        session, select(func.coalesce(func.sum(latest.c.jobs), 0)).where(latest.c.nth == 1)
    )

    def structures(milestone_id: str) -> int:
        return per_milestone.get(milestone_id, 0)

    return DlaFigures(
        welcomed=structures(DLA_WELCOMED),
        diagnostics=structures(DLA_DIAGNOSTIC),
        individual_engineering=structures(DLA_INDIVIDUAL_ENGINEERING),
        collective_engineering=len(collective_actions) + unnamed,
        follow_ups=structures(DLA_FOLLOW_UP),
        beneficiaries=int(beneficiaries),
        jobs_consolidated=round(jobs or 0),
        collective_structures=structures(DLA_COLLECTIVE_ENGINEERING),
    )


def _team_ids(config: Config) -> list[int]:
    return sorted({m.id for m in config.staff} | {m.id for m in config.admins})


async def _active_volunteers(
    session: AsyncSession, config: Config, window: Window, scope: Scope
) -> int:
    # People who logged a review, the Pôle's own team (config.yaml) apart. An erased
    # volunteer's reviews stay counted elsewhere but they are no longer a person here.
    return int(
        await _scalar(
            session,
            select(func.count(distinct(Event.actor_id)))
            .select_from(Event)
            .join(Person, Person.id == Event.actor_id)
            .where(
                Event.kind == events.REVIEW_DONE,
                window.has(),
                _in_scope(scope, review_programme()),
                Person.telegram_id.not_in(_team_ids(config)),
            ),
        )
    )


async def _report(
    session: AsyncSession,
    config: Config,
    window: Window,
    scope: Scope,
    counts: Counts,
    sums: Sums,
    now: datetime,
) -> ReportFigures:
    creation = [p for p in CREATION_PROGRAMMES if p in scope.programmes]
    reviews = list(sums.reviews.values())
    return ReportFigures(
        creation=CreationFigures(
            welcomed=counts.get("welcomed", CREATION),
            accompanied=counts.get("accompanied", CREATION),
            structures=sums.structures_in(creation),
            jobs=sums.jobs_in(creation),
            accompanied_started=counts.get("accompanied_started", CREATION),
        ),
        dla=await _dla(session, window) if scope.sees("dla") else DlaFigures(0, 0, 0, 0, 0, 0, 0),
        territories_accompanied=counts.get("accompanied", "generateur"),
        territories_started=counts.get("accompanied_started", "generateur"),
        crdva_welcomed=counts.get("welcomed", "crdva"),
        volunteers=VolunteerFigures(
            active=await _active_volunteers(session, config, window, scope),
            reviews_done=sum(r[0] for r in reviews),
            hours=sum(r[1] for r in reviews),
            km=sum(r[2] for r in reviews),
            upstream_welcomed=counts.get("welcomed", "accueil_amont"),
        ),
        agenda=await agenda.figures(session, config, window.start, window.end),
        followup=await followup.figures(session, config, window.start, window.end, scope, now),
    )


async def compute_report(
    session: AsyncSession,
    config: Config,
    period: Period,
    scope: Scope,
    now: datetime | None = None,
) -> ReportFigures:
    """The figures of the activity report for a period, within a scope."""
    window = window_of(period, config)
    counts = await _counts(session, window, scope)
    sums = await _sums(session, window, scope)
    moment = window.end if now is None else now
    return await _report(session, config, window, scope, counts, sums, moment)


# --- /stats --------------------------------------------------------------------------------


def _overdue_reviews(window: Window, scope: Scope, now: datetime) -> Select:
    """Reviews due in the period (before now) and not done by the period's end (or now)."""
    cutoff = min(window.end, now)
    not_done_then = or_(
        and_(Review.done_at.is_(None), Review.state != ReviewState.DONE), Review.done_at >= cutoff
    )
    return (
        select(Project.programme, func.count())
        .select_from(Review)
        .join(Project, Project.id == Review.project_id)
        .where(
            Review.due_at >= window.start,
            Review.due_at < cutoff,
            not_done_then,
            Review.state.not_in(REVIEW_CANCELLED_STATES),
            _in_scope(scope, Project.programme),
        )
        .group_by(Project.programme)
    )


def _cancelled_reviews(window: Window, scope: Scope) -> Select:
    """Reviews cancelled in the period (their holder's data were erased), per programme."""
    programme = review_programme().label("programme")
    return (
        select(programme, func.count())
        .where(
            Event.kind == events.REVIEW_CANCELLED,
            window.has(),
            _in_scope(scope, review_programme()),
        )
        .group_by(programme)
    )


def _hours_between(session: AsyncSession, later: Any, earlier: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 24.0
    return func.extract("epoch", later - earlier) / 3600.0


def _is_median_rank(rank: Any, count: Any) -> ColumnElement[bool]:
    # The middle row, or the two middle rows when the count is even.
    return rank.in_(((count + 1) // 2, (count + 2) // 2))


async def _median_claim_hours(
    session: AsyncSession, window: Window, scope: Scope
) -> dict[str, float]:
    """Median hours from intake_completed to the first claim, per programme and overall (ALL).

    Each project claimed in the period counts once, with its first claim of the period; the
    median is taken in SQL (row numbers over the sorted delays), never by loading the delays.
    """
    claims = (
        select(
            Event.project_id.label("project_id"),
            Event.programme.label("programme"),
            Event.occurred_at.label("claimed_at"),
            func.row_number()
            .over(partition_by=Event.project_id, order_by=(Event.occurred_at, Event.id))
            .label("nth"),
        )
        .where(
            Event.kind == events.CLAIMED,
            window.has(),
            Event.project_id.is_not(None),
            _in_scope(scope),
        )
        .subquery()
    )
    delays = (
        select(
            claims.c.programme.label("programme"),
            _hours_between(session, claims.c.claimed_at, Project.submitted_at).label("hours"),
        )
        .join(Project, Project.id == claims.c.project_id)
        .where(claims.c.nth == 1, Project.submitted_at.is_not(None))
        .subquery()
    )
    hours = delays.c.hours
    ranked = select(
        delays.c.programme,
        hours,
        func.row_number().over(partition_by=delays.c.programme, order_by=hours).label("rp"),
        func.count().over(partition_by=delays.c.programme).label("np"),
        func.row_number().over(order_by=hours).label("ra"),
        func.count().over().label("na"),
    ).cte("ranked")
    c = ranked.c
    rows = await _rows(
        session,
        union_all(
            select(c.programme, func.avg(case((_is_median_rank(c.rp, c.np), c.hours)))).group_by(
                c.programme
            ),
            select(
                literal_column(f"'{ALL}'"), func.avg(case((_is_median_rank(c.ra, c.na), c.hours)))
            ),
        ),
    )
    return {str(group): float(value) for group, value in rows if value is not None}


async def _steps_before_routing(
    session: AsyncSession, window: Window, scope: Scope
) -> tuple[int, int]:
    # Before routing only the path is known: staff see the paths of their programmes. One
    # draft project per intake_started, one consent per person: events are counted.
    by_path = true() if scope.everything else _json_text("path").in_(scope.paths())
    started, consents = (
        await session.execute(
            select(
                func.count(case((Event.kind == events.INTAKE_STARTED, 1))),
                func.count(case((Event.kind == events.CONSENT_GIVEN, 1))),
            ).where(
                Event.kind.in_((events.INTAKE_STARTED, events.CONSENT_GIVEN)),
                window.has(),
                by_path,
            )
        )
    ).one()
    # A dossier recorded outside the chat with no steps of its own (an import) was started
    # and consented to when it was sent: without it, 4 dossiers sent would show 3 consents.
    own_start = aliased(Event)
    recorded = await _scalar(
        session,
        select(func.count()).where(
            Event.kind == events.INTAKE_COMPLETED,
            window.has(),
            by_path,
            _json_text("recorded_at").is_not(None),
            ~select(own_start.id)
            .where(
                own_start.kind == events.INTAKE_STARTED,
                own_start.project_id == Event.project_id,
            )
            .exists(),
        ),
    )
    return int(started) + int(recorded), int(consents) + int(recorded)


def _funnel(started: int, consents: int, counts: Counts) -> Funnel:
    return Funnel(
        started=started,
        consent_given=consents,
        completed=counts.get("welcomed", ALL),
        claimed=counts.get("claimed", ALL),
        accompaniments_started=counts.get("accompanied_started", ALL),
        created=counts.get("created", ALL),
    )


async def compute_funnel(
    session: AsyncSession, config: Config, period: Period, scope: Scope
) -> Funnel:
    """The intake funnel of a period, within a scope."""
    window = window_of(period, config)
    started, consents = await _steps_before_routing(session, window, scope)
    counts = await _counts(session, window, scope, per_programme=False)
    return _funnel(started, consents, counts)


def _totals(counts: Counts, sums: Sums) -> Totals:
    return Totals(
        welcomed=counts.get("welcomed", ALL),
        claimed=counts.get("claimed", ALL),
        accompanied=counts.get("accompanied", ALL),
        structures=sums.structures_in(),
        jobs=sums.jobs_in(),
    )


@dataclass(frozen=True)
class Origins:
    """Where the projects welcomed in the period come from."""

    sectors: list[tuple[str | None, int]]
    territory: Territory
    sources: dict[str | None, int]


async def _origins(session: AsyncSession, window: Window, scope: Scope) -> Origins:
    """Sectors, communes and sources of the projects welcomed, in one statement."""
    welcomed = (
        select(
            Project.sector.label("sector"),
            func.lower(func.trim(Project.commune)).label("commune_key"),
            func.trim(Project.commune).label("commune"),
            Project.in_cote_dor.label("in_cote_dor"),
            Project.source.label("source"),
        )
        .select_from(Event)
        .join(Project, Project.id == Event.project_id)
        .where(Event.kind == events.INTAKE_COMPLETED, window.has(), _in_scope(scope))
        .cte("welcomed")
    )
    w = welcomed.c
    in_department = or_(w.in_cote_dor.is_(None), w.in_cote_dor.is_(True))
    known = and_(w.commune_key.is_not(None), w.commune_key != "", in_department)
    communes = (
        select(
            w.commune_key,
            func.min(w.commune).label("name"),
            func.count().label("n"),
            func.row_number().over(order_by=(func.count().desc(), w.commune_key)).label("rank"),
        )
        .where(known)
        .group_by(w.commune_key)
        .subquery()
    )

    def dimension(name: str) -> Any:
        return literal_column(f"'{name}'")

    rows = await _rows(
        session,
        union_all(
            select(dimension("sector"), w.sector, null(), func.count()).group_by(w.sector),
            select(
                dimension("commune"), communes.c.commune_key, communes.c.name, communes.c.n
            ).where(communes.c.rank <= TOP_COMMUNES),
            select(dimension("known"), null(), null(), func.count()).where(known),
            select(dimension("outside"), null(), null(), func.count()).where(
                w.in_cote_dor.is_(False)
            ),
            select(dimension("unknown"), null(), null(), func.count()).where(in_department, ~known),
            select(dimension("source"), w.source, null(), func.count()).group_by(w.source),
        ),
    )
    sectors: list[tuple[str | None, int]] = []
    communes_found: list[tuple[str, int]] = []
    sources: dict[str | None, int] = {}
    totals = {"known": 0, "outside": 0, "unknown": 0}
    for name, key, label, count in rows:
        if name == "sector":
            sectors.append((key, int(count)))
        elif name == "commune":
            communes_found.append((str(label), int(count)))
        elif name == "source":
            sources[key] = int(count)
        else:
            totals[name] = int(count)
    sectors.sort(key=lambda item: (-item[1], item[0] or ""))
    communes_found.sort(key=lambda item: -item[1])
    return Origins(
        sectors=sectors[:TOP_SECTORS],
        territory=Territory(
            communes=communes_found,
            other_communes=totals["known"] - sum(n for _, n in communes_found),
            outside_cote_dor=totals["outside"],
            unknown=totals["unknown"],
        ),
        sources=sources,
    )


async def _sources(
    session: AsyncSession, window: Window, scope: Scope, welcomed: dict[str | None, int]
) -> list[SourceRow]:
    contacts: dict[str | None, int] = {}
    if scope.everything:
        # /start carries no programme: first contacts are shown to admins only.
        source = _json_text("source").label("source")
        contacts = {
            value: int(n)
            for value, n in await _rows(
                session,
                select(source, func.count())
                .where(Event.kind == events.BOT_STARTED, window.has())
                .group_by(source),
            )
        }
    keys = set(welcomed) | set(contacts)
    rows = [SourceRow(key, contacts.get(key, 0), welcomed.get(key, 0)) for key in keys]
    rows.sort(key=lambda r: (-r.welcomed, -r.first_contacts, r.source or ""))
    return rows[:TOP_SOURCES]


async def compute_stats(
    session: AsyncSession, config: Config, period: Period, scope: Scope, now: datetime
) -> Stats:
    """Every /stats figure for a period, within a scope, with the year-earlier comparison."""
    window = window_of(period, config)
    counts = await _counts(session, window, scope)
    sums = await _sums(session, window, scope)
    medians = await _median_claim_hours(session, window, scope)
    overdue = dict(await _rows(session, _overdue_reviews(window, scope, now)))
    cancelled = dict(await _rows(session, _cancelled_reviews(window, scope)))
    programmes = []
    for programme in scope.programmes:
        done, hours, km = sums.reviews.get(programme, (0, 0.0, 0.0))
        programmes.append(
            ProgrammeFigures(
                programme,
                welcomed=counts.get("welcomed", programme),
                oriented=counts.get("oriented", programme),
                claimed=counts.get("claimed", programme),
                accompanied=counts.get("accompanied", programme),
                accompanied_started=counts.get("accompanied_started", programme),
                structures=sums.structures.get(programme, {}),
                jobs=sums.jobs.get(programme, {}),
                job_times=sums.job_times.get(programme, {}),
                reviews_done=done,
                reviews_overdue=int(overdue.get(programme, 0)),
                reviews_cancelled=int(cancelled.get(programme, 0)),
                volunteer_hours=hours,
                volunteer_km=km,
                median_claim_hours=medians.get(programme),
            )
        )
    started, consents = await _steps_before_routing(session, window, scope)
    # The same stretch of the calendar a year earlier; a period still running is compared
    # up to today's date only.
    previous = Window(
        year_earlier(window.start, config.tz), year_earlier(min(window.end, now), config.tz)
    )
    previous_counts = await _counts(
        session, previous, scope, per_programme=False, kinds=TOTALS_KINDS
    )
    previous_sums = await _sums(session, previous, scope)
    origins = await _origins(session, window, scope)
    return Stats(
        period=period,
        scope=scope,
        in_progress=window.end > now,
        programmes=programmes,
        funnel=_funnel(started, consents, counts),
        median_claim_hours=medians.get(ALL),
        totals=_totals(counts, sums),
        previous=_totals(previous_counts, previous_sums),
        previous_start=previous.start.astimezone(config.tz).date(),
        previous_last_day=(previous.end - timedelta(microseconds=1)).astimezone(config.tz).date(),
        sectors=origins.sectors,
        territory=origins.territory,
        sources=await _sources(session, window, scope, origins.sources),
        report=await _report(session, config, window, scope, counts, sums, now),
    )


async def welcomed_per_bucket(
    session: AsyncSession, config: Config, buckets: Sequence[Bucket], scope: Scope
) -> list[dict[str, int]]:
    """Projects welcomed (intake_completed) per bucket and programme, for the chart."""
    if not buckets:
        return []
    starts = [local_midnight(b.start, config.tz) for b in buckets]
    window = Window(starts[0], local_midnight(buckets[-1].end, config.tz))
    # Bucket boundaries are computed in local time here, then compared as UTC instants in SQL:
    # the database needs no time-zone support.
    index = case(
        *[(Event.occurred_at < start, i - 1) for i, start in enumerate(starts[1:], start=1)],
        else_=len(buckets) - 1,
    ).label("bucket")
    result: list[dict[str, int]] = [{} for _ in buckets]
    for bucket, programme, count in await _rows(
        session,
        select(index, Event.programme, func.count(distinct(PROJECT_KEY)))
        .where(Event.kind == events.INTAKE_COMPLETED, window.has(), _in_scope(scope))
        .group_by(index, Event.programme),
    ):
        result[int(bucket)][programme or ""] = int(count)
    return result
