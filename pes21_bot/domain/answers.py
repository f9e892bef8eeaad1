"""Facts drawn from intake answers (the question types and their parsing are in fields.py)."""

from __future__ import annotations


def in_cote_dor(postal_code: str | None) -> bool | None:
    """Côte-d'Or postal codes are 21xxx."""
    if not postal_code:
        return None
    return postal_code.startswith("21")
