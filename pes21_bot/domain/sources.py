"""Deep-link sources (`t.me/<bot>?start=flyer_marche`): what is kept of them."""

from __future__ import annotations

import re

# Carried in menu buttons when a person came without one; never stored.
NO_SOURCE = "-"
SOURCE_RE = re.compile(r"^[A-Za-z0-9_-]{1,24}$")


def clean_source(raw: str | None) -> str | None:
    """A deep-link source as stored: letters, digits, '-' and '_' only, 24 at most."""
    return raw if raw and SOURCE_RE.match(raw) else None
