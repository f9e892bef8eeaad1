"""Non-secret settings from config.yaml, validated at start, and secrets from the environment."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pes21_bot.domain import vocabulary
from pes21_bot.domain.french_format import fold
from pes21_bot.domain.milestones import DLA_MILESTONES
from pes21_bot.domain.vocabulary import PROGRAMMES

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/pes21.db"

DEFAULT_CONFIG_PATH = "config.yaml"

# Programme identifiers (DESIGN.md glossary); names shown to people live in contenus/.
ProgrammeId = vocabulary.Programme

# People's Telegram ids are far larger; the shipped config.yaml uses 1001, 2001...
REAL_ID_MIN = 100_000

# Maturity criteria known to the domain rules (pes21_bot.domain.qualification).
CRITERIA = (
    "stage_structuring",
    "stage_created",
    "team",
    "legal_form_chosen",
    "jobs_targeted",
    "time_full",
    "time_part",
    "idea_detailed",
    "needs_focused",
)

TelegramId = Annotated[int, Field(gt=0)]


class ConfigError(Exception):
    """A configuration problem, worded for the person who edits config.yaml."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Member(_Strict):
    """An admin or a staff member, identified by Telegram user id."""

    id: TelegramId
    name: str = Field(min_length=1, max_length=100)


class StaffMember(Member):
    """A chargé·e de mission and the programmes they handle."""

    programmes: list[ProgrammeId] = Field(min_length=1)


class Programme(_Strict):
    """Routing settings of one programme."""

    response_days: int = Field(default=5, ge=1, le=60)
    group_chat_id: int | None = None
    coordinator: TelegramId | None = None


class Qualification(_Strict):
    """Maturity score: points per criterion and the threshold for 'mature'."""

    weights: dict[str, int]
    mature_threshold: int = Field(ge=0)
    idea_detailed_length: int = Field(default=300, ge=1)
    needs_focused_max: int = Field(default=3, ge=1)

    @field_validator("weights")
    @classmethod
    def _known_criteria(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(CRITERIA))
        if unknown:
            raise ValueError(f"critère inconnu / unknown criterion: {', '.join(unknown)}")
        return value


class Intake(_Strict):
    """Bounds of the intake answers."""

    idea_min_length: int = Field(default=30, ge=1)
    idea_max_length: int = Field(default=2000, le=3500)
    text_max_length: int = Field(default=200, ge=10, le=1000)

    @model_validator(mode="after")
    def _ordered(self) -> Intake:
        if self.idea_min_length >= self.idea_max_length:
            raise ValueError("idea_min_length doit être < idea_max_length")
        return self


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
CLOCK_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
IDENTIFIER_RE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")


def _clock_time(value: object) -> str:
    """An "HH:MM" string (YAML reads an unquoted 20:00 as a number, hence the hint)."""
    if not isinstance(value, str) or not CLOCK_TIME_RE.match(value):
        raise ValueError('heure attendue entre guillemets, par exemple "08:30" / expected "HH:MM"')
    return value


def parse_clock_time(value: str) -> time:
    """Turn a validated "HH:MM" into a time."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


class Volunteers(_Strict):
    """Enrolment of volunteers by one-time invitation codes."""

    invitation_days: int = Field(default=7, ge=1, le=90)
    max_failed_codes: int = Field(default=5, ge=1, le=100)
    failed_codes_window_minutes: int = Field(default=60, ge=1, le=24 * 60)
    lockout_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)


class Reminders(_Strict):
    """Durable reminders: review offsets, quiet hours, escalations, weekly digest."""

    review_offsets_months: list[int] = Field(default=[3, 6, 12], min_length=1, max_length=6)
    review_followup_days: int = Field(default=7, ge=1, le=60)
    review_escalation_days: int = Field(default=21, ge=1, le=120)
    snooze_days: int = Field(default=7, ge=1, le=60)
    quiet_start: str = "20:00"
    quiet_end: str = "08:30"
    quiet_weekdays: list[Weekday] = Field(default=["sunday"], max_length=6)
    unclaimed_sla_working_days: int = Field(default=2, ge=1, le=30)
    escalation_working_days: int = Field(default=2, ge=1, le=30)
    stale_days: int = Field(default=30, ge=1, le=365)
    digest_weekday: Weekday = "monday"
    digest_time: str = "09:00"
    interval_seconds: int = Field(default=60, ge=5, le=3600)
    max_attempts: int = Field(default=8, ge=1, le=50)
    # The holder's satisfaction survey, this many days after their accompaniment ended.
    satisfaction_days: int = Field(default=14, ge=1, le=365)

    @field_validator("quiet_start", "quiet_end", "digest_time", mode="before")
    @classmethod
    def _valid_time(cls, value: object) -> str:
        return _clock_time(value)

    @field_validator("review_offsets_months")
    @classmethod
    def _increasing(cls, value: list[int]) -> list[int]:
        if any(m < 1 or m > 36 for m in value) or value != sorted(set(value)):
            raise ValueError("mois croissants entre 1 et 36 / increasing months between 1 and 36")
        return value

    @model_validator(mode="after")
    def _escalation_after_followup(self) -> Reminders:
        if self.review_escalation_days <= self.review_followup_days:
            raise ValueError("review_escalation_days doit être > review_followup_days")
        return self


class Retention(_Strict):
    """How long personal data are kept after the person's last interaction (consent text)."""

    years: int = Field(default=3, ge=1, le=30)
    # Volunteers who left, and staff removed from the team, counted from their departure.
    volunteer_years: int = Field(default=3, ge=1, le=30)
    staff_years: int = Field(default=1, ge=1, le=30)
    # The admins are told this many days before, once; the person is not.
    notice_days: int = Field(default=30, ge=1, le=180)
    time: str = "03:30"

    @field_validator("time", mode="before")
    @classmethod
    def _valid_time(cls, value: object) -> str:
        return _clock_time(value)


DEFAULT_MILESTONES: dict[ProgrammeId, list[str]] = {
    ProgrammeId.BENEFICES_CREA: [
        "diagnostic",
        "feasibility_study",
        "business_plan",
        "statutes",
        "funding_search",
    ],
    ProgrammeId.ACCUEIL_AMONT: ["first_meeting", "idea_workshop", "orientation"],
    # The DLA ids are those the report counts (pes21_bot.domain.milestones).
    ProgrammeId.DLA: list(DLA_MILESTONES),
    ProgrammeId.GENERATEUR: ["territory_diagnostic", "feasibility_study", "project_launch"],
    ProgrammeId.CRDVA: ["first_meeting", "advice_given"],
}


class Accompaniment(_Strict):
    """Milestones staff can record, per programme (labels live in contenus/, lists.milestones)."""

    milestones: dict[ProgrammeId, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_MILESTONES.items()}
    )

    @field_validator("milestones")
    @classmethod
    def _identifiers(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for programme, names in value.items():
            bad = [n for n in names if not IDENTIFIER_RE.match(n)]
            if bad or len(names) != len(set(names)):
                raise ValueError(f"{programme}: identifiant d'étape invalide ou en double: {bad}")
        return value


# How the report counts an event kind: a workshop, a training (by partner), a Club meeting.
ReportGroup = Literal["workshop", "training", "club", "other"]
EVENT_KIND_RE = re.compile(r"^[a-z][a-z0-9_]{0,19}$")


class EventKind(_Strict):
    """A kind of agenda event: how the report counts it, whether a partner is asked."""

    report: ReportGroup = "other"
    partner: bool = False  # trainings: the partner organisation is asked


DEFAULT_EVENT_KINDS: dict[str, EventKind] = {
    "crdva": EventKind(report="workshop"),
    "paroles_experts": EventKind(report="workshop"),
    "emergence": EventKind(report="workshop"),
    "formation": EventKind(report="training", partner=True),
    "club": EventKind(report="club"),
    "mois_ess": EventKind(),
    "vie_asso": EventKind(),
    "autre": EventKind(),
}


class Events(_Strict):
    """The agenda: kinds of events (labels in contenus/, lists.event_kinds) and reminders."""

    kinds: dict[str, EventKind] = Field(default_factory=lambda: dict(DEFAULT_EVENT_KINDS))
    # The kind offered after an intake routed to accueil en amont.
    intake_offer_kind: str | None = "emergence"
    # The kind volunteers are invited to by message.
    volunteer_invite_kind: str | None = "vie_asso"
    reminder_hours_before: int = Field(default=24, ge=1, le=7 * 24)
    # Partner organisations grouped under one label in the report: label -> other spellings.
    partner_aliases: dict[str, list[str]] = Field(default_factory=dict)

    def partner_label(self, partner: str) -> str:
        """The name a training's partner is counted under: its group's label, else as typed."""
        folded = fold(partner)
        for label, spellings in self.partner_aliases.items():
            if folded in {fold(label), *(fold(s) for s in spellings)}:
                return label
        return " ".join(partner.split())

    @model_validator(mode="after")
    def _known_kinds(self) -> Events:
        bad = [k for k in self.kinds if not EVENT_KIND_RE.match(k)]
        if bad:
            raise ValueError(f"identifiant de type d'événement invalide: {bad}")
        for name in (self.intake_offer_kind, self.volunteer_invite_kind):
            if name is not None and name not in self.kinds:
                raise ValueError(f"type d'événement inconnu / unknown event kind: {name}")
        return self


class Operations(_Strict):
    """Running in production: backups, liveness heartbeats and alerts to the admins."""

    backup_time: str = "03:00"
    backup_dir: str = "data/sauvegardes"
    keep_daily: int = Field(default=7, ge=1, le=366)
    keep_weekly: int = Field(default=4, ge=0, le=520)
    keep_monthly: int = Field(default=12, ge=0, le=1200)
    # Folder of pg_dump/pg_restore when they are not on the PATH (several PostgreSQL versions).
    pg_bin_dir: str | None = None
    heartbeat_dir: str = "data/etat"
    # Where alerts go: this chat (a group of the admins) or, when empty, each admin privately.
    alerts_chat_id: int | None = None
    alert_errors_count: int = Field(default=5, ge=1, le=1000)
    alert_errors_minutes: int = Field(default=10, ge=1, le=24 * 60)

    @field_validator("backup_time", mode="before")
    @classmethod
    def _valid_time(cls, value: object) -> str:
        return _clock_time(value)


class Imports(_Strict):
    """/import's bounds: a file beyond one is refused at once, in French, naming the limit."""

    # Data rows of the whole file (every sheet); the bot's memory grows with them.
    max_rows: int = Field(default=200_000, ge=1, le=1_000_000)
    # Each worksheet of an XLSX file, unpacked (read as a stream).
    max_sheet_mb: int = Field(default=100, ge=1, le=1000)
    # The shared-strings table, and every other part that is read whole, unpacked.
    max_table_mb: int = Field(default=20, ge=1, le=200)


class Fairness(_Strict):
    """How much one person or one chat may ask at once, and when a stuck bot restarts itself."""

    # Messages and presses a person may send a minute (a burst of as many is allowed).
    messages_per_minute: int = Field(default=40, ge=5, le=1000)
    # Updates of one chat waiting for their turn; beyond, they are dropped with a notice.
    queued_per_chat: int = Field(default=20, ge=2, le=1000)
    # A polling or reminder heartbeat older than this ends the process (Docker restarts it).
    watchdog_minutes: int = Field(default=5, ge=2, le=120)


class Pole(_Strict):
    """The association's public contact details, inserted into every text that names them."""

    name: str = Field(default="Pôle d'Économie Solidaire 21", min_length=1, max_length=100)
    address: str = Field(
        default="12 avenue Gustave Eiffel, 21000 Dijon", min_length=1, max_length=200
    )
    phone: str = Field(default="03 80 50 90 47", min_length=1, max_length=40)
    email: str = Field(
        default="contact@pole-economie-solidaire21.org", min_length=3, max_length=200
    )
    website: str = Field(default="https://www.pole-economie-solidaire21.org", max_length=200)


class Report(_Strict):
    """The Word activity report: how volunteers' time and travel are valued (euros)."""

    # The French minimum wage per hour before deductions (1 November 2024), a usual valuation.
    hour_value: float = Field(default=11.88, ge=0, le=1000)
    # The tax administration's rate for volunteers' car travel (2024).
    km_rate: float = Field(default=0.335, ge=0, le=100)


class Config(_Strict):
    """The whole validated config.yaml."""

    timezone: str = "Europe/Paris"
    pole: Pole = Pole()
    admins: list[Member] = Field(min_length=1)
    # Staff may also join by chat (/invitation salarie): only the first admins are required.
    staff: list[StaffMember] = Field(default_factory=list)
    programmes: dict[ProgrammeId, Programme]
    qualification: Qualification
    intake: Intake = Intake()
    volunteers: Volunteers = Volunteers()
    reminders: Reminders = Reminders()
    accompaniment: Accompaniment = Accompaniment()
    operations: Operations = Operations()
    fairness: Fairness = Fairness()
    retention: Retention = Retention()
    events: Events = Events()
    report: Report = Report()
    imports: Imports = Imports()

    @field_validator("timezone")
    @classmethod
    def _valid_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"fuseau horaire inconnu / unknown time zone: {value}") from exc
        return value

    @model_validator(mode="after")
    def _every_programme(self) -> Config:
        # A programme without staff here may get them by chat; bot.py --check warns about it.
        missing = [p for p in PROGRAMMES if p not in self.programmes]
        if missing:
            raise ValueError(f"programmes manquants / missing programmes: {', '.join(missing)}")
        return self

    @property
    def tz(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    def staff_for(self, programme: str) -> list[StaffMember]:
        """Staff members handling a programme."""
        return [m for m in self.staff if programme in m.programmes]

    def is_admin(self, telegram_id: int) -> bool:
        """Whether this Telegram user is an admin."""
        return any(m.id == telegram_id for m in self.admins)

    def staff_member(self, telegram_id: int) -> StaffMember | None:
        """The staff entry of this Telegram user, if any."""
        return next((m for m in self.staff if m.id == telegram_id), None)

    def example_ids(self) -> list[str]:
        """Where config.yaml still holds a Telegram id that looks like the shipped examples."""
        places = [(f"admins.{i}", m) for i, m in enumerate(self.admins)]
        places += [(f"staff.{i}", m) for i, m in enumerate(self.staff)]
        return [f"{where}.id ({m.id}, {m.name})" for where, m in places if m.id < REAL_ID_MIN]

    def team_ids(self) -> set[int]:
        """Telegram ids of every admin, staff member and coordinator."""
        coordinators = {p.coordinator for p in self.programmes.values() if p.coordinator}
        return {m.id for m in self.admins} | {m.id for m in self.staff} | coordinators

    def member_name(self, telegram_id: int) -> str | None:
        """Display name of a configured admin or staff member."""
        for member in [*self.staff, *self.admins]:
            if member.id == telegram_id:
                return member.name
        return None


@dataclass(frozen=True)
class Environment:
    """Settings that come from the environment (the token is a secret)."""

    token: str | None
    base_url: str | None
    database_url: str
    config_path: Path
    # A self-hosted Bot API server: where files are fetched, and whether it runs with --local
    # (getFile then answers a path on its disk, which the bot reads directly).
    base_file_url: str | None = None
    local_mode: bool = False

    def __repr__(self) -> str:
        token = "***" if self.token else None
        return (
            f"Environment(token={token!r}, base_url={self.base_url!r}, "
            f"config_path={self.config_path!s})"
        )


def read_environment(environ: dict[str, str] | None = None) -> Environment:
    """Read TELEGRAM_BOT_TOKEN, TELEGRAM_BASE_URL (with TELEGRAM_BASE_FILE_URL and
    TELEGRAM_LOCAL_MODE), DATABASE_URL and PES21_CONFIG."""
    env = os.environ if environ is None else environ
    base_url = env.get("TELEGRAM_BASE_URL") or None
    return Environment(
        token=env.get("TELEGRAM_BOT_TOKEN") or None,
        base_url=base_url,
        database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        config_path=Path(env.get("PES21_CONFIG") or DEFAULT_CONFIG_PATH),
        base_file_url=env.get("TELEGRAM_BASE_FILE_URL") or file_url_of(base_url),
        local_mode=(env.get("TELEGRAM_LOCAL_MODE") or "").strip().lower() in TRUE_WORDS,
    )


TRUE_WORDS = frozenset({"1", "true", "oui", "yes", "on"})


def file_url_of(base_url: str | None) -> str | None:
    """Where a Bot API server serves files, from its method URL: ``…/bot`` -> ``…/file/bot``
    (Telegram's layout, kept by telegram-bot-api); None for Telegram itself."""
    if not base_url:
        return None
    root = base_url.rstrip("/")
    return root.removesuffix("/bot") + "/file/bot"


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(racine)"


def load_config(path: Path) -> Config:
    """Load and validate a config file, or raise ConfigError naming file, key and problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: fichier introuvable / file not found") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (ligne {mark.line + 1})" if mark is not None else ""
        raise ConfigError(f"{path}{where}: YAML invalide / invalid YAML") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: le fichier doit contenir un dictionnaire / must be a mapping")
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = _location(first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "clé inconnue / unknown key"
        elif first["type"] == "missing":
            message = "clé obligatoire absente / required key missing"
        raise ConfigError(f"{path}: {key}: {message}") from exc
