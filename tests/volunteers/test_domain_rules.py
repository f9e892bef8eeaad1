"""Pure rules: quiet hours, months and working days, backoff, weekly slot, lockout, choice."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from pes21_bot.domain.assignment import Candidate, choose_volunteer
from pes21_bot.domain.fields import Invalid, InvalidCode, Rules, Words, parse_answer, parse_hours
from pes21_bot.domain.forms import ACCOMPANIMENT_END, REVIEW
from pes21_bot.domain.scheduling import (
    QuietRules,
    add_months,
    add_working_days,
    backoff,
    easter_sunday,
    is_late,
    is_quiet,
    locked_until,
    next_allowed,
    next_weekly_slot,
    public_holidays,
)

PARIS = ZoneInfo("Europe/Paris")
RULES = QuietRules(time(20, 0), time(8, 30), frozenset({6}), PARIS)


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (paris(2026, 3, 10, 8, 29), True),
        (paris(2026, 3, 10, 8, 30), False),
        (paris(2026, 3, 10, 19, 59), False),
        (paris(2026, 3, 10, 20, 0), True),
        (paris(2026, 3, 10, 23, 30), True),
        (paris(2026, 3, 15, 12, 0), True),  # a Sunday
        (paris(2026, 3, 14, 12, 0), False),  # a Saturday
    ],
)
def test_quiet_hours_and_days(moment: datetime, quiet: bool) -> None:
    assert is_quiet(moment, RULES) is quiet


def test_next_allowed_skips_the_night_and_sunday() -> None:
    assert next_allowed(paris(2026, 3, 10, 21, 0), RULES) == paris(2026, 3, 11, 8, 30)
    assert next_allowed(paris(2026, 3, 11, 6, 0), RULES) == paris(2026, 3, 11, 8, 30)
    # Saturday evening: Sunday is off, so Monday 08:30.
    assert next_allowed(paris(2026, 3, 14, 20, 30), RULES) == paris(2026, 3, 16, 8, 30)
    allowed = paris(2026, 3, 10, 14, 0)
    assert next_allowed(allowed, RULES) == allowed
    assert next_allowed(allowed, RULES).tzinfo is UTC


def test_next_allowed_across_daylight_saving_change() -> None:
    # 29/03/2026: clocks go forward in France; 08:30 local is 06:30 UTC.
    found = next_allowed(paris(2026, 3, 28, 22, 0), RULES)
    assert found == datetime(2026, 3, 30, 6, 30, tzinfo=UTC)


def test_a_quiet_delay_is_not_late_but_downtime_is() -> None:
    due = paris(2026, 3, 10, 22, 0)
    grace = timedelta(minutes=2)
    assert not is_late(due, paris(2026, 3, 11, 8, 31), RULES, grace)
    assert is_late(due, paris(2026, 3, 11, 15, 0), RULES, grace)


def test_add_months_clamps_to_the_end_of_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2026, 3, 10), 12) == date(2027, 3, 10)


def test_working_days_skip_weekends() -> None:
    friday = paris(2026, 3, 13, 10, 0)
    assert add_working_days(friday, 2, PARIS) == paris(2026, 3, 17, 10, 0)
    assert add_working_days(paris(2026, 3, 10, 10, 0), 2, PARIS) == paris(2026, 3, 12, 10, 0)
    # Thursday 30 April 2026: Friday 1 May is a public holiday, so Monday then Tuesday.
    assert add_working_days(paris(2026, 4, 30, 10, 0), 2, PARIS) == paris(2026, 5, 5, 10, 0)
    # Ascension (Thursday 14 May 2026) is skipped too.
    assert add_working_days(paris(2026, 5, 13, 10, 0), 1, PARIS) == paris(2026, 5, 15, 10, 0)


def test_easter_and_public_holidays() -> None:
    assert [easter_sunday(y) for y in (2024, 2025, 2026, 2027, 2038)] == [
        date(2024, 3, 31),
        date(2025, 4, 20),
        date(2026, 4, 5),
        date(2027, 3, 28),
        date(2038, 4, 25),
    ]
    holidays = public_holidays(2026)
    assert len(holidays) == 11
    assert {date(2026, 4, 6), date(2026, 5, 14), date(2026, 5, 25), date(2026, 7, 14)} <= holidays


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert backoff(30) == timedelta(hours=2)


def test_next_weekly_slot_is_strictly_after_now() -> None:
    monday_9 = paris(2026, 3, 9, 9, 0)
    assert next_weekly_slot(paris(2026, 3, 8, 12, 0), 0, time(9), PARIS) == monday_9
    assert next_weekly_slot(monday_9, 0, time(9), PARIS) == monday_9 + timedelta(days=7)


def test_five_wrong_codes_within_an_hour_lock_for_an_hour() -> None:
    start = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    hour = timedelta(hours=1)
    four = [start + timedelta(minutes=i) for i in range(4)]
    assert locked_until(four, 5, hour, hour) is None
    five = [*four, start + timedelta(minutes=30)]
    assert locked_until(five, 5, hour, hour) == start + timedelta(minutes=90)
    spread = [start + timedelta(minutes=20 * i) for i in range(5)]  # 80 minutes apart
    assert locked_until(spread, 5, hour, hour) is None


def test_choice_takes_least_loaded_available_reviewer() -> None:
    today = date(2026, 3, 10)
    candidates = [
        Candidate(1, frozenset({"reviews"}), None, True, 2),
        Candidate(2, frozenset({"reviews"}), date(2026, 4, 1), True, 0),  # paused
        Candidate(3, frozenset({"welcoming"}), None, True, 0),  # not reviewing
        Candidate(4, frozenset({"reviews"}), None, False, 0),  # unreachable
        Candidate(5, frozenset({"reviews"}), date(2026, 3, 9), True, 1),  # pause is over
    ]
    assert choose_volunteer(candidates, today) == 5
    assert choose_volunteer(candidates, today, excluded=[5]) == 1
    assert choose_volunteer(candidates[1:4], today) is None


WORDS = Words(affirmative=["oui"], negative=["non"], numbers={"deux": 2})


def test_form_parsing() -> None:
    today = date(2026, 3, 10)
    rules = Rules(today, 200, 30, 2000, WORDS)

    def parse_typed(question: object, raw: str) -> object:
        return parse_answer(question, raw, rules, {})  # type: ignore[arg-type]

    contact = REVIEW.questions[0]
    assert parse_typed(contact, "08/03/2026") == "2026-03-08"
    assert parse_typed(contact, "8/3") == "2026-03-08"
    assert parse_typed(contact, "31/02/2026") == Invalid(InvalidCode.DATE)
    assert parse_typed(contact, "12/03/2026") == Invalid(InvalidCode.DATE_PAST)
    assert parse_typed(REVIEW.questions[3], "beaucoup") == Invalid(
        InvalidCode.NUMBER, {"min": 0, "max": 500}
    )
    assert parse_typed(REVIEW.questions[3], "deux") == 2
    assert parse_typed(REVIEW.questions[3], "501") == Invalid(
        InvalidCode.NUMBER_RANGE, {"min": 0, "max": 500}
    )
    assert parse_hours("1h30", WORDS) == 1.5
    assert parse_hours("2,5", WORDS) == 2.5
    assert parse_hours("1h75", WORDS) is None
    comment = REVIEW.questions[-1]
    assert parse_typed(comment, "x" * 1001) == Invalid(
        InvalidCode.TOO_LONG, {"max": 1000, "length": 1001}
    )


def test_hidden_answers_are_dropped_when_the_outcome_changes() -> None:
    answers = {
        "outcome": "abandoned",
        "legal_form": "scop",
        "structure_name": "X",
        "jobs_count": 2,
        "jobs_contract": "cdi",
        "ended_on": "2026-03-01",
    }
    assert ACCOMPANIMENT_END.clean(answers) == {"outcome": "abandoned", "ended_on": "2026-03-01"}
