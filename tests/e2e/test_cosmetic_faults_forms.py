"""Cosmetic faults and double presses on the questionnaire's and the short forms' buttons.

The same press as tests/e2e/test_cosmetic_faults.py (see tests/e2e/cosmetic_helpers.py), for the
intake (welcome draft, consent, answers, recap, cancel) and the short forms (accompaniment,
volunteer profile, review).
"""

from __future__ import annotations

import pytest

from pes21_bot.fake_telegram import FaultKind
from tests.e2e.cosmetic_helpers import Case, press_with_faults
from tests.harness import Harness

FORM_CASES: dict[str, Case] = {}


@pytest.mark.parametrize("kind", ["timeout", "500"])
@pytest.mark.parametrize("case", list(FORM_CASES))
async def test_failed_cosmetics_and_double_press_change_state_once(
    sqlite_bot: Harness, case: str, kind: FaultKind
) -> None:
    await press_with_faults(sqlite_bot, FORM_CASES[case], kind)
