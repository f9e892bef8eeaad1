"""Project references like PES-2026-0042: sequential per year."""

from __future__ import annotations

import re

REFERENCE_RE = re.compile(r"^PES-(\d{4})-(\d{4,})$")


def format_reference(year: int, seq: int) -> str:
    """Build the reference shown to people."""
    return f"PES-{year}-{seq:04d}"


def parse_reference(text: str) -> tuple[int, int] | None:
    """Return (year, seq) from a reference typed by someone, tolerant of case and spaces."""
    match = REFERENCE_RE.match(text.strip().upper())
    return (int(match.group(1)), int(match.group(2))) if match else None
