"""Pure rules: answer validation, maturity score, routing, references."""

from __future__ import annotations

from datetime import date

import pytest

from pes21_bot.config import Qualification
from pes21_bot.domain.fields import (
    Invalid,
    InvalidCode,
    Question,
    Rules,
    Words,
    normalise_phone,
    parse_answer,
)
from pes21_bot.domain.form_spec import is_visible
from pes21_bot.domain.qualification import score_idea
from pes21_bot.domain.references import format_reference, parse_reference
from pes21_bot.domain.routing import route

WORDS = Words(affirmative=["oui", "o"], negative=["non", "n"], numbers={"trois": 3})
RULES = Rules(date(2026, 3, 10), text_max=200, long_min=30, long_max=2000, words=WORDS)


def parse_text_answer(question: Question, raw: str, rules: Rules) -> object:
    return parse_answer(question, raw, rules, question.choices)


SETTINGS = Qualification(
    weights={"stage_structuring": 20, "team": 10, "time_full": 20, "jobs_targeted": 10},
    mature_threshold=50,
)


def _q(kind: str, **extra: object) -> Question:
    return Question.model_validate({"id": "q", "type": kind, "prompt": "?", "label": "Q", **extra})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("+3361234567", None),  # 8 digits after +33: the library says it is not possible
        ("0033612345678", "+33612345678"),
        ("+41 79 123 45 67", "+41791234567"),
        ("12345", None),
        ("0012345678", None),
    ],
)
def test_phone_numbers(raw: str, expected: str | None) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("email", "Zoe@Example.org", "zoe@example.org"),
        ("email", "zoe@example", Invalid(InvalidCode.EMAIL)),
        ("postal_code", "21000", "21000"),
        ("postal_code", "2100A", Invalid(InvalidCode.POSTAL_CODE)),
        ("number", "1 200", 1200),
        ("number", "-3", Invalid(InvalidCode.NUMBER, {"min": 0, "max": 1_000_000})),
        ("number", "3 personnes", 3),
        ("number", "12 km", 12),
        ("number", "trois", 3),
        ("number", "1,5", Invalid(InvalidCode.NUMBER, {"min": 0, "max": 1_000_000})),
        ("decimal", "1,5", 1.5),
        ("yes_no", "Oui", "yes"),
        ("yes_no", "peut-être", Invalid(InvalidCode.YES_NO)),
        ("text", "x" * 201, Invalid(InvalidCode.TOO_LONG, {"max": 200, "length": 201})),
        ("long_text", "court", Invalid(InvalidCode.TOO_SHORT, {"min": 30, "length": 5})),
    ],
)
def test_answers(kind: str, raw: str, expected: object) -> None:
    assert parse_text_answer(_q(kind), raw, RULES) == expected


def test_number_bounds_and_choices() -> None:
    assert parse_text_answer(_q("number", min=1, max=5), "9", RULES) == Invalid(
        InvalidCode.NUMBER_RANGE, {"min": 1, "max": 5}
    )
    choice = _q("choice", choices={"scop": "SCOP", "scic": "SCIC"})
    assert parse_text_answer(choice, "2", RULES) == "scic"
    assert parse_text_answer(choice, "scop", RULES) == "scop"
    assert parse_text_answer(choice, "3", RULES) == Invalid(InvalidCode.CHOICE)


def test_conditional_visibility() -> None:
    question = _q("text", when={"stage": ["created"]})
    assert is_visible(question, {"stage": "created"})
    assert not is_visible(question, {"stage": "idea"})
    assert not is_visible(question, {})


def test_score_lists_the_criteria_that_fired() -> None:
    mature = score_idea(
        {"stage": "structuring", "team_size": 3, "time": "full_time", "jobs": 0}, SETTINGS
    )
    assert (mature.score, mature.mature) == (50, True)
    assert mature.criteria == ["stage_structuring", "team", "time_full"]
    early = score_idea({"stage": "idea", "team_size": 1}, SETTINGS)
    assert (early.score, early.mature, early.criteria) == (0, False, [])


def test_routing_table() -> None:
    mature = score_idea({"stage": "structuring", "team_size": 3, "time": "full_time"}, SETTINGS)
    assert route("idea", mature).programme == "benefices_crea"
    early = route("idea", score_idea({}, SETTINGS))
    assert (early.programme, early.suggest_emergence) == ("accueil_amont", True)
    assert route("dla", None).programme == "dla"
    assert route("local_authority", None).programme == "generateur"
    assert route("crdva", None).programme == "crdva"


def test_references() -> None:
    assert format_reference(2026, 42) == "PES-2026-0042"
    assert parse_reference(" pes-2026-0042 ") == (2026, 42)
    assert parse_reference("PES-26-42") is None
