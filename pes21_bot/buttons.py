"""Every button family: one definition builds its callback data, parses it and routes it.

Callback data is ``prefix:field:field``; Telegram allows 64 bytes. Each field says what it holds
(a positive id, a short code, one of a few words), so the longest possible data of a family is
known and checked by the tests, and a forged or stale button parses to None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pes21_bot.domain.fields import CHOICE_VALUE_MAX, QUESTION_ID_MAX

SEPARATOR = ":"
MAX_CALLBACK_BYTES = 64
MAX_ID = 2**63 - 1  # database and Telegram ids are 64-bit
ASCII_NUMBER = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class Id:
    """A positive 64-bit integer (a database row, a bit mask, an index)."""

    def parse(self, text: str) -> int | None:
        """The integer, or None unless written as pack writes it (ASCII digits, no leading zero)."""
        # str.isdigit() also accepts "²" or "٣", which int() refuses or reads: only ASCII.
        if not ASCII_NUMBER.fullmatch(text) or len(text) > len(str(MAX_ID)) or int(text) > MAX_ID:
            return None
        return int(text)

    def longest(self) -> str:
        """The longest text this field may hold."""
        return str(MAX_ID)


@dataclass(frozen=True)
class Code:
    """A short code from config or contenus/ (question id, choice value, reason...)."""

    max_length: int

    def parse(self, text: str) -> str | None:
        """The code, or None when empty or too long."""
        return text if 0 < len(text) <= self.max_length else None

    def longest(self) -> str:
        """The longest text this field may hold."""
        return "x" * self.max_length


@dataclass(frozen=True)
class OneOf:
    """One of a few fixed words (an action such as yes / no)."""

    values: tuple[str, ...]

    def parse(self, text: str) -> str | None:
        """The word, or None when it is not one of the values."""
        return text if text in self.values else None

    def longest(self) -> str:
        """The longest text this field may hold."""
        return max(self.values, key=len)


Field = Id | Code | OneOf


@dataclass(frozen=True)
class Button:
    """A button family: its prefix and the fields its callback data carries."""

    prefix: str
    fields: tuple[Field, ...]

    @property
    def pattern(self) -> str:
        """The regular expression that routes this family to its handler."""
        return f"^{re.escape(self.prefix)}{SEPARATOR}"

    def pattern_of(self, firsts: Iterable[str]) -> str:
        """The pattern of only the data whose first field is one of these values."""
        words = "|".join(re.escape(word) for word in firsts)
        return f"{self.pattern}(?:{words}){SEPARATOR}"

    def pack(self, *values: object) -> str:
        """Callback data for these field values; a value that does not fit is a bug."""
        texts = [str(v) for v in values]
        if len(texts) != len(self.fields):
            raise ValueError(f"{self.prefix}: {len(self.fields)} fields, got {len(texts)}")
        for field, text in zip(self.fields, texts, strict=True):
            if SEPARATOR in text or field.parse(text) is None:
                raise ValueError(f"{self.prefix}: {text!r} does not fit {field}")
        data = SEPARATOR.join([self.prefix, *texts])
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data too long: {data!r}")
        return data

    def parse(self, data: str | None) -> tuple[int | str, ...] | None:
        """The field values of callback data of this family, or None if it did not produce it."""
        if not data or len(data.encode(errors="replace")) > MAX_CALLBACK_BYTES:
            return None
        parts = data.split(SEPARATOR)
        if parts[0] != self.prefix or len(parts) != len(self.fields) + 1:
            return None
        values = [field.parse(text) for field, text in zip(self.fields, parts[1:], strict=True)]
        if any(v is None for v in values):
            return None
        return tuple(v for v in values if v is not None)

    def longest(self) -> str:
        """The longest callback data this family can produce (checked by the tests)."""
        return SEPARATOR.join([self.prefix, *(f.longest() for f in self.fields)])


@dataclass(frozen=True)
class FormButtons:
    """The families of one kind of form, by what its buttons do (see handlers/form_engine.py)."""

    answer: Button
    toggle: Button
    validate: Button
    skip: Button
    edit: Button
    recap: Button


YES_NO = OneOf(("yes", "no"))
# Question and field ids of contenus/questionnaires.yaml and of forms (domain/fields.py keeps
# them this short), so that every form button fits 64 bytes with 64-bit draft ids.
QUESTION = Code(QUESTION_ID_MAX)
VALUE = Code(CHOICE_VALUE_MAX)  # a choice value or an ISO date
SOURCE = Code(24)  # a deep-link source (domain/sources.py SOURCE_RE), or "-"

# Welcome menu and FAQ (handlers/welcome.py); a path of the menu opens the intake.
MENU = Button("m", (Code(16), SOURCE))
FAQ = Button("f", (Id(), SOURCE))
# Intake questionnaire (handlers/intake.py: the resume offer, consent, /annuler's confirmation;
# the questions' buttons are the form engine's, handlers/form_engine.py: a draft id, a question).
DRAFT = Button("d", (OneOf(("resume", "restart")), Id()))
CONSENT = Button("c", (Code(16), YES_NO, SOURCE))
ANSWER = Button("a", (Id(), QUESTION, VALUE))
TOGGLE = Button("t", (Id(), QUESTION, Id()))  # the mask of ticked choices once pressed
VALIDATE = Button("v", (Id(), QUESTION, Id()))  # the mask of ticked choices
SKIP = Button("s", (Id(), QUESTION))
EDIT = Button("e", (Id(), QUESTION))
# Every form's recap packs "save"; "send" is accepted too on the intake's.
RECAP = Button("r", (Id(), OneOf(("save", "send", "cancel"))))
CANCEL = Button("x", (Id(), YES_NO))
# The same buttons for the short forms (handlers/forms.py).
FORM_ANSWER = Button("fa", (Id(), QUESTION, VALUE))
FORM_TOGGLE = Button("ft", (Id(), QUESTION, Id()))
FORM_VALIDATE = Button("fv", (Id(), QUESTION, Id()))
FORM_SKIP = Button("fs", (Id(), QUESTION))
FORM_EDIT = Button("fe", (Id(), QUESTION))
FORM_RECAP = Button("fr", (Id(), OneOf(("save", "cancel"))))
INTAKE_FORM = FormButtons(ANSWER, TOGGLE, VALIDATE, SKIP, EDIT, RECAP)
SHORT_FORM = FormButtons(FORM_ANSWER, FORM_TOGGLE, FORM_VALIDATE, FORM_SKIP, FORM_EDIT, FORM_RECAP)
# Holder's data rights (handlers/holder.py).
ERASE = Button("erase", (YES_NO,))
MY_DATA_FILE = Button("mydata", (OneOf(("json",)),))
# Staff cards (handlers/staff.py).
CLAIM = Button("claim", (Id(),))
REDIRECT_MENU = Button("redir", (Id(),))
REDIRECT = Button("redirto", (Id(), Code(16)))
CLOSE_MENU = Button("close", (Id(),))
CLOSE = Button("closeas", (Id(), Code(24)))
CARD_BACK = Button("card", (Id(),))
# The team's /start menu (handlers/team_start.py): one of the commands it offers.
TEAM_MENU = Button("tmn", (OneOf(("dossiers", "stats", "aide")),))
# A dossier's panel (handlers/dossier.py): opened anew, or one of its views in place.
PROJECT = Button("dos", (Id(),))
PROJECT_VIEW = Button("dosv", (Id(), OneOf(("summary", "answers", "history", "messages"))))
# Accompaniment (handlers/accompaniment.py).
ACCOMPANIMENT = Button("acc", (Id(),))
ACC_START = Button("acs", (Id(),))
ACC_MILESTONES = Button("acm", (Id(),))
ACC_MILESTONE = Button("acmp", (Id(), Code(32)))
ACC_END = Button("ace", (Id(),))
ACC_VOLUNTEERS = Button("acv", (Id(),))
ACC_VOLUNTEER = Button("acvp", (Id(), Id()))
# Volunteers (handlers/volunteers.py) and reviews (handlers/reviews.py).
PROFILE = Button("vp", (OneOf(("missions", "days", "pause", "resume")),))
REMOVE = Button("vr", (Id(),))
REMOVE_CONFIRM = Button("vrx", (Id(), YES_NO))
REVIEW = Button("rv", (OneOf(("go", "snooze", "decline")), Id()))
DLA = Button("dla", (YES_NO, Id()))

# /equipe (admins): a staff member's panel, or "list" (member 0) for the whole team.
TEAM = Button("tm", (Id(), OneOf(("list", "show", "prog", "coord", "rm", "rmyes"))))
# A programme of that member: follow it, stop following it, or coordinate it.
TEAM_PROGRAMME = Button("tmp", (Id(), OneOf(("on", "off", "mkc")), Code(16)))

# --- The agenda (handlers/agenda.py) ---
# Register to an event, join its waiting list, or cancel one's registration.
AGENDA = Button("ag", (OneOf(("reg", "wait", "cancel")), Id()))
# Attendance: an event's sheet, a registrant came (yes) or not (no), then "Terminer".
ATTENDANCE = Button("agp", (Id(),))
ATTENDANCE_MARK = Button("agm", (Id(), Id(), YES_NO))
ATTENDANCE_FINISH = Button("agf", (Id(),))

FAMILIES: tuple[Button, ...] = tuple(v for v in dict(globals()).values() if isinstance(v, Button))
# The buttons of a staff card; an older copy of a card is brought up to date when one is pressed.
CARD_FAMILIES = (CLAIM, REDIRECT_MENU, REDIRECT, CLOSE_MENU, CLOSE, CARD_BACK)
# The only buttons that act in a group chat: a programme's staff cards there (and what they open).
GROUP_PREFIXES = frozenset(f.prefix for f in (*CARD_FAMILIES, ACCOMPANIMENT, DLA))

# --- "Écrire à l'équipe" (handlers/holder.py): a holder's message about one of their dossiers.
# A dossier (id), or 0 for "which one?" when the holder has several.
WRITE_TEAM = Button("hw", (Id(),))
FAMILIES = (*FAMILIES, WRITE_TEAM)
# --- end of "Écrire à l'équipe"
# The welcoming volunteer's mission on an accueil-en-amont dossier (handlers/mission.py):
# the first exchange form, the orientation menus, a proposal, and staff's decision on it.
MISSION_EXCHANGE = Button("mex", (Id(),))
MISSION_ORIENT = Button("mor", (Id(), OneOf(("menu", "other", "close"))))
MISSION_PROPOSE = Button("mop", (Id(), OneOf(("redirect", "emergence", "close")), Code(24)))
MISSION_DECIDE = Button("mod", (Id(), OneOf(("accept", "refuse"))))
FAMILIES += (MISSION_EXCHANGE, MISSION_ORIENT, MISSION_PROPOSE, MISSION_DECIDE)

# --- The satisfaction survey (handlers/satisfaction.py): answer it, or "no thanks", by dossier.
SURVEY = Button("sv", (OneOf(("go", "no")), Id()))
FAMILIES = (*FAMILIES, SURVEY)
# --- end of the satisfaction survey

# --- Dossiers recorded by staff (handlers/recorded.py): the questionnaire chosen, then the
# form engine's buttons for the recording's draft (a Project with recorded_by_id).
RECORD_PATH = Button("nd", (Code(16),))
RECORDED_FORM = FormButtons(
    Button("na", (Id(), QUESTION, VALUE)),
    Button("nt", (Id(), QUESTION, Id())),
    Button("nv", (Id(), QUESTION, Id())),
    Button("ns", (Id(), QUESTION)),
    Button("ne", (Id(), QUESTION)),
    Button("nr", (Id(), OneOf(("save", "cancel")))),
)
# A new link code for a recorded dossier whose holder is not on Telegram yet (its panel).
LINK_CODE = Button("nl", (Id(),))
FAMILIES = (*FAMILIES, RECORD_PATH, *vars(RECORDED_FORM).values(), LINK_CODE)
# --- end of dossiers recorded by staff
# --- The relay (handlers/relay.py): "↩️ Répondre" under a relayed message (the dossier), and
# which dossier a holder's message is about when they have several (dossier, their message id).
RELAY_ANSWER = Button("rla", (Id(),))
RELAY_PICK = Button("rlp", (Id(), Id()))
FAMILIES += (RELAY_ANSWER, RELAY_PICK)

# --- /import (handlers/imports.py): the dry run's "Importer" or "Annuler", for one upload.
IMPORT = Button("imp", (OneOf(("go", "cancel")), Id()))
FAMILIES = (*FAMILIES, IMPORT)
# --- end of /import
