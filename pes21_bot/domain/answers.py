"""Validation of one intake answer against its question type."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pes21_bot.content import Question
from pes21_bot.domain.territory import in_home_department

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[a-zA-Z]{2,24}$")
FRENCH_PHONE_RE = re.compile(r"^(?:\+33|0033|0)([1-9]\d{8})$")
INTERNATIONAL_PHONE_RE = re.compile(r"^\+[1-9]\d{6,14}$")
POSTAL_CODE_RE = re.compile(r"^\d{5}$")
YES = {"oui", "o", "yes", "y", "1"}
NO = {"non", "n", "no", "0"}


@dataclass(frozen=True)
class Bounds:
    """Length limits that come from config.yaml."""

    text_max: int
    long_min: int
    long_max: int


@dataclass(frozen=True)
class Invalid:
    """Why an answer was refused: an error code and its parameters for the French text."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold().strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise_phone(raw: str) -> str | None:
    """Return a phone number as +33XXXXXXXXX (or +international), or None if it is not one."""
    compact = re.sub(r"[\s.\-()/]", "", raw)
    french = FRENCH_PHONE_RE.match(compact)
    if french:
        return f"+33{french.group(1)}"
    if INTERNATIONAL_PHONE_RE.match(compact):
        return compact
    return None


def match_choice(question: Question, raw: str) -> str | None:
    """Find the choice a typed answer designates: its number in the list or its label."""
    folded = _fold(raw)
    values = list(question.choices)
    if folded.isdigit() and 1 <= int(folded) <= len(values):
        return values[int(folded) - 1]
    for value, label in question.choices.items():
        if folded in (_fold(label), _fold(value)):
            return value
    return None


def parse_text_answer(question: Question, raw: str, bounds: Bounds) -> Any | Invalid:
    """Turn typed text into the stored value for this question, or say why it is refused."""
    text = raw.strip()
    if not text:
        return Invalid("empty")
    kind = question.type
    if kind == "text":
        limit = question.max or bounds.text_max
        return Invalid("too_long", {"max": limit}) if len(text) > limit else text
    if kind == "long_text":
        if len(text) < bounds.long_min:
            return Invalid("too_short", {"min": bounds.long_min, "length": len(text)})
        if len(text) > bounds.long_max:
            return Invalid("too_long", {"max": bounds.long_max})
        return text
    if kind == "email":
        return text.lower() if EMAIL_RE.match(text) else Invalid("email")
    if kind == "phone":
        phone = normalise_phone(text)
        return phone if phone else Invalid("phone")
    if kind == "postal_code":
        return text if POSTAL_CODE_RE.match(text) else Invalid("postal_code")
    if kind == "number":
        return _parse_number(question, text)
    if kind == "yes_no":
        folded = _fold(text)
        if folded in YES:
            return "yes"
        if folded in NO:
            return "no"
        return Invalid("yes_no")
    if kind == "choice":
        choice = match_choice(question, text)
        return choice if choice else Invalid("choice")
    # multi_choice is answered with its buttons only
    return Invalid("use_buttons")


def _parse_number(question: Question, text: str) -> int | Invalid:
    compact = text.replace(" ", "").replace("\u202f", "")
    if not re.fullmatch(r"\d{1,7}", compact):
        return Invalid("number")
    value = int(compact)
    low = question.min if question.min is not None else 0
    high = question.max if question.max is not None else 1_000_000
    if not low <= value <= high:
        return Invalid("number_range", {"min": low, "max": high})
    return value


def is_visible(question: Question, answers: dict[str, Any]) -> bool:
    """Whether a conditional question applies given the answers so far."""
    for other, accepted in question.when.items():
        given = answers.get(other)
        if isinstance(given, list):
            if not set(given) & set(accepted):
                return False
        elif given not in accepted:
            return False
    return True


def in_cote_dor(postal_code: str | None) -> bool | None:
    """Côte-d'Or postal codes are 21xxx."""
    return in_home_department(postal_code)
