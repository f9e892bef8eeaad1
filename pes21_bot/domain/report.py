"""Activity-report figures: period rules, milestone ids, figure records and French number formats.

Pure: no database, no Telegram. docs/indicateurs.md defines every figure in terms of events;
pes21_bot.services.stats computes exactly those definitions with SQL aggregates.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from pes21_bot.domain.followup import FollowUpFigures
from pes21_bot.domain.vocabulary import CREATION_PROGRAMMES, PROGRAMME_PATH, ReviewState

# Milestone ids carried by `milestone` events ({milestone, on, jobs_consolidated?, action?}).
# The accompaniment feature records them; the DLA figures of the report count them.
DLA_WELCOMED = "dla_welcomed"
DLA_DIAGNOSTIC = "dla_diagnostic"
DLA_INDIVIDUAL_ENGINEERING = "dla_individual_engineering"
DLA_COLLECTIVE_ENGINEERING = "dla_collective_engineering"
DLA_FOLLOW_UP = "dla_follow_up"
DLA_MILESTONES = (
    DLA_WELCOMED,
    DLA_DIAGNOSTIC,
    DLA_INDIVIDUAL_ENGINEERING,
    DLA_COLLECTIVE_ENGINEERING,
    DLA_FOLLOW_UP,
)
DLA_ENGINEERING = (DLA_INDIVIDUAL_ENGINEERING, DLA_COLLECTIVE_ENGINEERING)
# A structure "benefits" from the DLA when it takes part in an engineering (either kind) or
# is followed after one: the published reports count 41 = 13 + 16 + 12 that way.
DLA_BENEFITS = (*DLA_ENGINEERING, DLA_FOLLOW_UP)

# Review states that end a review without it being done (it is then never overdue).
REVIEW_CANCELLED_STATES = (ReviewState.CANCELLED,)

MIN_YEAR = 2000
# Past this many months the chart groups by year, so it stays readable.
MAX_MONTH_BUCKETS = 36
TELEGRAM_TEXT_LIMIT = 4096
NBSP = "\u00a0"


# --- Periods -------------------------------------------------------------------------------


class PeriodError(ValueError):
    """A period argument that cannot be used; `reason` picks the French message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "usage", "reversed" or "future"


@dataclass(frozen=True)
class Period:
    """Calendar days [start, end) in the configured time zone; `end` is the day after the last."""

    start: date
    end: date

    @classmethod
    def year_of(cls, year: int) -> Period:
        """The whole calendar year."""
        return cls(date(year, 1, 1), date(year + 1, 1, 1))

    @property
    def last_day(self) -> date:
        """The last day included."""
        return self.end - timedelta(days=1)

    @property
    def year(self) -> int | None:
        """The year when the period is exactly one calendar year, else None."""
        if self.start == date(self.start.year, 1, 1) and self.end == date(
            self.start.year + 1, 1, 1
        ):
            return self.start.year
        return None

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """[local midnight of start, local midnight of end) as UTC instants for occurred_at."""
        return local_midnight(self.start, zone), local_midnight(self.end, zone)


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """00:00 local time on that day, as a UTC instant."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def year_earlier(moment: datetime, zone: tzinfo) -> datetime:
    """The same local date and time one year earlier (29 February becomes 28 February)."""
    local = moment.astimezone(zone)
    try:
        shifted = local.replace(year=local.year - 1)
    except ValueError:
        shifted = local.replace(year=local.year - 1, day=28)
    return shifted.astimezone(UTC)


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_FRENCH_DAY = re.compile(r"(\d{2})/(\d{2})/(\d{4})")


def parse_day(text: str) -> date | None:
    """A day written 2025-06-30 or 30/06/2025, or None."""
    if match := _ISO_DAY.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _FRENCH_DAY.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _check_year(year: int, today: date) -> None:
    if year < MIN_YEAR:
        raise PeriodError("usage")
    if year > today.year:
        raise PeriodError("future")


def parse_period(args: Sequence[str], today: date) -> Period:
    """Nothing (current year), a year, or two days (both included); raises PeriodError."""
    if not args:
        return Period.year_of(today.year)
    if len(args) == 1 and re.fullmatch(r"\d{4}", args[0]):
        year = int(args[0])
        _check_year(year, today)
        return Period.year_of(year)
    if len(args) != 2:
        raise PeriodError("usage")
    start, last = parse_day(args[0]), parse_day(args[1])
    if start is None or last is None:
        raise PeriodError("usage")
    if start > last:
        raise PeriodError("reversed")
    _check_year(start.year, today)
    if start > today:
        raise PeriodError("future")
    if last.year > today.year + 1:
        raise PeriodError("usage")
    return Period(start, last + timedelta(days=1))


EXPORT_FORMATS = ("xlsx", "csv")
ANONYMOUS_OPTION = "anonyme"


@dataclass(frozen=True)
class ExportRequest:
    """What /export was asked for."""

    period: Period
    file_format: str  # "xlsx" or "csv"
    anonymous: bool


def parse_export_args(args: Sequence[str], today: date) -> ExportRequest:
    """A period followed by optional words `csv`/`xlsx` and `anonyme`; raises PeriodError."""
    file_format = "xlsx"
    anonymous = False
    rest: list[str] = []
    for arg in args:
        word = arg.casefold()
        if word in EXPORT_FORMATS:
            file_format = word
        elif word == ANONYMOUS_OPTION:
            anonymous = True
        else:
            rest.append(arg)
    return ExportRequest(parse_period(rest, today), file_format, anonymous)


@dataclass(frozen=True)
class Bucket:
    """One bar of the chart: the days [start, end) labelled by the month (or year) it starts."""

    start: date
    end: date
    by_year: bool


def chart_buckets(period: Period) -> list[Bucket]:
    """Months of the period (years past MAX_MONTH_BUCKETS months), clipped to the period."""
    months = (period.last_day.year - period.start.year) * 12 + (
        period.last_day.month - period.start.month + 1
    )
    by_year = months > MAX_MONTH_BUCKETS
    buckets: list[Bucket] = []
    cursor = period.start
    while cursor < period.end:
        if by_year or cursor.month == 12:
            following = date(cursor.year + 1, 1, 1)
        else:
            following = date(cursor.year, cursor.month + 1, 1)
        end = min(following, period.end)
        buckets.append(Bucket(cursor, end, by_year))
        cursor = end
    return buckets


# --- Who sees what -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The programmes whose figures someone may see; admins see everything, events without
    a programme included."""

    programmes: tuple[str, ...]
    everything: bool

    def paths(self) -> tuple[str, ...]:
        """Intake paths feeding these programmes (for steps recorded before routing)."""
        return tuple(sorted({PROGRAMME_PATH[p] for p in self.programmes if p in PROGRAMME_PATH}))

    def sees(self, *programmes: str) -> bool:
        """Whether at least one of these programmes is in scope."""
        return any(p in self.programmes for p in programmes)


# --- Figures -------------------------------------------------------------------------------


@dataclass
class ProgrammeFigures:
    """The /stats figures of one programme over a period."""

    programme: str
    welcomed: int = 0
    oriented: int = 0
    claimed: int = 0
    accompanied: int = 0
    structures: dict[str, int] = field(default_factory=dict)  # legal form -> count
    jobs: dict[str, int] = field(default_factory=dict)  # contract -> count
    job_times: dict[str, int] = field(default_factory=dict)  # working time -> count (if known)
    reviews_done: int = 0
    reviews_overdue: int = 0
    reviews_cancelled: int = 0
    volunteer_hours: float = 0.0
    volunteer_km: float = 0.0
    median_claim_hours: float | None = None

    @property
    def structures_total(self) -> int:
        """Structures created, all legal forms."""
        return sum(self.structures.values())

    @property
    def jobs_total(self) -> int:
        """Jobs created, all contracts."""
        return sum(self.jobs.values())

    @property
    def is_empty(self) -> bool:
        """Nothing at all happened in this programme."""
        return not any(
            (
                self.welcomed,
                self.oriented,
                self.claimed,
                self.accompanied,
                self.structures,
                self.jobs,
                self.reviews_done,
                self.reviews_overdue,
                self.reviews_cancelled,
                self.volunteer_hours,
                self.volunteer_km,
            )
        )


@dataclass(frozen=True)
class Funnel:
    """Intake funnel: each step counted at the date of its own event (not a cohort)."""

    started: int
    consent_given: int
    completed: int
    claimed: int
    accompanied: int
    created: int


@dataclass(frozen=True)
class Totals:
    """The headline figures compared with the same period a year earlier."""

    welcomed: int
    claimed: int
    accompanied: int
    structures: int
    jobs: int


@dataclass(frozen=True)
class CreationFigures:
    """Bénéfices'Créa block of the report (programmes benefices_crea and accueil_amont)."""

    welcomed: int
    accompanied: int
    structures: int
    jobs: int


@dataclass(frozen=True)
class DlaFigures:
    """DLA block of the report, from milestone events."""

    welcomed: int
    diagnostics: int
    individual_engineering: int
    collective_engineering: int
    follow_ups: int
    beneficiaries: int
    jobs_consolidated: int
    # Distinct structures taking part in the collective engineering actions.
    collective_structures: int = 0


@dataclass(frozen=True)
class VolunteerFigures:
    """Volunteers block of the report."""

    active: int
    reviews_done: int
    hours: float
    km: float
    upstream_welcomed: int


@dataclass(frozen=True)
class AgendaFigures:
    """The report's "Sensibilisation et formations": events held in a period, by how they count.

    Workshops count only when the Pôle runs them; trainings are listed by partner organisation.
    """

    workshops: dict[str, int]  # kind -> held workshops run by the Pôle
    trainings: dict[str, int]  # partner -> held trainings
    club_meetings: int
    others: dict[str, int]  # kind -> other held events
    participants: int  # registrants who came plus walk-ins

    @property
    def empty(self) -> bool:
        """Nothing held in the period."""
        return not (self.workshops or self.trainings or self.club_meetings or self.others)


@dataclass(frozen=True)
class ReportFigures:
    """Every figure of the activity report the bot can count."""

    creation: CreationFigures
    dla: DlaFigures
    territories_accompanied: int
    crdva_welcomed: int
    volunteers: VolunteerFigures
    # Workshops, trainings and events held (services/agenda.py figures).
    agenda: AgendaFigures = field(default_factory=lambda: AgendaFigures({}, {}, 0, {}, 0))
    # Delays kept, first answers and satisfaction (services/followup.py figures).
    followup: FollowUpFigures = field(default_factory=FollowUpFigures)


@dataclass(frozen=True)
class SourceRow:
    """Contacts and projects that came through one deep-link parameter (None: no parameter)."""

    source: str | None
    first_contacts: int
    welcomed: int


@dataclass(frozen=True)
class Territory:
    """Where the projects welcomed in the period come from."""

    communes: list[tuple[str, int]]  # most frequent first
    other_communes: int
    outside_cote_dor: int
    unknown: int


@dataclass(frozen=True)
class Stats:
    """Everything /stats shows."""

    period: Period
    scope: Scope
    in_progress: bool
    programmes: list[ProgrammeFigures]
    funnel: Funnel
    median_claim_hours: float | None
    totals: Totals
    previous: Totals
    previous_start: date
    previous_last_day: date
    sectors: list[tuple[str | None, int]]
    territory: Territory
    sources: list[SourceRow]
    report: ReportFigures


@dataclass(frozen=True)
class FigureRow:
    """One line of the export's figures sheet; `figure` keys the label and the definition."""

    figure: str
    programme: str | None
    detail: str | None
    value: float | int | None


def figure_rows(stats: Stats) -> list[FigureRow]:
    """Every figure of /stats and /rapport, flat, in reading order."""
    rows: list[FigureRow] = []
    report = stats.report
    if stats.scope.sees(*CREATION_PROGRAMMES):
        creation = report.creation
        rows += [
            FigureRow("creation_welcomed", None, None, creation.welcomed),
            FigureRow("creation_accompanied", None, None, creation.accompanied),
            FigureRow("creation_structures", None, None, creation.structures),
            FigureRow("creation_jobs", None, None, creation.jobs),
        ]
    if stats.scope.sees("dla"):
        dla = report.dla
        rows += [
            FigureRow("dla_welcomed", None, None, dla.welcomed),
            FigureRow("dla_diagnostics", None, None, dla.diagnostics),
            FigureRow("dla_individual_engineering", None, None, dla.individual_engineering),
            FigureRow("dla_collective_engineering", None, None, dla.collective_engineering),
            FigureRow("dla_collective_structures", None, None, dla.collective_structures),
            FigureRow("dla_follow_ups", None, None, dla.follow_ups),
            FigureRow("dla_beneficiaries", None, None, dla.beneficiaries),
            FigureRow("dla_jobs_consolidated", None, None, dla.jobs_consolidated),
        ]
    if stats.scope.sees("generateur"):
        rows.append(
            FigureRow("territories_accompanied", None, None, report.territories_accompanied)
        )
    if stats.scope.sees("crdva"):
        rows.append(FigureRow("crdva_welcomed", None, None, report.crdva_welcomed))
    volunteers = report.volunteers
    rows += [
        FigureRow("volunteers_active", None, None, volunteers.active),
        FigureRow("volunteers_reviews", None, None, volunteers.reviews_done),
        FigureRow("volunteers_hours", None, None, volunteers.hours),
        FigureRow("volunteers_km", None, None, volunteers.km),
        FigureRow("upstream_welcomed", None, None, volunteers.upstream_welcomed),
    ]
    funnel = stats.funnel
    rows += [
        FigureRow("funnel_started", None, None, funnel.started),
        FigureRow("funnel_consent", None, None, funnel.consent_given),
        FigureRow("funnel_completed", None, None, funnel.completed),
        FigureRow("funnel_claimed", None, None, funnel.claimed),
        FigureRow("funnel_accompanied", None, None, funnel.accompanied),
        FigureRow("funnel_created", None, None, funnel.created),
        FigureRow("median_claim_days", None, None, _days(stats.median_claim_hours)),
    ]
    for item in stats.programmes:
        programme = item.programme
        rows += [
            FigureRow("welcomed", programme, None, item.welcomed),
            FigureRow("oriented", programme, None, item.oriented),
            FigureRow("claimed", programme, None, item.claimed),
            FigureRow("accompanied", programme, None, item.accompanied),
            FigureRow("median_claim_days", programme, None, _days(item.median_claim_hours)),
        ]
        rows += [FigureRow("structures", programme, form, n) for form, n in item.structures.items()]
        rows += [FigureRow("jobs", programme, kind, n) for kind, n in item.jobs.items()]
        rows += [FigureRow("jobs_time", programme, time, n) for time, n in item.job_times.items()]
        rows += [
            FigureRow("reviews_done", programme, None, item.reviews_done),
            FigureRow("reviews_overdue", programme, None, item.reviews_overdue),
            FigureRow("reviews_cancelled", programme, None, item.reviews_cancelled),
            FigureRow("volunteers_hours", programme, None, item.volunteer_hours),
            FigureRow("volunteers_km", programme, None, item.volunteer_km),
        ]
    rows += [FigureRow("sector", None, sector, n) for sector, n in stats.sectors]
    rows += [FigureRow("commune", None, name, n) for name, n in stats.territory.communes]
    rows += [
        FigureRow("other_communes", None, None, stats.territory.other_communes),
        FigureRow("outside_cote_dor", None, None, stats.territory.outside_cote_dor),
        FigureRow("unknown_territory", None, None, stats.territory.unknown),
    ]
    for source in stats.sources:
        rows.append(FigureRow("source_contacts", None, source.source, source.first_contacts))
        rows.append(FigureRow("source_welcomed", None, source.source, source.welcomed))
    return rows + _followup_rows(stats.report.followup)


def _followup_rows(followup: FollowUpFigures) -> list[FigureRow]:
    rows: list[FigureRow] = []
    for programme, delays in followup.delays.items():
        rows.append(FigureRow("claims_known", programme, None, delays.known))
        rows.append(FigureRow("claimed_in_time", programme, None, delays.within))
    for group, hours in followup.first_answer_hours.items():
        rows.append(
            FigureRow("first_answer_days", None if group == "*" else group, None, _days(hours))
        )
    for programme, survey in followup.surveys.items():
        rows.append(FigureRow("survey_answers", programme, None, survey.answers))
        average = None if survey.average is None else round(survey.average, 2)
        rows.append(FigureRow("survey_average", programme, None, average))
        rows += [
            FigureRow("survey_rating", programme, str(r), n)
            for r, n in sorted(survey.distribution.items())
        ]
        rows.append(FigureRow("survey_recommend", programme, None, survey.recommend_yes))
    return rows


def _days(hours: float | None) -> float | None:
    return None if hours is None else round(hours / 24, 1)


# --- French formats ------------------------------------------------------------------------


def fr_int(value: int) -> str:
    """1234 -> '1 234' (no-break space between thousands)."""
    return f"{value:,}".replace(",", NBSP).replace("-", "−")


def fr_decimal(value: float, digits: int = 1) -> str:
    """12.5 -> '12,5', 1234.0 -> '1 234' (decimals only when there are some)."""
    rounded = round(value, digits)
    if rounded == int(rounded):
        return fr_int(int(rounded))
    text = f"{rounded:,.{digits}f}".rstrip("0")
    return text.replace(",", NBSP).replace(".", ",").replace("-", "−")


def fr_percent(part: float, whole: float) -> str:
    """part/whole as '12,5 %' ('—' when whole is 0)."""
    if not whole:
        return "—"
    return f"{fr_decimal(100 * part / whole)}{NBSP}%"


def fr_change(current: float, previous: float) -> str | None:
    """'+12,5 %' or '−3 %' from previous to current; None when previous is 0."""
    if not previous:
        return None
    change = 100 * (current - previous) / previous
    sign = "+" if change > 0 else ("−" if change < 0 else "")
    return f"{sign}{fr_decimal(abs(change))}{NBSP}%"


def plural(count: float) -> str:
    """French plural mark: '' for 0 and 1 (and below 2), 's' from 2 on."""
    return "s" if abs(count) >= 2 else ""


# --- Text helpers --------------------------------------------------------------------------


def split_message(blocks: Iterable[str], limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Join blocks with newlines into as few messages as possible, each at most `limit` long.

    Blocks are only cut between lines, so HTML tags opened on a line stay balanced.
    """
    lines: list[str] = []
    for block in blocks:
        lines.extend(block.split("\n"))
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = line[:limit]
        added = len(line) + (1 if current else 0)
        if current and size + added > limit:
            messages.append("\n".join(current).strip("\n"))
            current, size = [], 0
            added = len(line)
        current.append(line)
        size += added
    if current:
        messages.append("\n".join(current).strip("\n"))
    return [m for m in messages if m.strip()]


_BOLD = re.compile(r"<b>(.*?)</b>", re.DOTALL)
_ITALIC = re.compile(r"<i>(.*?)</i>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def html_to_markdown(text: str) -> str:
    """Telegram HTML (bold, italic, bullets '•') as Markdown, for the report file."""
    text = _BOLD.sub(r"**\1**", text)
    text = _ITALIC.sub(r"_\1_", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [f"- {line[2:]}" if line.startswith("• ") else line for line in text.split("\n")]
    return "\n".join(lines).strip() + "\n"


def slug(text: str) -> str:
    """A file-name friendly form of a French label: 'Temps bénévole' -> 'temps_benevole'."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", ascii_only).strip("_") or "table"
