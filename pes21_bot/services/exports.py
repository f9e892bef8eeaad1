"""Exports of a period: an XLSX workbook or CSV files in a zip.

Rows are streamed from the database in batches and written as they come (openpyxl in
write-only mode, CSV through a compressed zip entry), so memory stays flat whatever the
period. Column titles and sheet names come from contenus/ (lists stat_columns, stat_sheets).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import zipfile
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.db.models import AgendaEvent, Event, Person, Project, Registration, Review
from pes21_bot.domain.answers import STRUCTURE_NAME_ANSWERS
from pes21_bot.domain.figures import Stats, figure_rows
from pes21_bot.domain.french_format import slug
from pes21_bot.domain.scope import Scope
from pes21_bot.labels import close_reason, event_label, readable, value_label
from pes21_bot.services import events
from pes21_bot.services.stats import Window, json_number, review_programme

BATCH = 1000
DATE_FORMAT = "DD/MM/YYYY HH:MM"
DAY_FORMAT = "DD/MM/YYYY"

# A cell starting with one of these is read as a formula by spreadsheet programs (OWASP's
# "CSV injection"): holders' free text must never run in the team's spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Answers that identify a person or describe their project in their own words.
PERSONAL_ANSWERS = {
    "name": ("name",),
    "email": ("email",),
    "phone": ("phone",),
    "structure": STRUCTURE_NAME_ANSWERS,
    "description": ("idea", "need"),
}


@dataclass(frozen=True)
class Table:
    """One sheet (or CSV file): its id in stat_sheets, its columns and its rows."""

    key: str
    columns: list[str]
    rows: Callable[[], AsyncIterator[list[Any]]]


def _name(config: Config, first: str | None, last: str | None, telegram_id: int | None) -> str:
    configured = config.member_name(telegram_id) if telegram_id is not None else None
    if configured:
        return configured
    return " ".join(n for n in (first, last) if n)


def _local(moment: datetime | None, zone: tzinfo) -> datetime | None:
    # Spreadsheets have no time zones: local wall-clock time, as the team reads it.
    return moment.astimezone(zone).replace(tzinfo=None, microsecond=0) if moment else None


async def _stream(session: AsyncSession, statement: Select) -> AsyncIterator[Any]:
    # Batches of rows (server-side cursor): memory stays flat, and the event loop is given
    # back between batches rather than between rows.
    result = await session.stream(statement.execution_options(yield_per=BATCH))
    async for batch in result.partitions():
        for row in batch:
            yield row


# The Événements sheet's readable columns: each takes the first of these data keys an event
# has (ids and technical keys are left out).
EVENT_DATA_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("path", ("path",)),
    ("source", ("source",)),
    ("previous_programme", ("previous",)),
    ("reason", ("reason", "outcome")),
    ("milestone", ("milestone",)),
    ("date_given", ("on", "started_on", "ended_on", "due_on", "until", "paused_until")),
    ("legal_form", ("legal_form",)),
    ("structure_name", ("name", "action")),
    ("created_on", ("created_on",)),
    ("jobs", ("count", "jobs_consolidated", "jobs_created")),
    ("contract", ("contract",)),
    ("working_time", ("time",)),
    ("origin", ("origin",)),
    ("number", ("number",)),
    ("situation", ("situation",)),
    ("satisfaction", ("satisfaction",)),
    ("hours", ("hours",)),
    ("km", ("km",)),
    ("missions", ("missions",)),
    ("score", ("score",)),
    ("late", ("late",)),
)


# Figures whose detail is a stored code, and the kind of value it is.
FIGURE_DETAILS = {
    "structures": "legal_form",
    "jobs": "contract",
    "jobs_time": "time",
    "sector": "sector",
    "source_contacts": "source",
    "source_welcomed": "source",
}


def _event_data(raw: Any) -> dict[str, Any]:
    """An event's data as a dict, whether the driver gives it as JSON text or decoded."""
    if isinstance(raw, dict):
        return raw
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class Exporter:
    """Builds the tables of an export for one window, scope and personal/anonymous choice."""

    def __init__(
        self,
        session: AsyncSession,
        config: Config,
        content: Content,
        window: Window,
        scope: Scope,
        personal: bool,
    ) -> None:
        self.session = session
        self.config = config
        self.content = content
        self.window = window
        self.scope = scope
        self.personal = personal
        self.zone = config.tz

    def _scoped(self, column: Any) -> ColumnElement[bool]:
        return true() if self.scope.everything else column.in_(self.scope.programmes)

    def _with_person(self, statement: Select, person_id: Any) -> Select:
        """The person's name columns, last, for admins only."""
        if not self.personal:
            return statement
        return statement.add_columns(
            Person.first_name, Person.last_name, Person.telegram_id
        ).outerjoin(Person, Person.id == person_id)

    def _programme(self, programme: str | None) -> str:
        return self.content.label("stat_programmes", programme) if programme else ""

    def _yes_no(self, value: bool | None) -> str:
        if value is None:
            return ""
        return self.content.label("stat_labels", "yes" if value else "no")

    def tables(self, stats: Stats) -> list[Table]:
        """The figures, then projects, events, reviews and volunteers' time."""
        return [
            Table(
                "figures",
                ["figure", "programme", "detail", "value", "definition"],
                lambda: self._figures(stats),
            ),
            Table("projects", self._project_columns(), self._projects),
            Table("events", self._event_columns(), self._events),
            Table("reviews", self._review_columns(), self._reviews),
            Table("volunteer_time", self._time_columns(), self._volunteer_time),
            # The agenda (issue 11): events whose date falls in the period, and who came.
            Table("agenda_events", AGENDA_EVENT_COLUMNS, self._agenda_events),
            Table("agenda_attendance", self._attendance_columns(), self._attendance),
            # The satisfaction survey; the holders' comments for admins only.
            Table("satisfaction", self._survey_columns(), self._survey),
        ]

    async def _figures(self, stats: Stats) -> AsyncIterator[list[Any]]:
        content = self.content
        for row in figure_rows(stats):
            detail = row.detail
            if row.figure in ("source_contacts", "source_welcomed"):
                no_source = content.label("stat_labels", "no_source")
                detail = value_label(content, "source", detail) if detail else no_source
            elif detail and row.figure in FIGURE_DETAILS:
                detail = value_label(content, FIGURE_DETAILS[row.figure], detail)
            yield [
                content.label("stat_figures", row.figure),
                self._programme(row.programme),
                detail or "",
                row.value,
                content.label("stat_definitions", row.figure),
            ]

    def _project_columns(self) -> list[str]:
        columns = [
            "reference",
            "submitted_at",
            "first_programme",
            "current_programme",
            "path",
            "status",
            "sector",
            "commune",
            "postal_code",
            "in_cote_dor",
            "source",
            "score",
            "claimed_at",
            "closed_at",
            "close_reason",
        ]
        return columns + list(PERSONAL_ANSWERS) if self.personal else columns

    async def _projects(self) -> AsyncIterator[list[Any]]:
        intake = aliased(Event)
        scoped = or_(self._scoped(intake.programme), self._scoped(Project.programme))
        columns: list[Any] = [
            Project.reference,
            intake.occurred_at,
            intake.programme,
            Project.programme,
            Project.path,
            Project.status,
            Project.sector,
            Project.commune,
            Project.postal_code,
            Project.in_cote_dor,
            Project.source,
            Project.score,
            Project.claimed_at,
            Project.closed_at,
            Project.close_reason,
        ]
        if self.personal:
            columns.append(Project.answers)
        statement = (
            select(*columns)
            .select_from(intake)
            .join(Project, Project.id == intake.project_id)
            .where(
                intake.kind == events.INTAKE_COMPLETED,
                self.window.has(intake.occurred_at),
                scoped,
            )
            .order_by(intake.occurred_at, intake.id)
        )
        content = self.content
        async for row in _stream(self.session, statement):
            values = [
                row[0],
                _local(row[1], self.zone),
                self._programme(row[2]),
                self._programme(row[3]),
                content.label("paths", row[4]),
                content.label("project_status", row[5]),
                value_label(content, "sector", row[6]) if row[6] else "",
                row[7] or "",
                row[8] or "",
                self._yes_no(row[9]),
                row[10] or "",
                row[11],
                _local(row[12], self.zone),
                _local(row[13], self.zone),
                close_reason(content, row[14]),
            ]
            if self.personal:
                answers = row[15] or {}
                for keys in PERSONAL_ANSWERS.values():
                    values.append(next((str(answers[k]) for k in keys if answers.get(k)), ""))
            yield values

    def _event_columns(self) -> list[str]:
        columns = ["occurred_at", "event", "programme", "project"]
        columns += [column for column, _ in EVENT_DATA_COLUMNS]
        return [*columns, "actor"] if self.personal else columns

    async def _events(self) -> AsyncIterator[list[Any]]:
        columns: list[Any] = [
            Event.occurred_at,
            Event.kind,
            Event.programme,
            Project.reference,
            # The JSON text as stored (a SQL cast: asyncpg would decode the JSON itself),
            # with no decoding and re-encoding of every row.
            cast(Event.data, String),
        ]
        statement = (
            select(*columns)
            .select_from(Event)
            .outerjoin(Project, Project.id == Event.project_id)
            .where(
                self.window.has(),
                self._scoped(Event.programme),
                # One row per answered question says nothing but the question's id.
                Event.kind != events.QUESTION_ANSWERED,
            )
            .order_by(Event.occurred_at, Event.id)
        )
        statement = self._with_person(statement, Event.actor_id)
        async for row in _stream(self.session, statement):
            values = [
                _local(row[0], self.zone),
                event_label(self.content, row[1]),
                self._programme(row[2]),
                row[3] or "",
                *self._data_cells(_event_data(row[4])),
            ]
            if self.personal:
                values.append(_name(self.config, row[5], row[6], row[7]))
            yield values

    def _data_cells(self, data: dict[str, Any]) -> list[Any]:
        """The readable columns of an event's data."""
        cells = []
        for _, keys in EVENT_DATA_COLUMNS:
            key = next((k for k in keys if k in data), None)
            if key == "source" and data[key] is None:
                cells.append(self.content.label("stat_labels", "no_source"))
            else:
                cells.append(readable(self.content, key, data[key]) if key else "")
        return cells

    def _review_columns(self) -> list[str]:
        columns = ["project", "programme", "number", "due_at", "status", "done_at"]
        return [*columns, "assignee"] if self.personal else columns

    async def _reviews(self) -> AsyncIterator[list[Any]]:
        statement = (
            select(
                Project.reference,
                Project.programme,
                Review.number,
                Review.due_at,
                Review.state,
                Review.done_at,
            )
            .select_from(Review)
            .join(Project, Project.id == Review.project_id)
            .where(
                self.window.has(Review.due_at),
                self._scoped(Project.programme),
            )
            .order_by(Review.due_at, Review.id)
        )
        statement = self._with_person(statement, Review.assignee_id)
        async for row in _stream(self.session, statement):
            values = [
                row[0] or "",
                self._programme(row[1]),
                row[2],
                _local(row[3], self.zone),
                value_label(self.content, "review_state", row[4]),
                _local(row[5], self.zone),
            ]
            if self.personal:
                values.append(_name(self.config, row[6], row[7], row[8]))
            yield values

    def _time_columns(self) -> list[str]:
        columns = ["occurred_at", "project", "programme", "hours", "km"]
        return [*columns, "actor"] if self.personal else columns

    async def _volunteer_time(self) -> AsyncIterator[list[Any]]:
        programme = review_programme()
        statement = (
            select(
                Event.occurred_at,
                Project.reference,
                programme,
                json_number("hours"),
                json_number("km"),
            )
            .select_from(Event)
            .outerjoin(Project, Project.id == Event.project_id)
            .where(
                Event.kind == events.REVIEW_DONE,
                self.window.has(),
                self._scoped(programme),
            )
            .order_by(Event.occurred_at, Event.id)
        )
        statement = self._with_person(statement, Event.actor_id)
        async for row in _stream(self.session, statement):
            values = [
                _local(row[0], self.zone),
                row[1] or "",
                self._programme(row[2]),
                row[3],
                row[4],
            ]
            if self.personal:
                values.append(_name(self.config, row[5], row[6], row[7]))
            yield values

    async def _agenda_events(self) -> AsyncIterator[list[Any]]:
        came = (
            select(func.count())
            .where(Registration.event_id == AgendaEvent.id, Registration.state == "attended")
            .correlate(AgendaEvent)
            .scalar_subquery()
        )
        registered = (
            select(func.count())
            .where(
                Registration.event_id == AgendaEvent.id,
                Registration.state.in_(("registered", "attended", "absent")),
            )
            .correlate(AgendaEvent)
            .scalar_subquery()
        )
        statement = (
            select(AgendaEvent, registered, came)
            .where(self.window.has(AgendaEvent.starts_at))
            .order_by(AgendaEvent.starts_at, AgendaEvent.id)
        )
        content = self.content
        async for event, registrants, attended in _stream(self.session, statement):
            yield [
                _local(event.starts_at, self.zone),
                content.label("event_kinds", event.kind),
                event.title,
                event.place or "",
                event.partner or "",
                self._yes_no(event.run_by_pole),
                content.label("event_audiences", event.audience),
                event.capacity if event.capacity is not None else "",
                content.label("event_states", event.state),
                registrants,
                attended,
                event.walk_ins,
                attended + event.walk_ins if event.state == "held" else "",
            ]

    def _attendance_columns(self) -> list[str]:
        columns = ["starts_at", "event_kind", "event_title", "registration_state"]
        return [*columns, "name"] if self.personal else columns

    async def _attendance(self) -> AsyncIterator[list[Any]]:
        statement = (
            select(AgendaEvent.starts_at, AgendaEvent.kind, AgendaEvent.title, Registration.state)
            .select_from(Registration)
            .join(AgendaEvent, AgendaEvent.id == Registration.event_id)
            .where(self.window.has(AgendaEvent.starts_at))
            .order_by(AgendaEvent.starts_at, AgendaEvent.id, Registration.id)
        )
        statement = self._with_person(statement, Registration.person_id)
        async for row in _stream(self.session, statement):
            values = [
                _local(row[0], self.zone),
                self.content.label("event_kinds", row[1]),
                row[2],
                self.content.label("registration_states", row[3]),
            ]
            if self.personal:
                values.append(_name(self.config, row[4], row[5], row[6]))
            yield values

    def _survey_columns(self) -> list[str]:
        columns = ["answered_at", "project", "programme", "satisfaction", "helped", "recommend"]
        return [*columns, "comment"] if self.personal else columns

    async def _survey(self) -> AsyncIterator[list[Any]]:
        statement = (
            select(Event.occurred_at, Project.reference, Event.programme, cast(Event.data, String))
            .select_from(Event)
            .outerjoin(Project, Project.id == Event.project_id)
            .where(
                Event.kind == events.SATISFACTION_ANSWERED,
                self.window.has(),
                self._scoped(Event.programme),
            )
            .order_by(Event.occurred_at, Event.id)
        )
        content = self.content
        async for row in _stream(self.session, statement):
            data = _event_data(row[3])
            helped = data.get("helped")
            recommend = data.get("recommend")
            values = [
                _local(row[0], self.zone),
                row[1] or "",
                self._programme(row[2]),
                data.get("rating"),
                content.label("survey_helped", helped) if helped else "",
                self._yes_no(recommend == "yes") if recommend in ("yes", "no") else "",
            ]
            if self.personal:
                values.append(str(data.get("comment") or ""))
            yield values


AGENDA_EVENT_COLUMNS = [
    "starts_at",
    "event_kind",
    "event_title",
    "event_place",
    "partner",
    "run_by_pole",
    "audience",
    "capacity",
    "event_state",
    "registrants",
    "attended",
    "walk_ins",
    "participants",
]


def _sheet_title(content: Content, key: str) -> str:
    title = content.label("stat_sheets", key)
    for forbidden in "[]:*?/\\":
        title = title.replace(forbidden, " ")
    return title[:31]


async def write_xlsx(content: Content, tables: Sequence[Table], target: Path) -> None:
    """Write the tables as the sheets of an XLSX workbook, row by row (write-only mode)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(content, table.key))
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=content.label("stat_columns", column))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        count = 0
        async for values in table.rows():
            row: list[Any] = []
            for value in values:
                if value == "":
                    row.append(None)  # an empty cell costs nothing in the file, "" does
                elif isinstance(value, date):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = DATE_FORMAT if isinstance(value, datetime) else DAY_FORMAT
                    row.append(cell)
                elif isinstance(value, str):
                    row.append(text_cell(sheet, value))
                else:
                    row.append(value)
            sheet.append(row)
            count += 1
            if count % BATCH == 0:
                await asyncio.sleep(0)  # let the bot answer others while a big export runs
    # Zipping the sheets is CPU work: keep it off the event loop.
    await asyncio.to_thread(workbook.save, target)


def neutralised(text: str) -> str:
    """Text safe in a CSV cell: a leading formula character is escaped with a quote (OWASP)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def text_cell(sheet: Any, text: str) -> Any:
    """An XLSX cell that holds `text` as a string, never as a formula or an error code."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # Control characters cannot be stored in the file's XML (openpyxl refuses them).
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    return cell


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralised(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        # French spreadsheets read a decimal comma.
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return value


async def write_csv_zip(content: Content, tables: Sequence[Table], target: Path) -> None:
    """Write one CSV file per table (';' separated, UTF-8 with BOM for Excel) into a zip."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            name = f"{slug(content.label('stat_sheets', table.key))}.csv"
            with (
                archive.open(name, "w") as raw,
                io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text,
            ):
                writer = csv.writer(text, delimiter=";")
                writer.writerow([content.label("stat_columns", c) for c in table.columns])
                count = 0
                async for values in table.rows():
                    writer.writerow([_csv_value(v) for v in values])
                    count += 1
                    if count % BATCH == 0:
                        await asyncio.sleep(0)


def export_name(start: date, last: date, year: int | None, extension: str, anonymous: bool) -> str:
    """pes21-2025.xlsx, pes21-2025-01-01_2025-06-30-anonyme.zip..."""
    period = str(year) if year is not None else f"{start.isoformat()}_{last.isoformat()}"
    suffix = "-anonyme" if anonymous else ""
    return f"pes21-{period}{suffix}.{extension}"
