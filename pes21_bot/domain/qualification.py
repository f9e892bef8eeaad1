"""Maturity score of a project idea: explainable rules, one line each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pes21_bot.config import Qualification

Answers = dict[str, Any]

# Question ids and values of the idea questionnaire that these rules read.
IDEA_FIELDS: dict[str, tuple[str, ...]] = {
    "stage": ("idea", "structuring", "created"),
    "team_size": (),
    "legal_form": ("dont_know",),
    "jobs": (),
    "time": ("full_time", "part_time"),
    "idea": (),
    "needs": (),
}


def _int(answers: Answers, key: str) -> int:
    value = answers.get(key)
    return value if isinstance(value, int) else 0


def _rules(settings: Qualification) -> dict[str, Callable[[Answers], bool]]:
    return {
        "stage_structuring": lambda a: a.get("stage") == "structuring",
        "stage_created": lambda a: a.get("stage") == "created",
        "team": lambda a: _int(a, "team_size") >= 2,
        "legal_form_chosen": lambda a: a.get("legal_form") not in (None, "dont_know"),
        "jobs_targeted": lambda a: _int(a, "jobs") >= 1,
        "time_full": lambda a: a.get("time") == "full_time",
        "time_part": lambda a: a.get("time") == "part_time",
        "idea_detailed": lambda a: len(str(a.get("idea") or "")) >= settings.idea_detailed_length,
        "needs_focused": lambda a: 0 < len(a.get("needs") or []) <= settings.needs_focused_max,
    }


@dataclass(frozen=True)
class Maturity:
    """The score, whether it reaches the threshold, and the criteria that fired."""

    score: int
    mature: bool
    criteria: list[str]


def score_idea(answers: Answers, settings: Qualification) -> Maturity:
    """Add the weight of every criterion the answers meet."""
    fired = [name for name, rule in _rules(settings).items() if rule(answers)]
    fired = [name for name in fired if settings.weights.get(name, 0)]
    score = sum(settings.weights[name] for name in fired)
    return Maturity(score, score >= settings.mature_threshold, fired)
