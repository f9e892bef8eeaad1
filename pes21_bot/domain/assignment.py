"""Who does a post-accompaniment review: the least loaded available volunteer."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

REVIEW_MISSION = "reviews"
WELCOMING_MISSION = "welcoming"
CO_ACCOMPANIMENT_MISSION = "co_accompaniment"


@dataclass(frozen=True)
class Candidate:
    """A volunteer as the choice sees them."""

    person_id: int
    missions: frozenset[str]
    paused_until: date | None
    reachable: bool
    open_reviews: int


def is_available(candidate: Candidate, mission: str, today: date) -> bool:
    """Has the mission, is reachable and not on pause today."""
    paused = candidate.paused_until is not None and candidate.paused_until >= today
    return mission in candidate.missions and candidate.reachable and not paused


def choose_volunteer(
    candidates: Sequence[Candidate],
    today: date,
    mission: str = REVIEW_MISSION,
    excluded: Collection[int] = (),
) -> int | None:
    """The available volunteer with the fewest open reviews (earliest enrolled on a tie)."""
    available = [
        c for c in candidates if c.person_id not in excluded and is_available(c, mission, today)
    ]
    if not available:
        return None
    return min(available, key=lambda c: (c.open_reviews, c.person_id)).person_id
