"""Facts drawn from intake answers (the question types and their parsing are in fields.py)."""

from __future__ import annotations

from pes21_bot.domain.territory import in_home_department


def in_cote_dor(postal_code: str | None) -> bool | None:
    """Côte-d'Or postal codes are 21xxx."""
    return in_home_department(postal_code)
