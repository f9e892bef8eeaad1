"""French forms of numbers and labels: thousands, decimals, percents, plurals, file names."""

from __future__ import annotations

import re
import unicodedata

NBSP = "\u00a0"


def fr_int(value: int) -> str:
    """1234 -> '1 234' (no-break space between thousands)."""
    return f"{value:,}".replace(",", NBSP).replace("-", "−")


def fr_decimal(value: float, digits: int = 1) -> str:
    """12.5 -> '12,5', 1234.0 -> '1 234' (decimals only when there are some)."""
    rounded = round(value, digits)
    if rounded == int(rounded):
        return fr_int(int(rounded))
    text = f"{rounded:,.{digits}f}".rstrip("0")
    return text.replace(",", NBSP).replace(".", ",").replace("-", "−")


def fr_percent(part: float, whole: float) -> str:
    """part/whole as '12,5 %' ('—' when whole is 0)."""
    if not whole:
        return "—"
    return f"{fr_decimal(100 * part / whole)}{NBSP}%"


def fr_change(current: float, previous: float) -> str | None:
    """'+12,5 %' or '−3 %' from previous to current; None when previous is 0."""
    if not previous:
        return None
    change = 100 * (current - previous) / previous
    sign = "+" if change > 0 else ("−" if change < 0 else "")
    return f"{sign}{fr_decimal(abs(change))}{NBSP}%"


def plural(count: float) -> str:
    """French plural mark: '' for 0 and 1 (and below 2), 's' from 2 on."""
    return "s" if abs(count) >= 2 else ""


def fold(text: str) -> str:
    """A name as people mean it, whatever its capitals, accents, spaces and punctuation:
    ' Stratégie  RH ' -> 'strategie_rh' ('' when nothing is left)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", ascii_only).strip("_")


def slug(text: str) -> str:
    """A file-name friendly form of a French label: 'Temps bénévole' -> 'temps_benevole'."""
    return fold(text) or "table"
