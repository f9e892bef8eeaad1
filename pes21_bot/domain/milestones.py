"""Milestone ids carried by `milestone` events ({milestone, on, jobs_consolidated?, action?}).

The accompaniment feature records them; the DLA figures of the report count them.
"""

from __future__ import annotations

DLA_WELCOMED = "dla_welcomed"
DLA_DIAGNOSTIC = "dla_diagnostic"
DLA_INDIVIDUAL_ENGINEERING = "dla_individual_engineering"
DLA_COLLECTIVE_ENGINEERING = "dla_collective_engineering"
DLA_FOLLOW_UP = "dla_follow_up"
DLA_MILESTONES = (
    DLA_WELCOMED,
    DLA_DIAGNOSTIC,
    DLA_INDIVIDUAL_ENGINEERING,
    DLA_COLLECTIVE_ENGINEERING,
    DLA_FOLLOW_UP,
)
DLA_ENGINEERING = (DLA_INDIVIDUAL_ENGINEERING, DLA_COLLECTIVE_ENGINEERING)
# A structure "benefits" from the DLA when it takes part in an engineering (either kind) or
# is followed after one: the published reports count 41 = 13 + 16 + 12 that way.
DLA_BENEFITS = (*DLA_ENGINEERING, DLA_FOLLOW_UP)
