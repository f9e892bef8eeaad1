"""How a median delay reads in /stats: never "0 h" for an answer given within minutes."""

from __future__ import annotations

import pytest

from pes21_bot.content import Content
from pes21_bot.messages.followup import delay_text


@pytest.mark.parametrize(
    ("hours", "shown"),
    [
        (None, "—"),
        (0.02, "moins d'une heure"),
        (0.99, "moins d'une heure"),
        (5.5, "5,5 h"),
        (48.0, "2 jours"),
    ],
)
def test_delay_reads_naturally(content: Content, hours: float | None, shown: str) -> None:
    assert delay_text(content, hours) == shown
