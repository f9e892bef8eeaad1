"""Figure records of /stats, /rapport, /export and /graphique, and their flat rows.

Pure: no database, no Telegram. docs/indicateurs.md defines every figure in terms of events;
pes21_bot.services.stats computes exactly those definitions with SQL aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

from pes21_bot.domain.followup import FollowUpFigures
from pes21_bot.domain.periods import Period
from pes21_bot.domain.scope import Scope
from pes21_bot.domain.vocabulary import CREATION_PROGRAMMES, ReviewState

# Review states that end a review without it being done (it is then never overdue).
REVIEW_CANCELLED_STATES = (ReviewState.CANCELLED,)


# ProgrammeFigures fields that say nothing happened on their own: its name, and a delay that
# exists only beside claims.
_NOT_ACTIVITY = ("programme", "median_claim_hours")


@dataclass
class ProgrammeFigures:
    """The /stats figures of one programme over a period."""

    programme: str
    welcomed: int = 0
    oriented: int = 0
    claimed: int = 0
    accompanied: int = 0  # running at some point of the period
    accompanied_started: int = 0  # of which started in the period
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
            getattr(self, item.name) for item in fields(self) if item.name not in _NOT_ACTIVITY
        )


@dataclass(frozen=True)
class Funnel:
    """Intake funnel: each step counted at the date of its own event (not a cohort)."""

    started: int
    consent_given: int
    completed: int
    claimed: int
    accompaniments_started: int
    created: int

    def steps(self) -> list[tuple[str, int]]:
        """(step id in lists.stat_funnel, count), from the top of the funnel down."""
        return [
            ("started", self.started),
            ("consent", self.consent_given),
            ("completed", self.completed),
            ("claimed", self.claimed),
            ("accompaniments_started", self.accompaniments_started),
            ("created", self.created),
        ]


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
    accompanied: int  # running at some point of the period
    structures: int
    jobs: int
    accompanied_started: int = 0  # of which started in the period


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
    # Territories whose accompaniment started in the period, among those accompanied.
    territories_started: int = 0


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
            FigureRow("creation_accompanied_started", None, None, creation.accompanied_started),
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
        rows += [
            FigureRow("territories_accompanied", None, None, report.territories_accompanied),
            FigureRow("territories_started", None, None, report.territories_started),
        ]
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
        FigureRow("funnel_accompaniments_started", None, None, funnel.accompaniments_started),
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
            FigureRow("accompanied_started", programme, None, item.accompanied_started),
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
