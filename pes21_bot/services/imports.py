"""/import: read a filled template (XLSX or CSV), plan it against the database, write it.

Reading is synchronous and meant for a worker thread (openpyxl in read-only mode streams the
rows). Planning says which rows are new, which were imported before (their stable key is in
`imported_rows`) and what is wrong; writing goes by batches, each in its own transaction with
the keys of its rows, so an import stopped halfway is finished by importing the file again.
"""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path
from typing import Any, cast
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.db.models import Accompaniment, AgendaEvent, ImportedRow, Project
from pes21_bot.db.session import SessionFactory, write_transaction
from pes21_bot.domain import imports as spec
from pes21_bot.domain.french_format import slug
from pes21_bot.domain.imports import ParsedRow, RowError, Sheet
from pes21_bot.domain.jobs import CONTRACTS
from pes21_bot.domain.milestones import DLA_MILESTONES
from pes21_bot.domain.sources import clean_source
from pes21_bot.domain.vocabulary import PROGRAMMES
from pes21_bot.services import events
from pes21_bot.services.recorded_batch import RecordedDossier, path_of, record_dossiers
from pes21_bot.services.uploads import TEXT_ENCODINGS

# Small batches: SQLite runs on the bot's thread (db/inline_sqlite.py), and each batch holds the
# write lock, so others' answers wait at most one batch (bench/import.py measures it).
BATCH_ROWS = 100
# Beyond this many, errors are counted but not kept: the admin sees the first ones.
KEPT_ERRORS = 200
CLOSE_REASON = "imported"
SOURCE_FALLBACK = "import"
SELECT_CHUNK = 500
# Imported events happen at noon, local time: far from midnight, so never in the wrong day.
EVENT_HOUR = time(12)
# The questionnaire's answer that names the project, by path (the person's name is not asked).
NAME_ANSWER = {"idea": "idea", "local_authority": "authority_name"}


class FileUnreadable(Exception):
    """The file cannot be read as a template; `reason` picks the French message."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason  # "unreadable", "no_sheet", "missing_columns"
        self.detail = detail


@dataclass(frozen=True)
class ImportLabels:
    """The template's French words (contenus/import.yaml) and the accepted choices."""

    sheets: dict[str, str]
    columns: dict[str, dict[str, str]]
    notes: dict[str, dict[str, str]]
    choices: spec.ImportChoices


def labels_of(content: Content, config: Config) -> ImportLabels:
    """The template's words and choices, from contenus/ and config.yaml."""
    lists = content.lists
    programmes: dict[str, str] = {str(p): content.programme_name(p) for p in PROGRAMMES}
    programmes.update(
        {p: label for p, label in lists.get("stat_programmes", {}).items() if p in PROGRAMMES}
    )
    known = {
        "programmes": programmes,
        "outcomes": dict(lists.get("outcomes", {})),
        "legal_forms": dict(lists.get("legal_forms", {})),
        "contracts": {c: lists.get("job_contracts", {}).get(c, c) for c in CONTRACTS},
        "milestones": {m: lists.get("milestones", {}).get(m, m) for m in DLA_MILESTONES},
        "event_kinds": {k: lists.get("event_kinds", {}).get(k, k) for k in config.events.kinds},
    }
    # The other words of each list (contenus/import_synonymes.yaml), for the codes it has.
    choices = {
        name: spec.choice_index(codes, lists.get(f"{spec.SYNONYMS_PREFIX}{name}", {}))
        for name, codes in known.items()
    }
    return ImportLabels(
        sheets=dict(lists["import_sheets"]),
        columns={s.id: dict(lists[f"import_columns_{s.id}"]) for s in spec.SHEETS},
        notes={s.id: dict(lists[f"import_notes_{s.id}"]) for s in spec.SHEETS},
        choices=choices,
    )


@dataclass
class ParsedFile:
    """Every row of the file read: the good ones by sheet, and what is wrong."""

    rows: dict[str, list[ParsedRow]] = field(
        default_factory=lambda: {s.id: [] for s in spec.SHEETS}
    )
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    lines: int = 0

    def add_errors(self, found: Sequence[RowError]) -> None:
        """Keep the first errors, count them all."""
        self.error_count += len(found)
        room = KEPT_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(found[:room])


# --- Reading (in a worker thread) -------------------------------------------------------------


Progress = Callable[[int], None]


def read_file(
    path: Path, kind: str, labels: ImportLabels, today: date, progress: Progress | None = None
) -> ParsedFile:
    """Read an uploaded XLSX or CSV file; raises FileUnreadable when it is no template."""
    if kind == "xlsx":
        return _read_workbook(path, labels, today, progress)
    return _read_csv(path, labels, today, progress)


Cells = tuple[list[Any], frozenset[int]]  # a row's values and the positions holding a formula


def _read_sheet(
    sheet: Sheet,
    rows: Iterator[Cells],
    labels: ImportLabels,
    today: date,
    parsed: ParsedFile,
    progress: Progress | None,
) -> None:
    header = next(rows, None)
    if header is None:
        return
    positions, missing = spec.match_headers(sheet, header[0], labels.columns[sheet.id])
    if missing:
        names = ", ".join(f"« {labels.columns[sheet.id][m]} »" for m in missing)
        raise FileUnreadable("missing_columns", f"{labels.sheets[sheet.id]} : {names}")
    seen: dict[str, int] = {}
    for line, (cells, formulas) in enumerate(rows, start=2):
        if spec.is_blank(cells):
            continue
        parsed.lines += 1
        if progress is not None and parsed.lines % BATCH_ROWS == 0:
            progress(parsed.lines)
        result = spec.read_row(sheet, line, cells, positions, labels.choices, today, formulas)
        if isinstance(result, list):
            parsed.add_errors(result)
            continue
        if result.key in seen:
            column = "key" if sheet.has_key_column else None
            parsed.add_errors(
                [RowError(sheet.id, line, column, "duplicate_key", str(seen[result.key]))]
            )
            continue
        seen[result.key] = line
        parsed.rows[sheet.id].append(result)


def _sheet_for_title(title: str, labels: ImportLabels) -> Sheet | None:
    folded = slug(title)
    for sheet in spec.SHEETS:
        if folded in (slug(sheet.id), slug(labels.sheets[sheet.id])):
            return sheet
    return None


def _workbook_rows(worksheet: Any) -> Iterator[Cells]:
    for row in worksheet.iter_rows():
        values = [getattr(cell, "value", None) for cell in row]
        formulas = frozenset(
            i for i, cell in enumerate(row) if getattr(cell, "data_type", None) == "f"
        )
        yield values, formulas


def _read_workbook(
    path: Path, labels: ImportLabels, today: date, progress: Progress | None
) -> ParsedFile:
    parsed = ParsedFile()
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ParseError, OSError, ValueError):
        raise FileUnreadable("unreadable") from None
    try:
        found = False
        for worksheet in workbook.worksheets:
            sheet = _sheet_for_title(worksheet.title, labels)
            if sheet is None:
                continue  # the notes sheet, or the admin's own
            found = True
            _read_sheet(sheet, _workbook_rows(worksheet), labels, today, parsed, progress)
    except (zipfile.BadZipFile, KeyError, ParseError, ValueError, TypeError):
        raise FileUnreadable("unreadable") from None
    finally:
        workbook.close()
    if not found:
        raise FileUnreadable("no_sheet")
    return parsed


def _decoded(data: bytes) -> str:
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileUnreadable("unreadable")


def _read_csv(
    path: Path, labels: ImportLabels, today: date, progress: Progress | None
) -> ParsedFile:
    text = _decoded(path.read_bytes())
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise FileUnreadable("unreadable") from None
    # A CSV file holds one sheet: the one whose required columns its header names.
    sheet = next(
        (s for s in spec.SHEETS if not spec.match_headers(s, header, labels.columns[s.id])[1]),
        None,
    )
    if sheet is None:
        raise FileUnreadable("no_sheet")
    parsed = ParsedFile()

    def rows() -> Iterator[Cells]:
        yield list(header), frozenset()
        for row in reader:
            # A spreadsheet's formula survives in a CSV only as text starting with "=".
            formulas = frozenset(i for i, c in enumerate(row) if c.startswith("="))
            yield list(row), formulas

    try:
        _read_sheet(sheet, rows(), labels, today, parsed, progress)
    except csv.Error:
        raise FileUnreadable("unreadable") from None
    return parsed


# --- Planning ---------------------------------------------------------------------------------


@dataclass
class Plan:
    """What importing the file would do."""

    new: dict[str, list[ParsedRow]]
    duplicates: dict[str, int]
    errors: list[RowError]
    error_count: int

    @property
    def new_count(self) -> int:
        """Rows that would be created, all sheets."""
        return sum(len(rows) for rows in self.new.values())


def _chunks(items: Sequence[Any], size: int = SELECT_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _existing_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(keys):
        result = await session.execute(select(ImportedRow.key).where(ImportedRow.key.in_(chunk)))
        found.update(result.scalars())
    return found


async def dossier_ids(session: AsyncSession, values: Iterable[str]) -> dict[str, int]:
    """Dossiers named in the file: by an earlier import's key, or by their bot reference."""
    wanted = sorted(set(values))
    found: dict[str, int] = {}
    for chunk in _chunks(wanted):
        keyed = await session.execute(
            select(ImportedRow.key, ImportedRow.project_id).where(
                ImportedRow.key.in_([spec.dossier_key(v) for v in chunk]),
                ImportedRow.project_id.is_not(None),
            )
        )
        for key, project_id in keyed.all():
            if project_id is not None:
                found[key.split(":", 1)[1]] = project_id
        referenced = await session.execute(
            select(Project.reference, Project.id).where(Project.reference.in_(chunk))
        )
        for reference, project_id in referenced.all():
            if reference is not None:
                found.setdefault(reference, project_id)
    return found


async def plan(session: AsyncSession, parsed: ParsedFile) -> Plan:
    """New rows, rows imported before, and rows naming a dossier nobody knows."""
    errors = list(parsed.errors)
    error_count = parsed.error_count
    new: dict[str, list[ParsedRow]] = {}
    duplicates: dict[str, int] = {}
    file_dossiers = {r.values["key"] for r in parsed.rows[spec.DOSSIERS.id]}
    named = {
        r.values[spec.DOSSIER_COLUMN]
        for sheet in (spec.ACCOMPANIMENTS, spec.MILESTONES)
        for r in parsed.rows[sheet.id]
    }
    known = set(await dossier_ids(session, named - file_dossiers)) | file_dossiers
    for sheet in spec.SHEETS:
        rows = parsed.rows[sheet.id]
        existing = await _existing_keys(session, [r.key for r in rows])
        kept: list[ParsedRow] = []
        for row in rows:
            if row.key in existing:
                duplicates[sheet.id] = duplicates.get(sheet.id, 0) + 1
                continue
            dossier = row.values.get(spec.DOSSIER_COLUMN)
            if dossier is not None and dossier not in known:
                error_count += 1
                if len(errors) < KEPT_ERRORS:
                    errors.append(
                        RowError(
                            sheet.id, row.line, spec.DOSSIER_COLUMN, "unknown_dossier", dossier
                        )
                    )
                continue
            kept.append(row)
        new[sheet.id] = kept
    errors.sort(key=lambda e: (spec.SHEETS.index(spec.SHEETS_BY_ID[e.sheet]), e.line))
    return Plan(new, duplicates, errors, error_count)


# --- Writing ----------------------------------------------------------------------------------


def at_noon(day: date, zone: tzinfo) -> datetime:
    """The instant an imported day's event is recorded at: noon there, in UTC."""
    return datetime.combine(day, EVENT_HOUR, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Writer:
    """Who imports, when, with which settings."""

    config: Config
    actor_id: int | None
    now: datetime

    async def keys(
        self, session: AsyncSession, rows: Sequence[ParsedRow], projects: Sequence[int | None]
    ) -> None:
        """Store the rows' keys in the batch's transaction (one multi-row INSERT)."""
        await session.execute(
            insert(cast(Table, ImportedRow.__table__)),
            [
                {
                    "key": row.key,
                    "sheet": row.sheet,
                    "project_id": project_id,
                    "imported_by_id": self.actor_id,
                    "imported_at": self.now,
                }
                for row, project_id in zip(rows, projects, strict=True)
            ],
        )

    async def dossiers(self, session: AsyncSession, rows: Sequence[ParsedRow]) -> None:
        """Closed dossiers of the past, counted at their first contact."""
        recorded = []
        for row in rows:
            values = row.values
            programme = values["programme"]
            path = path_of(programme)
            answers: dict[str, Any] = {
                k: values[k] for k in ("commune", "postal_code", "sector") if k in values
            }
            if "name" in values:
                answers[NAME_ANSWER.get(path, "structure_name")] = values["name"]
            source = clean_source(slug(values.get("source", ""))[:24]) or SOURCE_FALLBACK
            recorded.append(
                RecordedDossier(
                    path=path,
                    answers=answers,
                    first_contact=at_noon(values["first_contact"], self.config.tz),
                    source=source,
                    programme=programme,
                )
            )
        ids = await record_dossiers(
            session,
            self.config,
            recorded,
            recorded_at=self.now,
            actor_id=self.actor_id,
            close_reason=CLOSE_REASON,
        )
        await self.keys(session, rows, ids)

    async def _projects(
        self, session: AsyncSession, rows: Sequence[ParsedRow]
    ) -> dict[str, Project]:
        ids = await dossier_ids(session, (r.values[spec.DOSSIER_COLUMN] for r in rows))
        result = await session.execute(select(Project).where(Project.id.in_(set(ids.values()))))
        by_id = {p.id: p for p in result.scalars()}
        return {value: by_id[i] for value, i in ids.items() if i in by_id}

    async def accompaniments(self, session: AsyncSession, rows: Sequence[ParsedRow]) -> None:
        """An accompaniment with its dates, its outcome, the structure and jobs it gave."""
        projects = await self._projects(session, rows)
        zone = self.config.tz
        for row in rows:
            values = row.values
            project = projects[values[spec.DOSSIER_COLUMN]]
            started, ended = values["started_on"], values.get("ended_on")
            details = {
                k: (v.isoformat() if isinstance(v, date) else v)
                for k, v in values.items()
                if k in ("legal_form", "structure_name", "created_on")
            }
            if values.get("jobs"):
                details["jobs_count"] = values["jobs"]
                details["jobs_contract"] = values.get("contract", "other")
            session.add(
                Accompaniment(
                    project_id=project.id,
                    started_on=started,
                    ended_on=ended,
                    outcome=values.get("outcome"),
                    details=details,
                    created_at=self.now,
                    updated_at=self.now,
                )
            )
            where: dict[str, Any] = {
                "actor_id": self.actor_id,
                "project_id": project.id,
                "programme": project.programme,
            }
            events.record(
                session,
                events.ACCOMPANIMENT_STARTED,
                at_noon(started, zone),
                started_on=started.isoformat(),
                **where,
            )
            if ended is None:
                continue
            end_at = at_noon(ended, zone)
            outcome = values.get("outcome")
            events.record(
                session,
                events.ACCOMPANIMENT_ENDED,
                end_at,
                outcome=outcome,
                ended_on=ended.isoformat(),
                **where,
            )
            if outcome == "structure_created":
                created = values.get("created_on")
                events.record(
                    session,
                    events.STRUCTURE_CREATED,
                    at_noon(created, zone) if created else end_at,
                    legal_form=values.get("legal_form"),
                    name=values.get("structure_name"),
                    created_on=created.isoformat() if created else None,
                    **where,
                )
            if values.get("jobs"):
                events.record(
                    session,
                    events.JOBS_CREATED,
                    end_at,
                    count=values["jobs"],
                    contract=values.get("contract", "other"),
                    time=None,
                    origin="accompaniment",
                    **where,
                )
        await self.keys(session, rows, [projects[r.values[spec.DOSSIER_COLUMN]].id for r in rows])

    async def milestones(self, session: AsyncSession, rows: Sequence[ParsedRow]) -> None:
        """DLA milestones on their real day."""
        projects = await self._projects(session, rows)
        for row in rows:
            values = row.values
            project = projects[values[spec.DOSSIER_COLUMN]]
            extra = {k: values[k] for k in ("jobs_consolidated", "action") if k in values}
            events.record(
                session,
                events.MILESTONE,
                at_noon(values["on"], self.config.tz),
                actor_id=self.actor_id,
                project_id=project.id,
                programme=project.programme,
                milestone=values["milestone"],
                on=values["on"].isoformat(),
                **extra,
            )
        await self.keys(session, rows, [projects[r.values[spec.DOSSIER_COLUMN]].id for r in rows])

    async def workshops(self, session: AsyncSession, rows: Sequence[ParsedRow]) -> None:
        """Events of the agenda already held, with the number of people who came."""
        for row in rows:
            values = row.values
            starts_at = at_noon(values["date"], self.config.tz)
            walk_ins = values.get("participants", 0)
            session.add(
                AgendaEvent(
                    external_key=f"import:{values['key']}",
                    kind=values["kind"],
                    title=values["title"],
                    starts_at=starts_at,
                    place=values.get("place"),
                    capacity=None,
                    audience="everyone",
                    run_by_pole=values.get("run_by_pole", True),
                    partner=values.get("partner"),
                    created_by_id=self.actor_id,
                    state="held",
                    seats_taken=0,
                    walk_ins=walk_ins,
                    created_at=self.now,
                    held_at=self.now,
                )
            )
            events.record(
                session,
                events.AGENDA_HELD,
                starts_at,
                actor_id=self.actor_id,
                kind=values["kind"],
                walk_ins=walk_ins,
            )
        await self.keys(session, rows, [None] * len(rows))


ProgressAsync = Callable[[int, int], Awaitable[None]]
ATTEMPTS = 3


class ImportStopped(Exception):
    """Writing failed after `created` rows were committed (a new import finishes the job)."""

    def __init__(self, created: int) -> None:
        super().__init__(f"import stopped after {created} rows")
        self.created = created


async def apply(
    factory: SessionFactory,
    writer: Writer,
    planned: Plan,
    progress: ProgressAsync | None = None,
    batch_rows: int | None = None,
) -> int:
    """Write the planned rows by batches; returns how many were created.

    Each batch re-reads the keys in its own transaction: a row another import took meanwhile
    is skipped, so two imports of one file never create anything twice.
    """
    total = planned.new_count
    done = created = 0
    steps = {
        spec.DOSSIERS.id: writer.dossiers,
        spec.ACCOMPANIMENTS.id: writer.accompaniments,
        spec.MILESTONES.id: writer.milestones,
        spec.WORKSHOPS.id: writer.workshops,
    }
    try:
        for sheet in spec.SHEETS:
            for batch in _chunks(planned.new[sheet.id], batch_rows or BATCH_ROWS):
                created += await _write_batch(factory, steps[sheet.id], batch)
                done += len(batch)
                if progress is not None:
                    await progress(done, total)
                await asyncio.sleep(0)  # others' updates run between two batches
    except Exception as exc:
        raise ImportStopped(created) from exc
    return created


Step = Callable[[AsyncSession, Sequence[ParsedRow]], Awaitable[None]]


async def _write_batch(factory: SessionFactory, step: Step, batch: Sequence[ParsedRow]) -> int:
    """Write one batch with its keys; returns how many rows it created."""
    for attempt in range(ATTEMPTS):
        try:
            async with write_transaction(factory) as session:
                taken = await _existing_keys(session, [r.key for r in batch])
                fresh = [r for r in batch if r.key not in taken]
                if fresh:
                    await step(session, fresh)
            return len(fresh)
        except IntegrityError:
            # A reference or a key taken meanwhile by another writer: read again.
            if attempt == ATTEMPTS - 1:
                raise
    return 0


# --- The template ---------------------------------------------------------------------------


def template_workbook(labels: ImportLabels, notes_title: str, notes_header: Sequence[str]) -> bytes:
    """The empty template: one sheet per kind of rows, then the notes sheet explaining each
    column (``notes_header``: the notes sheet's column titles)."""
    workbook = openpyxl.Workbook(write_only=True)
    for sheet in spec.SHEETS:
        worksheet = workbook.create_sheet(labels.sheets[sheet.id])
        worksheet.append([labels.columns[sheet.id][c.id] for c in sheet.columns])
    notes = workbook.create_sheet(notes_title)
    notes.append(list(notes_header))
    for sheet in spec.SHEETS:
        for column in sheet.columns:
            notes.append(
                [
                    labels.sheets[sheet.id],
                    labels.columns[sheet.id][column.id],
                    labels.notes[sheet.id][column.id],
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
