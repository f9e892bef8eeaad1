"""The /import file: its sheets and columns, how each cell is read, and each row's stable key.

Pure: no database, no Telegram, no file. Headers, sheet titles and notes are French texts of
contenus/import.yaml (keys built from the ids below); a file's header matches a column when
both fold to the same slug, or when it is the column's id.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from pes21_bot.domain.french_format import slug
from pes21_bot.domain.periods import MIN_YEAR, parse_day

CellKind = Literal["text", "date", "int", "choice", "yesno"]
# Why a cell or a row is refused; contenus/import.yaml words each one (imports.errors.<code>).
ERROR_CODES = (
    "required",
    "not_date",
    "date_range",
    "not_int",
    "negative",
    "unknown_choice",
    "too_long",
    "formula",
    "duplicate_key",
    "unknown_dossier",
    "ended_before_start",
    "end_required",
    "partner_required",
)
MAX_JOBS = 100_000


@dataclass(frozen=True)
class Column:
    """A column of a sheet; ``identity`` columns make the row's key when there is no key column."""

    id: str
    kind: CellKind = "text"
    required: bool = False
    max_length: int = 200
    identity: bool = False
    choices: str | None = None  # the list of choices (ImportChoices) for kind "choice"


@dataclass(frozen=True)
class Sheet:
    """One kind of rows of the file."""

    id: str
    columns: tuple[Column, ...]

    @property
    def has_key_column(self) -> bool:
        """Rows carry their own key (a "key" column) rather than a hash of their identity."""
        return any(c.id == "key" for c in self.columns)

    def column(self, column_id: str) -> Column:
        """The column with this id."""
        return next(c for c in self.columns if c.id == column_id)


DOSSIERS = Sheet(
    "dossiers",
    (
        Column("key", required=True, max_length=60, identity=True),
        Column("programme", "choice", required=True, choices="programmes"),
        Column("first_contact", "date", required=True),
        Column("name", max_length=200),
        Column("commune", max_length=120),
        Column("postal_code", max_length=10),
        Column("sector", max_length=60),
        Column("source", max_length=64),
    ),
)
ACCOMPANIMENTS = Sheet(
    "accompaniments",
    (
        Column("dossier", required=True, max_length=60, identity=True),
        Column("started_on", "date", required=True, identity=True),
        Column("ended_on", "date"),
        Column("outcome", "choice", choices="outcomes"),
        Column("legal_form", "choice", choices="legal_forms"),
        Column("structure_name", max_length=200),
        Column("created_on", "date"),
        Column("jobs", "int"),
        Column("contract", "choice", choices="contracts"),
    ),
)
MILESTONES = Sheet(
    "milestones",
    (
        Column("dossier", required=True, max_length=60, identity=True),
        Column("milestone", "choice", required=True, identity=True, choices="milestones"),
        Column("on", "date", required=True, identity=True),
        Column("jobs_consolidated", "int"),
        Column("action", max_length=100, identity=True),
    ),
)
WORKSHOPS = Sheet(
    "workshops",
    (
        Column("key", required=True, max_length=60, identity=True),
        Column("kind", "choice", required=True, choices="event_kinds"),
        Column("title", required=True, max_length=200),
        Column("date", "date", required=True),
        Column("partner", max_length=120),
        Column("run_by_pole", "yesno"),
        Column("participants", "int"),
        Column("place", max_length=300),
    ),
)
SHEETS = (DOSSIERS, ACCOMPANIMENTS, MILESTONES, WORKSHOPS)
SHEETS_BY_ID = {s.id: s for s in SHEETS}
# Sheets whose rows point at a dossier (of the file, or already in the bot) by its key.
DOSSIER_COLUMN = "dossier"
# contenus/ lists of other words accepted per choice list: import_synonyms_<list>.
SYNONYMS_PREFIX = "import_synonyms_"
YES_WORDS = frozenset({"oui", "o", "yes", "vrai", "true", "1", "x"})
NO_WORDS = frozenset({"non", "n", "no", "faux", "false", "0"})


@dataclass(frozen=True)
class RowError:
    """Something wrong in the file: sheet, line (1 = header), column id, code, the cell's text."""

    sheet: str
    line: int
    column: str | None
    code: str
    value: str = ""


@dataclass(slots=True)
class ParsedRow:
    """A row whose cells were all read: values by column id, and its stable key."""

    sheet: str
    line: int
    key: str
    values: dict[str, Any] = field(default_factory=dict)


# For each choice list (Column.choices): the folded labels and codes accepted, to the code.
ImportChoices = Mapping[str, Mapping[str, str]]


def choice_index(
    codes_to_labels: Mapping[str, str], synonyms: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Codes, French labels and other words (word -> code), folded to slugs, to each code.

    A synonym of a code the list does not have is left out; a label or a code always wins
    over a synonym spelled the same.
    """
    index: dict[str, str] = {}
    for word, code in (synonyms or {}).items():
        if code in codes_to_labels:
            index[slug(str(word))] = code
    for code, label in codes_to_labels.items():
        index[slug(code)] = code
        index[slug(str(label))] = code
    return index


def match_headers(
    sheet: Sheet, header: Sequence[Any], labels: Mapping[str, str]
) -> tuple[dict[int, str], list[str]]:
    """Which column id each position holds, and the required column ids missing."""
    wanted: dict[str, str] = {}
    for column in sheet.columns:
        wanted[slug(column.id)] = column.id
        if column.id in labels:
            wanted[slug(labels[column.id])] = column.id
    positions: dict[int, str] = {}
    for index, cell in enumerate(header):
        if cell is None:
            continue
        found = wanted.get(slug(str(cell)))
        if found is not None and found not in positions.values():
            positions[index] = found
    missing = [c.id for c in sheet.columns if c.required and c.id not in positions.values()]
    return positions, missing


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime | date):
        return raw.strftime("%d/%m/%Y")
    return str(raw).strip()


def read_cell(
    column: Column, raw: Any, choices: ImportChoices, today: date
) -> tuple[Any, str | None]:
    """The value of a cell (None when empty) and the code of what is wrong with it, if any."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "required" if column.required else None
    if column.kind == "date":
        return _read_date(raw, today)
    if column.kind == "int":
        return _read_int(raw)
    text = _text(raw)
    if column.kind == "yesno":
        folded = slug(text)
        if folded in YES_WORDS or folded in NO_WORDS:
            return folded in YES_WORDS, None
        return None, "unknown_choice"
    if column.kind == "choice":
        code = choices.get(column.choices or "", {}).get(slug(text))
        return (code, None) if code is not None else (None, "unknown_choice")
    if len(text) > column.max_length:
        return None, "too_long"
    return text, None


def _read_date(raw: Any, today: date) -> tuple[date | None, str | None]:
    if isinstance(raw, datetime):
        day: date | None = raw.date()
    elif isinstance(raw, date):
        day = raw
    elif isinstance(raw, str):
        day = parse_day(raw.strip().split(" ")[0])
    else:
        day = None
    if day is None:
        return None, "not_date"
    if day.year < MIN_YEAR or day > today:
        return None, "date_range"
    return day, None


# ASCII digits only ("²".isdigit() is true but int() refuses it), and short enough for int().
WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")
NEGATIVE_NUMBER = re.compile(r"-[0-9]{1,18}")


def _read_int(raw: Any) -> tuple[int | None, str | None]:
    if isinstance(raw, bool):
        return None, "not_int"
    if isinstance(raw, int):
        number = raw
    elif isinstance(raw, float) and raw.is_integer():
        number = int(raw)
    elif isinstance(raw, str) and WHOLE_NUMBER.fullmatch(raw.strip()):
        number = int(raw.strip())
    elif isinstance(raw, str) and NEGATIVE_NUMBER.fullmatch(raw.strip()):
        return None, "negative"
    else:
        return None, "not_int"
    if number < 0:
        return None, "negative"
    if number > MAX_JOBS:
        return None, "not_int"
    return number, None


def row_key(sheet: Sheet, values: Mapping[str, Any]) -> str:
    """The row's stable key: its own key column, else a hash of its identifying columns."""
    if sheet.has_key_column:
        return f"{sheet.id}:{values['key']}"
    parts = [sheet.id]
    for column in sheet.columns:
        if column.identity:
            value = values.get(column.id)
            parts.append("" if value is None else slug(str(value)) or str(value))
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:40]
    return f"{sheet.id}:{digest}"


def dossier_key(value: str) -> str:
    """The stored key of a dossier row with this key column."""
    return f"{DOSSIERS.id}:{value}"


def check_row(sheet: Sheet, line: int, values: Mapping[str, Any]) -> list[RowError]:
    """What is wrong with a row whose cells are each right (dates in order, and so on)."""
    errors: list[RowError] = []
    if sheet is ACCOMPANIMENTS:
        started, ended = values.get("started_on"), values.get("ended_on")
        if started is not None and ended is not None and ended < started:
            errors.append(RowError(sheet.id, line, "ended_on", "ended_before_start"))
        needs_end = values.get("outcome") or values.get("jobs") or values.get("created_on")
        if needs_end and ended is None:
            errors.append(RowError(sheet.id, line, "ended_on", "end_required"))
    if sheet is WORKSHOPS and values.get("kind") == "formation" and not values.get("partner"):
        errors.append(RowError(sheet.id, line, "partner", "partner_required"))
    return errors


def read_row(
    sheet: Sheet,
    line: int,
    cells: Sequence[Any],
    positions: Mapping[int, str],
    choices: ImportChoices,
    today: date,
    formulas: frozenset[int] = frozenset(),
) -> ParsedRow | list[RowError]:
    """A data row read, or everything wrong with it (``formulas``: positions holding one)."""
    raw_by_id: dict[str, Any] = {}
    errors: list[RowError] = []
    for index, column_id in positions.items():
        raw = cells[index] if index < len(cells) else None
        if index in formulas:
            errors.append(RowError(sheet.id, line, column_id, "formula", _text(raw)[:40]))
            continue
        raw_by_id[column_id] = raw
    values: dict[str, Any] = {}
    for column in sheet.columns:
        if column.id not in positions.values():
            continue
        if any(e.column == column.id for e in errors):
            continue
        raw = raw_by_id.get(column.id)
        value, problem = read_cell(column, raw, choices, today)
        if problem is not None:
            shown = "" if raw is None else _text(raw)[:40]
            errors.append(RowError(sheet.id, line, column.id, problem, shown))
        elif value is not None:
            values[column.id] = value
    if errors:
        return errors
    problems = check_row(sheet, line, values)
    if problems:
        return problems
    return ParsedRow(sheet.id, line, row_key(sheet, values), values)


def is_blank(cells: Sequence[Any]) -> bool:
    """A row with nothing in it (spreadsheets keep formatted empty rows)."""
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)
