"""Figures of the holder's follow-up: claims within the announced delay, the first answer sent
through the bot, the satisfaction survey (defined in docs/indicateurs.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

RATINGS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class DelayFigures:
    """Dossiers of one programme whose announced delay is over or who were claimed."""

    known: int = 0  # claimed, or still unclaimed once the delay passed
    within: int = 0  # claimed by the announced working day


@dataclass(frozen=True)
class SurveyFigures:
    """The satisfaction answers of one programme."""

    distribution: dict[int, int] = field(default_factory=dict)  # rating -> answers
    recommend_yes: int = 0
    recommend_answers: int = 0

    @property
    def answers(self) -> int:
        """Surveys answered (each has a rating)."""
        return sum(self.distribution.values())

    @property
    def average(self) -> float | None:
        """The mean rating, None without answers."""
        if not self.answers:
            return None
        return sum(r * n for r, n in self.distribution.items()) / self.answers


@dataclass(frozen=True)
class FollowUpFigures:
    """Per programme: delays kept, median hours to the first answer, survey answers."""

    delays: dict[str, DelayFigures] = field(default_factory=dict)
    first_answer_hours: dict[str, float] = field(default_factory=dict)  # "*": all programmes
    surveys: dict[str, SurveyFigures] = field(default_factory=dict)
