"""/import: read a filled template (XLSX or CSV), plan it against the database, write it.

Reading is synchronous and meant for a worker thread (openpyxl in read-only mode streams the
rows); a file beyond config.yaml's bounds (rows, unpacked parts) is refused before its rows are
read, and neither the dry run nor the import keeps more than keys and one batch in memory.
Planning says which rows are new, which were imported before (their stable key is in
`imported_rows`) and what is wrong; writing goes by batches, each in its own transaction with
the keys of its rows, so an import stopped halfway is finished by importing the file again.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import re
import zipfile
from collections.abc import Awaitable, Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path
from typing import Any, NamedTuple, cast
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import DATA_TAG as _DATA_TAG
from openpyxl.worksheet._reader import DIMENSION_TAG as _DIMENSION_TAG
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.functions import iterparse
from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.db.models import Accompaniment, AgendaEvent, ImportedRow, Project
from pes21_bot.db.session import SessionFactory, write_transaction
from pes21_bot.domain import imports as spec
from pes21_bot.domain.answers import name_answer
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


@dataclass(frozen=True)
class Limits:
    """How big a file may be (config.yaml, imports): rows, and unpacked XLSX parts."""

    max_rows: int = 200_000
    max_sheet_bytes: int = 100 * 1024 * 1024
    max_table_bytes: int = 20 * 1024 * 1024


def limits_of(config: Config) -> Limits:
    """The bounds of config.yaml's imports section."""
    settings = config.imports
    mb = 1024 * 1024
    return Limits(settings.max_rows, settings.max_sheet_mb * mb, settings.max_table_mb * mb)


class FileTooBig(FileUnreadable):
    """A file beyond one of the bounds; `limit` is the bound passed."""

    def __init__(self, reason: str, limit: int) -> None:
        super().__init__(reason)
        self.limit = limit  # rows ("too_many_rows") or bytes ("sheet_too_big", "table_too_big")


class RowRef(NamedTuple):
    """What the dry run keeps of a good row: its line, its key and the dossier it names."""

    line: int
    key: str
    dossier: str | None  # a dossier row's own key, or the dossier another row points at


@dataclass
class ParsedFile:
    """Every row of the file read: the good ones by sheet (as RowRef), and what is wrong.

    Only keys are kept, not values: memory stays small however many rows are read; the import
    reads the file again, batch by batch.
    """

    rows: dict[str, list[RowRef]] = field(default_factory=lambda: {s.id: [] for s in spec.SHEETS})
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
Cells = tuple[list[Any], frozenset[int]]  # a row's values and the positions holding a formula
# One row of the file read: its sheet, and the row or what is wrong with it.
ReadRow = tuple[Sheet, ParsedRow | list[RowError]]


def read_file(
    path: Path,
    kind: str,
    labels: ImportLabels,
    today: date,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> ParsedFile:
    """Read an uploaded XLSX or CSV file for the dry run; FileUnreadable when it is no template."""
    parsed = ParsedFile()
    for sheet, result in file_rows(path, kind, labels, today, limits or Limits()):
        parsed.lines += 1
        if progress is not None and parsed.lines % BATCH_ROWS == 0:
            progress(parsed.lines)
        if isinstance(result, list):
            parsed.add_errors(result)
            continue
        values = result.values
        dossier = values.get("key") if sheet is spec.DOSSIERS else values.get(spec.DOSSIER_COLUMN)
        parsed.rows[sheet.id].append(RowRef(result.line, result.key, dossier))
    return parsed


def batches(
    path: Path, kind: str, labels: ImportLabels, today: date, limits: Limits, size: int
) -> Generator[tuple[Sheet, list[ParsedRow]], None, None]:
    """The file's good rows by batches of one sheet, sheets in the template's order (dossiers
    first: other sheets point at them). Each `next` runs in a worker thread; memory holds one
    batch."""
    batch: list[ParsedRow] = []
    current: Sheet | None = None
    for sheet, result in file_rows(path, kind, labels, today, limits):
        if isinstance(result, list):
            continue
        if batch and (sheet is not current or len(batch) >= size):
            assert current is not None
            yield current, batch
            batch = []
        current = sheet
        batch.append(result)
    if batch and current is not None:
        yield current, batch


def file_rows(
    path: Path, kind: str, labels: ImportLabels, today: date, limits: Limits
) -> Iterator[ReadRow]:
    """Every data row of the file, read one at a time, sheets in the template's order."""
    if kind == "xlsx":
        return _workbook_rows(path, labels, today, limits)
    return _csv_rows(path, labels, today, limits)


class _RowCounter:
    """Counts data rows over the whole file; past the limit, the file is refused."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    def add(self) -> None:
        self.count += 1
        if self.count > self.limit:
            raise FileTooBig("too_many_rows", self.limit)


def _sheet_rows(
    sheet: Sheet,
    rows: Iterator[Cells],
    labels: ImportLabels,
    today: date,
    counter: _RowCounter,
) -> Iterator[ReadRow]:
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
        counter.add()
        result = spec.read_row(sheet, line, cells, positions, labels.choices, today, formulas)
        if isinstance(result, list):
            yield sheet, result
            continue
        if result.key in seen:
            column = "key" if sheet.has_key_column else None
            yield sheet, [RowError(sheet.id, line, column, "duplicate_key", str(seen[result.key]))]
            continue
        seen[result.key] = line
        yield sheet, result


def _sheet_for_title(title: str, labels: ImportLabels) -> Sheet | None:
    folded = slug(title)
    for sheet in spec.SHEETS:
        if folded in (slug(sheet.id), slug(labels.sheets[sheet.id])):
            return sheet
    return None


def _worksheet_cells(worksheet: Any) -> Iterator[Cells]:
    for row in worksheet.iter_rows():
        values = [getattr(cell, "value", None) for cell in row]
        formulas = frozenset(
            i for i, cell in enumerate(row) if getattr(cell, "data_type", None) == "f"
        )
        yield values, formulas


def _declared_size(worksheet: Any) -> None:
    """A read-only worksheet's declared size, reading no further than the start of its rows.

    openpyxl's own `_get_size` looks for <dimension> until the *end* of <sheetData>: a sheet
    without one (allowed; some programs omit it) is then parsed whole, its rows kept as empty
    elements, when the workbook is opened: 100 MB of memory for a million rows, whatever the
    row limit. Stopping at the *start* of <sheetData> reads only the sheet's header.
    """
    source = worksheet._get_source()
    try:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == _DIMENSION_TAG:
                try:
                    bounds = SheetDimension.from_tree(element).boundaries
                except (TypeError, ValueError):
                    return  # unreadable: the rows are counted as they are read
                min_column, min_row, max_column, max_row = bounds
                worksheet._min_column, worksheet._min_row = min_column, min_row
                worksheet._max_column, worksheet._max_row = max_column, max_row
                return
            if element.tag == _DATA_TAG:
                return
    finally:
        source.close()


ReadOnlyWorksheet._get_size = _declared_size


# Parts of a workbook openpyxl reads as a stream (rows one at a time); every other part it
# reads whole into memory, the shared-strings table first.
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def check_parts(path: Path, limits: Limits) -> None:
    """Refuse, before anything is unpacked, a workbook a part of which unpacks beyond its bound.

    Python's zipfile never unpacks more than an entry's declared size, so the declared sizes
    are a bound that holds.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileUnreadable("unreadable") from None
    for entry in entries:
        if _SHEET_PART.match(entry.filename):
            if entry.file_size > limits.max_sheet_bytes:
                raise FileTooBig("sheet_too_big", limits.max_sheet_bytes)
        elif entry.file_size > limits.max_table_bytes:
            raise FileTooBig("table_too_big", limits.max_table_bytes)


def _workbook_rows(
    path: Path, labels: ImportLabels, today: date, limits: Limits
) -> Iterator[ReadRow]:
    check_parts(path, limits)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ParseError, OSError, ValueError):
        raise FileUnreadable("unreadable") from None
    counter = _RowCounter(limits.max_rows)
    try:
        by_sheet: dict[str, Any] = {}
        for worksheet in workbook.worksheets:
            sheet = _sheet_for_title(worksheet.title, labels)
            if sheet is not None and sheet.id not in by_sheet:
                by_sheet[sheet.id] = worksheet  # others: the notes sheet, or the admin's own
        if not by_sheet:
            raise FileUnreadable("no_sheet")
        # The sheets' own dimensions, when written, refuse a file far too long at once.
        declared = sum(max((ws.max_row or 1) - 1, 0) for ws in by_sheet.values())
        if declared > limits.max_rows:
            raise FileTooBig("too_many_rows", limits.max_rows)
        for sheet in spec.SHEETS:
            worksheet = by_sheet.get(sheet.id)
            if worksheet is not None:
                yield from _sheet_rows(sheet, _worksheet_cells(worksheet), labels, today, counter)
    except (zipfile.BadZipFile, KeyError, ParseError, ValueError, TypeError):
        raise FileUnreadable("unreadable") from None
    finally:
        workbook.close()


# Byte order marks: Excel's "Texte Unicode" is UTF-16 with one; "CSV UTF-8" has UTF-8's.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHUNK = 1024 * 1024


def _encoding_of(path: Path) -> str:
    """The file's encoding: its byte order mark, else UTF-8 when every byte decodes, else
    Windows' cp1252 (Excel's default); checked by chunks, never the whole file at once."""
    with path.open("rb") as source:
        start = source.read(4)
        for bom, encoding in _BOMS:
            if start.startswith(bom):
                return encoding
        source.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := source.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return TEXT_ENCODINGS[-1]
    return "utf-8"


def _csv_rows(path: Path, labels: ImportLabels, today: date, limits: Limits) -> Iterator[ReadRow]:
    encoding = _encoding_of(path)
    try:
        with path.open(encoding=encoding, newline="") as text:
            first = text.readline()
            text.seek(0)
            delimiter = max((";", ",", "\t"), key=first.count)
            reader = csv.reader(text, delimiter=delimiter)
            try:
                header = next(reader)
            except StopIteration:
                raise FileUnreadable("unreadable") from None
            # A CSV file holds one sheet: the one whose required columns its header names.
            sheet = next(
                (
                    s
                    for s in spec.SHEETS
                    if not spec.match_headers(s, header, labels.columns[s.id])[1]
                ),
                None,
            )
            if sheet is None:
                raise FileUnreadable("no_sheet")

            def rows() -> Iterator[Cells]:
                yield list(header), frozenset()
                for row in reader:
                    # A spreadsheet's formula survives in a CSV only as text starting with "=".
                    formulas = frozenset(i for i, c in enumerate(row) if c.startswith("="))
                    yield list(row), formulas

            counter = _RowCounter(limits.max_rows)
            yield from _sheet_rows(sheet, rows(), labels, today, counter)
    except (csv.Error, UnicodeDecodeError):
        raise FileUnreadable("unreadable") from None


# --- Planning ---------------------------------------------------------------------------------


@dataclass
class Plan:
    """What importing the file would do."""

    new: dict[str, list[RowRef]]
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
    new: dict[str, list[RowRef]] = {}
    duplicates: dict[str, int] = {}
    file_dossiers = {r.dossier for r in parsed.rows[spec.DOSSIERS.id] if r.dossier is not None}
    named = {
        r.dossier
        for sheet in (spec.ACCOMPANIMENTS, spec.MILESTONES)
        for r in parsed.rows[sheet.id]
        if r.dossier is not None
    }
    known = set(await dossier_ids(session, named - file_dossiers)) | file_dossiers
    for sheet in spec.SHEETS:
        rows = parsed.rows[sheet.id]
        existing = await _existing_keys(session, [r.key for r in rows])
        kept: list[RowRef] = []
        for row in rows:
            if row.key in existing:
                duplicates[sheet.id] = duplicates.get(sheet.id, 0) + 1
                continue
            dossier = row.dossier if sheet is not spec.DOSSIERS else None
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
                answers[name_answer(path)] = values["name"]
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
# The next batch of the file's rows (read in a worker thread), or None at the end.
NextBatch = Callable[[], Awaitable[tuple[Sheet, Sequence[ParsedRow]] | None]]
ATTEMPTS = 3


class ImportStopped(Exception):
    """Writing failed after `created` rows were committed (a new import finishes the job)."""

    def __init__(self, created: int) -> None:
        super().__init__(f"import stopped after {created} rows")
        self.created = created


class ImportCancelled(ImportStopped):
    """The import was asked to stop (its button, or the bot stopping) between two batches."""


async def apply(
    factory: SessionFactory,
    writer: Writer,
    total: int,
    next_batch: NextBatch,
    progress: ProgressAsync | None = None,
    stop: Callable[[], bool] | None = None,
) -> int:
    """Write the file's rows by batches as they are read; returns how many were created.

    Each batch is one transaction with its rows' keys (a checkpoint): it re-reads the keys, so
    a row imported before, or by another import meanwhile, is skipped and nothing is created
    twice. `stop` is asked between batches; when it says so, ImportCancelled is raised with
    the rows created so far, all committed.
    """
    done = created = 0
    steps = {
        spec.DOSSIERS.id: writer.dossiers,
        spec.ACCOMPANIMENTS.id: writer.accompaniments,
        spec.MILESTONES.id: writer.milestones,
        spec.WORKSHOPS.id: writer.workshops,
    }
    while True:
        if stop is not None and stop():
            raise ImportCancelled(created)
        try:
            batch = await next_batch()
            if batch is None:
                return created
            sheet, rows = batch
            written = await _write_batch(factory, steps[sheet.id], rows)
        except Exception as exc:
            raise ImportStopped(created) from exc
        created += written
        done += written
        if progress is not None and written:
            await progress(done, total)
        await asyncio.sleep(0)  # others' updates run between two batches


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
