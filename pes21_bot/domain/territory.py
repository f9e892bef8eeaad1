"""Where a French postal code lies: its département, and whether it is the Pôle's (Côte-d'Or)."""

from __future__ import annotations

HOME_DEPARTMENT = "21"


def department_of(postal_code: str | None) -> str | None:
    """The département of a five-digit postal code ("97411" -> "974", "20090" -> "20")."""
    if not postal_code or len(postal_code) != 5 or not postal_code.isdigit():
        return None
    # Overseas départements have three-digit numbers; Corsica (2A, 2B) shares the prefix 20.
    return postal_code[:3] if postal_code.startswith("97") else postal_code[:2]


def in_home_department(postal_code: str | None) -> bool | None:
    """Whether the postal code is in Côte-d'Or; None when there is none."""
    department = department_of(postal_code)
    return None if department is None else department == HOME_DEPARTMENT
