"""Jobs created: lines of a number of jobs, their contract and their working time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CONTRACTS = ("cdi", "cdd", "contrat_aide", "other")
WORKING_TIMES = ("full_time", "part_time")
MORE = "yes"
# A form asks up to this many lines ("1 CDI temps plein, then 2 CDD temps partiel").
MAX_LINES = 3
# Before contract and working time were separate, one "kind" mixed them: part time said
# nothing of the contract, a contract nothing of the time (migration 0011 maps them).
LEGACY_KINDS: dict[str, tuple[str, str | None]] = {
    "cdi": ("cdi", None),
    "cdd": ("cdd", None),
    "contrat_aide": ("contrat_aide", None),
    "part_time": ("other", "part_time"),
}


@dataclass(frozen=True)
class LineIds:
    """The question ids of one line of jobs in a form."""

    count: str
    contract: str
    time: str
    more: str


def line_ids(number: int) -> LineIds:
    """The ids of line `number` (1-based): jobs_count, jobs2_count..."""
    prefix = "jobs" if number == 1 else f"jobs{number}"
    return LineIds(f"{prefix}_count", f"{prefix}_contract", f"{prefix}_time", f"{prefix}_more")


LINES = tuple(line_ids(n) for n in range(1, MAX_LINES + 1))


@dataclass(frozen=True)
class JobLine:
    """A number of jobs with the same contract and working time."""

    count: int
    contract: str | None
    time: str | None


def job_lines(answers: Mapping[str, Any]) -> list[JobLine]:
    """The lines of jobs a form's answers describe (lines without jobs left out)."""
    found = []
    for ids in LINES:
        count = answers.get(ids.count)
        if isinstance(count, int) and not isinstance(count, bool) and count > 0:
            found.append(JobLine(count, answers.get(ids.contract), answers.get(ids.time)))
        if answers.get(ids.more) != MORE:
            break
    return found


def total(lines: list[JobLine]) -> int:
    """Jobs in these lines."""
    return sum(line.count for line in lines)
