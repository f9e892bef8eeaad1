"""One question model and one registry of question types for every form of the bot.

The intake questionnaires (contenus/questionnaires.yaml) and the forms declared in code (reviews,
accompaniment steps, volunteer profile) share the model, the parsing of typed answers and the
declarative `when` conditions; :mod:`pes21_bot.domain.form_spec` orders the questions of a form.
Adding a question type: one entry in ``TYPES`` here, its buttons in the engine; a new reason to
refuse an answer: one member of ``InvalidCode`` and its text forms.invalid.<code> (formulaires).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from pydantic import Field as Spec

Answers = dict[str, Any]

DATE_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?$")
ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
HOURS_RE = re.compile(r"^(\d{1,3})h(\d{1,2})?$")
CLOCK_RE = re.compile(r"^(\d{1,2})\s*[h:.]\s*(\d{2})?$")
# A number then words without digits: "3", "3 personnes", "12 km", "1,5", "1 200 €".
AMOUNT_RE = re.compile(r"^(\d{1,9}(?:[.,]\d{1,3})?)(\D*)$")
THOUSANDS_RE = re.compile(r"(?<=\d)[\s\u202f\u00a0](?=\d{3}(?!\d))")
POSTAL_CODE_RE = re.compile(r"^\d{5}$")
WORD_RE = re.compile(r"\w+")
# Between the choices typed for a multiple-choice question: "1, 3", "2 et 5", "1;4".
CHOICES_SPLIT_RE = re.compile(r"\s*(?:[,;/+]|\bet\b)\s*")
DEFAULT_REGION = "FR"
DEFAULT_MIN = 0
DEFAULT_MAX = 1_000_000
# A form's buttons carry a question id and a choice value (pes21_bot/buttons.py): at most this
# long, they fit Telegram's 64 bytes of callback data whatever the draft id.
QUESTION_ID_MAX = 20
CHOICE_VALUE_MAX = 20


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AtLeast(_Strict):
    """A `when` condition on a number: shown if that answer is at least `min`."""

    min: float


# A `when` condition: the earlier answer is one of these values (or ticks one), or a number range.
Condition = list[str] | AtLeast


class Question(_Strict):
    """One question of a form, written in contenus/questionnaires.yaml or declared in code.

    YAML questions carry their prompt, label and choices; code questions leave them empty and
    take them from text keys (forms.<kind>.<id>, forms.labels.<id>) and a list of contenus/
    (`choice_list`).
    """

    id: str = Spec(pattern=rf"^[a-z][a-z0-9_]{{0,{QUESTION_ID_MAX - 1}}}$")
    type: str
    prompt: str = Spec(default="", max_length=1000)
    # The prompt when the team fills the questionnaire for someone else (/nouveau_dossier).
    prompt_team: str = Spec(default="", max_length=1000)
    label: str = Spec(default="", max_length=60)
    choices: dict[str, str] = Spec(default_factory=dict)
    choice_list: str | None = None
    optional: bool = False
    min: int | float | None = None
    max: int | float | None = None
    future: bool = False  # dates: strictly after today (a pause) instead of today or before
    # Future dates from today on (an event this evening); its buttons are days, not "until".
    from_today: bool = False
    when: dict[str, Condition] = Spec(default_factory=dict)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in TYPES:
            raise ValueError(f"type inconnu: {value} (possibles : {', '.join(TYPES)})")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Question:
        has_choices = TYPES[self.type].has_choices
        if has_choices and not (self.choices or self.choice_list):
            raise ValueError("une question à choix doit avoir des choix (choices)")
        if not has_choices and self.choices:
            raise ValueError("seules les questions à choix ont des choix (choices)")
        for value, label in self.choices.items():
            if not value.isidentifier() or len(value) > CHOICE_VALUE_MAX:
                raise ValueError(f"identifiant de choix invalide: {value}")
            if not 1 <= len(label) <= 60:
                raise ValueError(f"libellé de choix trop long (60 max): {value}")
        return self


def question(question_id: str, kind: str, **options: Any) -> Question:
    """A question declared in code: ``question("km", "number", max=5000)``."""
    return Question.model_validate({"id": question_id, "type": kind, **options})


class Words(_Strict):
    """Words people type for yes, no and small numbers (contenus/questionnaires.yaml `words`)."""

    affirmative: list[str] = Spec(min_length=1)
    negative: list[str] = Spec(min_length=1)
    numbers: dict[str, int] = Spec(default_factory=dict)


class InvalidCode(StrEnum):
    """Why a parser refuses a typed answer; its French text is the key forms.invalid.<code>."""

    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    EMAIL = "email"
    PHONE = "phone"
    POSTAL_CODE = "postal_code"
    NUMBER = "number"
    NUMBER_RANGE = "number_range"
    DECIMAL = "decimal"
    DATE = "date"
    DATE_PAST = "date_past"
    DATE_FUTURE = "date_future"
    DATE_UPCOMING = "date_upcoming"  # from today on
    DATE_AHEAD = "date_ahead"  # unreadable, where a date ahead is expected
    TIME = "time"
    YES_NO = "yes_no"
    CHOICE = "choice"
    USE_BUTTONS = "use_buttons"
    MULTI_CHOICE = "multi_choice"

    @property
    def params(self) -> frozenset[str]:
        """The placeholders its text receives (the refusal's `params`)."""
        return _INVALID_PARAMS.get(self, frozenset())


_LIMITS = frozenset({"min", "max"})
_INVALID_PARAMS: dict[InvalidCode, frozenset[str]] = {
    InvalidCode.TOO_SHORT: frozenset({"min", "length"}),
    InvalidCode.TOO_LONG: frozenset({"max", "length"}),
    InvalidCode.NUMBER: _LIMITS,
    InvalidCode.NUMBER_RANGE: _LIMITS,
    InvalidCode.DECIMAL: _LIMITS,
    # Refusals of dates ahead show a date that would do.
    InvalidCode.DATE_FUTURE: frozenset({"example"}),
    InvalidCode.DATE_UPCOMING: frozenset({"example"}),
    InvalidCode.DATE_AHEAD: frozenset({"example"}),
}


@dataclass(frozen=True)
class Invalid:
    """Why an answer was refused: a code and the parameters its French text shows."""

    code: InvalidCode
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A parser passing other parameters than the code declares would fail only at render time.
        if set(self.params) != self.code.params:
            raise ValueError(f"{self.code}: parameters {sorted(self.params)}")


@dataclass(frozen=True)
class Rules:
    """What parsing needs besides the question: today, length limits, the words of contenus/."""

    today: date
    text_max: int
    long_min: int
    long_max: int
    words: Words


def fold(value: str) -> str:
    """Lower case without accents, for comparing what people type."""
    decomposed = unicodedata.normalize("NFKD", value.casefold().strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _bound(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def bounds(question: Question) -> dict[str, int | float]:
    """The allowed range of a number question, as the refusal texts show it."""
    low = question.min if question.min is not None else DEFAULT_MIN
    high = question.max if question.max is not None else DEFAULT_MAX
    return {"min": _bound(low), "max": _bound(high)}


def parse_amount(text: str, words: Words) -> float | None:
    """A number as people write it: 3, 1 200, 1,5, "3 personnes", "12 km", "trois"."""
    compact = THOUSANDS_RE.sub("", text.strip())
    match = AMOUNT_RE.match(compact)
    if match:
        return float(match.group(1).replace(",", "."))
    first = fold(compact).split(" ", 1)[0]
    numbers = {fold(word): value for word, value in words.numbers.items()}
    return float(numbers[first]) if first in numbers else None


def parse_hours(text: str, words: Words) -> float | None:
    """Hours as 2, 1,5, 1.5, 1h30, 2 h or "deux heures"."""
    compact = text.strip().lower().replace(" ", "")
    match = HOURS_RE.match(compact)
    if match:
        minutes = int(match.group(2) or 0)
        return None if minutes >= 60 else int(match.group(1)) + round(minutes / 60, 2)
    return parse_amount(text, words)


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


def date_example(question: Question, today: date) -> str:
    """A date the question accepts, as refusals show it (a week ahead for future dates)."""
    day = today + timedelta(days=7) if question.future else today - timedelta(days=7)
    return day.strftime("%d/%m/%Y")


def check_date(question: Question, value: date, today: date) -> Invalid | None:
    """Past dates: today or up to 10 years back; future dates: from tomorrow (from today with
    `from_today`) to 2 years ahead."""
    if question.future:
        first = today if question.from_today else today + timedelta(days=1)
        if value < first or value > today + timedelta(days=730):
            code = InvalidCode.DATE_UPCOMING if question.from_today else InvalidCode.DATE_FUTURE
            return Invalid(code, {"example": date_example(question, today)})
    elif value > today or value < today - timedelta(days=3650):
        return Invalid(InvalidCode.DATE_PAST)
    return None


def date_shortcuts(question: Question, today: date) -> list[date]:
    """Dates offered as buttons: today and yesterday; today, tomorrow and a week ahead
    (`from_today`); or a week, two weeks and a month ahead."""
    if question.future and question.from_today:
        return [today + timedelta(days=n) for n in (0, 1, 7)]
    if question.future:
        return [today + timedelta(days=n) for n in (7, 14, 30)]
    return [today, today - timedelta(days=1)]


def normalise_phone(raw: str) -> str | None:
    """A phone number in E.164 (+33612345678), French by default, or None if it is not one.

    Valid numbers of any country are kept; a French number the library only finds possible (a
    right length, an unassigned range) is kept too, as people know their own number.
    """
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    french = number.country_code == 33 and phonenumbers.is_possible_number(number)
    if not (phonenumbers.is_valid_number(number) or french):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _plain(value: str) -> str:
    """Folded, without emoji or punctuation: a button's label as people retype it."""
    return " ".join(WORD_RE.findall(fold(value)))


def display_phone(stored: str) -> str:
    """A stored number as people write it: "06 12 34 56 78" in France, "+32 470 12 34 56" abroad."""
    try:
        number = phonenumbers.parse(stored, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return stored
    national = number.country_code == 33
    style = phonenumbers.PhoneNumberFormat.NATIONAL if national else None
    return phonenumbers.format_number(number, style or phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def match_choice(choices: Mapping[str, str], raw: str) -> str | None:
    """The choice a typed answer designates: its number in the list or its label."""
    folded = fold(raw)
    values = list(choices)
    if folded.isascii() and folded.isdigit() and 1 <= int(folded) <= len(values):
        return values[int(folded) - 1]
    plain = _plain(raw)
    for value, label in choices.items():
        if folded in (fold(label), fold(value)) or (plain and plain == _plain(label)):
            return value
    # Part of one label ("environnement" for "🌱 Environnement, réemploi"), if only one has it.
    words = set(plain.split())
    if not words or max(len(word) for word in words) < 3:
        return None
    found = [value for value, label in choices.items() if words <= set(_plain(label).split())]
    return found[0] if len(found) == 1 else None


def match_choices(choices: Mapping[str, str], raw: str) -> list[str] | None:
    """The choices a typed answer designates ("1, 3", "2 et 5", "Financement"), in list order."""
    single = match_choice(choices, raw)
    if single is not None:
        return [single]
    parts = [p for p in CHOICES_SPLIT_RE.split(fold(raw)) if p.strip()]
    if len(parts) == 1 and all(token.isdigit() for token in parts[0].split()):
        parts = parts[0].split()  # "1 3": numbers separated by spaces
    found = [match_choice(choices, part) for part in parts]
    if not found or any(value is None for value in found):
        return None
    return [value for value in choices if value in found]


Parser = Callable[[Question, str, Rules, Mapping[str, str]], Any]


def _text(q: Question, text: str, rules: Rules, _c: Mapping[str, str]) -> Any:
    limit = int(q.max) if q.max is not None else rules.text_max
    return (
        Invalid(InvalidCode.TOO_LONG, {"max": limit, "length": len(text)})
        if len(text) > limit
        else text
    )


def _long_text(q: Question, text: str, rules: Rules, _c: Mapping[str, str]) -> Any:
    low = int(q.min) if q.min is not None else rules.long_min
    high = int(q.max) if q.max is not None else rules.long_max
    if len(text) < low:
        return Invalid(InvalidCode.TOO_SHORT, {"min": low, "length": len(text)})
    if len(text) > high:
        return Invalid(InvalidCode.TOO_LONG, {"max": high, "length": len(text)})
    return text


def _number(q: Question, text: str, rules: Rules, _c: Mapping[str, str]) -> Any:
    value = parse_amount(text, rules.words)
    limits = bounds(q)
    if value is None or not value.is_integer():
        return Invalid(InvalidCode.NUMBER, limits)
    if not limits["min"] <= value <= limits["max"]:
        return Invalid(InvalidCode.NUMBER_RANGE, limits)
    return int(value)


def _decimal(q: Question, text: str, rules: Rules, _c: Mapping[str, str]) -> Any:
    value = parse_hours(text, rules.words)
    limits = bounds(q)
    if value is None:
        return Invalid(InvalidCode.DECIMAL, limits)
    if not limits["min"] <= value <= limits["max"]:
        return Invalid(InvalidCode.NUMBER_RANGE, limits)
    return value


def _date(q: Question, text: str, rules: Rules, _c: Mapping[str, str]) -> Any:
    parsed = parse_date(text, rules.today)
    if parsed is None and q.future:
        return Invalid(InvalidCode.DATE_AHEAD, {"example": date_example(q, rules.today)})
    if parsed is None:
        return Invalid(InvalidCode.DATE)
    problem = check_date(q, parsed, rules.today)
    return problem if problem is not None else parsed.isoformat()


def _time(_q: Question, text: str, _r: Rules, _c: Mapping[str, str]) -> Any:
    # A time of day as people write it: 14h, 14h30, 14:30, 9.15; stored as "HH:MM".
    match = CLOCK_RE.match(text.strip().lower())
    if not match:
        return Invalid(InvalidCode.TIME)
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else Invalid(InvalidCode.TIME)


def _email(_q: Question, text: str, _r: Rules, _c: Mapping[str, str]) -> Any:
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return Invalid(InvalidCode.EMAIL)
    return checked.normalized.lower()


def _phone(_q: Question, text: str, _r: Rules, _c: Mapping[str, str]) -> Any:
    return normalise_phone(text) or Invalid(InvalidCode.PHONE)


def _postal_code(_q: Question, text: str, _r: Rules, _c: Mapping[str, str]) -> Any:
    compact = text.replace(" ", "")
    return compact if POSTAL_CODE_RE.match(compact) else Invalid(InvalidCode.POSTAL_CODE)


def _choice(_q: Question, text: str, _r: Rules, choices: Mapping[str, str]) -> Any:
    return match_choice(choices, text) or Invalid(InvalidCode.CHOICE)


def _multi_choice(_q: Question, text: str, _r: Rules, choices: Mapping[str, str]) -> Any:
    return match_choices(choices, text) or Invalid(InvalidCode.MULTI_CHOICE)


def _yes_no(_q: Question, text: str, rules: Rules, _c: Mapping[str, str]) -> Any:
    folded = fold(text)
    if folded in {fold(w) for w in rules.words.affirmative}:
        return "yes"
    if folded in {fold(w) for w in rules.words.negative}:
        return "no"
    return Invalid(InvalidCode.YES_NO)


@dataclass(frozen=True)
class QuestionType:
    """How a type of question reads a typed answer, and what skipping it stores."""

    parse: Parser
    has_choices: bool = False
    skipped: Callable[[], Any] = lambda: None


TYPES: dict[str, QuestionType] = {
    "text": QuestionType(_text),
    "long_text": QuestionType(_long_text),
    "number": QuestionType(_number),
    "decimal": QuestionType(_decimal),
    "date": QuestionType(_date),
    "time": QuestionType(_time),
    "email": QuestionType(_email),
    "phone": QuestionType(_phone),
    "postal_code": QuestionType(_postal_code),
    "choice": QuestionType(_choice, has_choices=True),
    "multi_choice": QuestionType(_multi_choice, has_choices=True, skipped=list),
    "yes_no": QuestionType(_yes_no),
}


def parse_answer(question: Question, raw: str, rules: Rules, choices: Mapping[str, str]) -> Any:
    """Turn typed text into the stored value for this question, or an Invalid saying why not."""
    text = raw.strip()
    if not text:
        return Invalid(InvalidCode.EMPTY)
    return TYPES[question.type].parse(question, text, rules, choices)
