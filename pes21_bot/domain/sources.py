"""Deep-link sources (`t.me/<bot>?start=flyer_marche`): what is kept of them."""

from __future__ import annotations

import re

# Carried in menu buttons when a person came without one; never stored.
NO_SOURCE = "-"
SOURCE_RE = re.compile(r"^[A-Za-z0-9_-]{1,24}$")


def clean_source(raw: str | None) -> str | None:
    """A deep-link source as stored: letters, digits, '-' and '_' only, 24 at most.

    The button marker for "no source" is None here: it never reaches a dossier or an event.
    """
    return raw if raw and raw != NO_SOURCE and SOURCE_RE.match(raw) else None


def button_source(source: str | None) -> str:
    """The source as a button carries it: the marker when there is none."""
    return source or NO_SOURCE
