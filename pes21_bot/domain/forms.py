"""Short chat forms (a review, an accompaniment step, a volunteer profile): fields and parsing.

A form is an ordered list of fields; answers are stored as JSON values (ISO strings for dates).
Which field comes next, whether it shows, and whether a typed answer is valid are pure rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from pes21_bot.domain.answers import Invalid
from pes21_bot.domain.report import DLA_COLLECTIVE_ENGINEERING, DLA_DIAGNOSTIC

FieldType = Literal["choice", "multi", "number", "decimal", "date", "text"]
Answers = dict[str, Any]

DATE_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?$")
ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
HOURS_RE = re.compile(r"^(\d{1,3})\s*h\s*(\d{1,2})?$")
DECIMAL_RE = re.compile(r"^\d{1,4}(?:[.,]\d{1,2})?$")


@dataclass(frozen=True)
class Field:
    """One question of a form; `choices` names a list of contenus/ (lists.<name>)."""

    id: str
    type: FieldType
    choices: str | None = None
    optional: bool = False
    min: float = 0
    max: float = 10_000
    future: bool = False  # dates: strictly after today (a pause) instead of today or before
    when: Callable[[Answers], bool] | None = None

    def visible(self, answers: Answers) -> bool:
        """Whether the field is asked, given the answers so far."""
        return self.when is None or self.when(answers)


@dataclass(frozen=True)
class FormSpec:
    """A form kind: its fields and whether a recap is shown before storing."""

    kind: str
    fields: tuple[Field, ...]
    recap: bool = True
    preset: tuple[str, ...] = field(default_factory=tuple)  # answers given by the entry button

    def field(self, field_id: str) -> Field | None:
        """The field with this id."""
        return next((f for f in self.fields if f.id == field_id), None)

    def visible_fields(self, answers: Answers) -> list[Field]:
        """Fields asked with these answers, in order; a hidden field's answer counts for nothing."""
        kept = {k: answers[k] for k in self.preset if k in answers}
        shown = []
        for item in self.fields:
            if item.visible(kept):
                shown.append(item)
                if item.id in answers:
                    kept[item.id] = answers[item.id]
        return shown

    def next_field(self, answers: Answers) -> Field | None:
        """The first visible unanswered field; None means the form is complete."""
        return next((f for f in self.visible_fields(answers) if f.id not in answers), None)

    def clean(self, answers: Answers) -> Answers:
        """The answers without those of fields hidden by a later change (and the presets kept)."""
        ids = {f.id for f in self.visible_fields(answers)} | set(self.preset)
        return {k: v for k, v in answers.items() if k in ids}


def _jobs(answers: Answers) -> bool:
    count = answers.get("jobs_count")
    return isinstance(count, int) and count > 0


def _structure(answers: Answers) -> bool:
    return answers.get("outcome") == "structure_created"


REVIEW = FormSpec(
    "review",
    (
        Field("contact_date", "date"),
        Field("contact_way", "choice", choices="contact_ways"),
        Field("situation", "choice", choices="review_situations"),
        Field("jobs_count", "number", max=500),
        Field("jobs_kind", "choice", choices="job_kinds", when=_jobs),
        Field("needs", "multi", choices="review_needs", optional=True),
        Field("satisfaction", "choice", choices="satisfaction"),
        Field("hours", "decimal", max=200),
        Field("km", "number", max=5000),
        Field("comment", "text", optional=True, max=1000),
    ),
)
ACCOMPANIMENT_START = FormSpec("acc_start", (Field("started_on", "date"),), recap=False)
ACCOMPANIMENT_MILESTONE = FormSpec(
    "acc_milestone",
    (
        Field("on", "date"),
        Field(
            "jobs_consolidated",
            "number",
            max=100_000,
            when=lambda a: a.get("milestone") == DLA_DIAGNOSTIC,
        ),
        Field(
            "action",
            "text",
            max=80,
            when=lambda a: a.get("milestone") == DLA_COLLECTIVE_ENGINEERING,
        ),
    ),
    recap=False,
    preset=("milestone",),
)
ACCOMPANIMENT_END = FormSpec(
    "acc_end",
    (
        Field("outcome", "choice", choices="outcomes"),
        Field("legal_form", "choice", choices="legal_forms", when=_structure),
        Field("created_on", "date", when=_structure),
        Field("structure_name", "text", max=120, when=_structure),
        Field(
            "jobs_count",
            "number",
            max=500,
            when=lambda a: a.get("outcome") in ("structure_created", "jobs_created"),
        ),
        Field("jobs_kind", "choice", choices="job_kinds", when=_jobs),
        Field("ended_on", "date"),
    ),
)
VOLUNTEER_SETUP = FormSpec(
    "vol_setup",
    (
        Field("missions", "multi", choices="volunteer_missions"),
        Field("days", "multi", choices="weekdays", optional=True),
    ),
    recap=False,
)
VOLUNTEER_MISSIONS = FormSpec(
    "vol_missions", (Field("missions", "multi", choices="volunteer_missions"),), recap=False
)
VOLUNTEER_DAYS = FormSpec(
    "vol_days", (Field("days", "multi", choices="weekdays", optional=True),), recap=False
)
VOLUNTEER_PAUSE = FormSpec("vol_pause", (Field("paused_until", "date", future=True),), recap=False)

FORMS = {
    spec.kind: spec
    for spec in (
        REVIEW,
        ACCOMPANIMENT_START,
        ACCOMPANIMENT_MILESTONE,
        ACCOMPANIMENT_END,
        VOLUNTEER_SETUP,
        VOLUNTEER_MISSIONS,
        VOLUNTEER_DAYS,
        VOLUNTEER_PAUSE,
    )
}


def parse_date(text: str, today: date) -> date | None:
    """A date typed the French way (15/03/2026, 15/03/26, 15/03) or as 2026-03-15."""
    raw = text.strip()
    iso = ISO_DATE_RE.match(raw)
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        match = DATE_RE.match(raw)
        if not match:
            return None
        day, month, year_text = match.groups()
        year = today.year if year_text is None else int(year_text)
        if year < 100:
            year += 2000
        return date(year, int(month), int(day))
    except ValueError:
        return None


def check_date(spec: Field, value: date, today: date) -> Invalid | None:
    """Past fields accept today or up to 10 years back; future fields from tomorrow to 2 years."""
    if spec.future:
        if value <= today or value > today + timedelta(days=730):
            return Invalid("date_future")
    elif value > today or value < today - timedelta(days=3650):
        return Invalid("date_past")
    return None


def parse_hours(text: str) -> float | None:
    """Hours as 2, 1,5, 1.5, 1h30 or 2 h."""
    raw = text.strip().lower().replace(" ", "")
    match = HOURS_RE.match(raw)
    if match:
        minutes = int(match.group(2) or 0)
        if minutes >= 60:
            return None
        return int(match.group(1)) + round(minutes / 60, 2)
    if DECIMAL_RE.match(raw):
        return float(raw.replace(",", "."))
    return None


def parse_typed(spec: Field, text: str, today: date) -> Any:
    """Validate a typed answer for a field; returns the JSON value or an Invalid."""
    raw = text.strip()
    if not raw:
        return Invalid("empty")
    if spec.type in ("choice", "multi"):
        return Invalid("use_buttons")
    if spec.type == "text":
        if len(raw) > spec.max:
            return Invalid("too_long", {"max": int(spec.max)})
        return raw
    if spec.type == "number":
        compact = raw.replace(" ", "")
        if not compact.isdigit() or len(compact) > 9:
            return Invalid("number")
        number = int(compact)
        if not spec.min <= number <= spec.max:
            return Invalid("number_range", {"min": int(spec.min), "max": int(spec.max)})
        return number
    if spec.type == "decimal":
        hours = parse_hours(raw)
        if hours is None:
            return Invalid("decimal")
        if not spec.min <= hours <= spec.max:
            return Invalid("number_range", {"min": int(spec.min), "max": int(spec.max)})
        return hours
    parsed = parse_date(raw, today)
    if parsed is None:
        return Invalid("date")
    problem = check_date(spec, parsed, today)
    return problem if problem is not None else parsed.isoformat()


def date_shortcuts(spec: Field, today: date) -> list[date]:
    """Dates offered as buttons: today and yesterday, or a week, two weeks and a month ahead."""
    if spec.future:
        return [today + timedelta(days=n) for n in (7, 14, 30)]
    return [today, today - timedelta(days=1)]


def valid_date_value(spec: Field, value: str, today: date) -> bool:
    """Whether an ISO date from a button is acceptable (buttons can be old or forged)."""
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return False
    return check_date(spec, parsed, today) is None
