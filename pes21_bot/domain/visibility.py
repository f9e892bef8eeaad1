"""Who sees which of a holder's data: the one rule behind every message that shows a dossier.

It is what the consent text (contenus/general.yaml, consent.request) promises:
- the holder, the Pôle's staff and the admins see everything;
- a welcoming volunteer (accueil en amont) sees the first name, the project and the commune of a
  dossier they may take; its contact details (full name, phone, e-mail) once they hold it;
- a review volunteer sees the first name and the contact details only while the review is open;
- anyone else, nothing. Exports are for staff and admins only; names in them for admins only
  (services/exports.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class Field(StrEnum):
    """A kind of data of a dossier's answers."""

    FIRST_NAME = "first_name"
    CONTACT = "contact"  # full name, phone, e-mail
    PLACE = "place"  # commune, postal code
    PROJECT = "project"  # every other answer: the idea, its stage, its needs...


class Viewer(StrEnum):
    """Who is reading."""

    HOLDER = "holder"
    STAFF = "staff"
    ADMIN = "admin"
    WELCOMING = "welcoming"  # a volunteer with the accueil-en-amont mission
    REVIEWER = "reviewer"  # a volunteer assigned a post-accompaniment review


class Relation(StrEnum):
    """What links the reader to this dossier."""

    NONE = "none"  # e.g. a welcoming volunteer before anyone claims it
    HOLDS = "holds"  # the welcoming volunteer who took it
    REVIEW_OPEN = "review_open"
    REVIEW_CLOSED = "review_closed"  # done or cancelled


EVERYTHING = frozenset(Field)
NOTHING: frozenset[Field] = frozenset()
CONTACT_ANSWERS = frozenset({"name", "phone", "email"})
PLACE_ANSWERS = frozenset({"commune", "postal_code"})
NAME_ANSWER = "name"


def visible_fields(viewer: Viewer, relation: Relation) -> frozenset[Field]:
    """The kinds of data this reader may see of a dossier, given their link to it."""
    if viewer in (Viewer.HOLDER, Viewer.STAFF, Viewer.ADMIN):
        return EVERYTHING
    if viewer == Viewer.WELCOMING:
        if relation == Relation.HOLDS:
            return EVERYTHING
        return frozenset({Field.FIRST_NAME, Field.PLACE, Field.PROJECT})
    if viewer == Viewer.REVIEWER and relation == Relation.REVIEW_OPEN:
        return frozenset({Field.FIRST_NAME, Field.CONTACT})
    return NOTHING


def field_of(answer_id: str) -> Field:
    """The kind of data an answer is."""
    if answer_id in CONTACT_ANSWERS:
        return Field.CONTACT
    if answer_id in PLACE_ANSWERS:
        return Field.PLACE
    return Field.PROJECT


def first_name(full_name: str) -> str:
    """The first word of a name as typed ("Zoé Martin, présidente" gives "Zoé")."""
    words = full_name.replace(",", " ").split()
    return words[0] if words else ""


def shown_answers(answers: Mapping[str, Any], fields: frozenset[Field]) -> dict[str, Any]:
    """The answers these fields let through; the name cut to the first name without CONTACT."""
    shown = {k: v for k, v in answers.items() if field_of(k) in fields}
    name = answers.get(NAME_ANSWER)
    if Field.CONTACT not in fields and Field.FIRST_NAME in fields and isinstance(name, str):
        shown[NAME_ANSWER] = first_name(name)
    return shown
