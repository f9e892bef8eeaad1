"""Every button family: one definition builds its callback data, parses it and routes it.

Callback data is ``prefix:field:field``; Telegram allows 64 bytes. Each field says what it holds
(a positive id, a short code, one of a few words), so the longest possible data of a family is
known and checked by the tests, and a forged or stale button parses to None. A family's parse
gives its own small NamedTuple (fields named, like aiogram's CallbackData), which still unpacks
by position.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

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


Values = tuple[int | str, ...]
P = TypeVar("P", bound=tuple[Any, ...])


@dataclass(frozen=True)
class Button(Generic[P]):
    """A button family: its prefix, the fields its callback data carries, and the NamedTuple
    its parse gives (one name per field; without it, a plain tuple)."""

    prefix: str
    fields: tuple[Field, ...]
    result: Callable[..., P] | None = None

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

    def parse(self, data: str | None) -> P | None:
        """The field values of callback data of this family, or None if it did not produce it."""
        if not data or len(data.encode(errors="replace")) > MAX_CALLBACK_BYTES:
            return None
        parts = data.split(SEPARATOR)
        if parts[0] != self.prefix or len(parts) != len(self.fields) + 1:
            return None
        values = [field.parse(text) for field, text in zip(self.fields, parts[1:], strict=True)]
        if any(v is None for v in values):
            return None
        if self.result is None:
            return tuple(values)  # type: ignore[return-value]  # a family still untyped
        return self.result(*values)

    def longest(self) -> str:
        """The longest callback data this family can produce (checked by the tests)."""
        return SEPARATOR.join([self.prefix, *(f.longest() for f in self.fields)])


@dataclass(frozen=True)
class FormButtons:
    """The families of one kind of form, by what its buttons do (see handlers/form_engine.py)."""

    answer: Button[FormAnswer]
    toggle: Button[FormMask]
    validate: Button[FormMask]
    skip: Button[FormQuestion]
    edit: Button[FormQuestion]
    recap: Button[FormRecap]


# --- What each family's parse gives (shared where the fields mean the same thing).
class OfProject(NamedTuple):
    """A dossier (0 for "which one?" on "Écrire à l'équipe")."""

    project: int


class OfPerson(NamedTuple):
    """A person (a volunteer's row)."""

    person: int


class OfEvent(NamedTuple):
    """An agenda event."""

    event: int


class YesNo(NamedTuple):
    """A yes or no answer."""

    answer: str


class Chosen(NamedTuple):
    """One word of a family's few (a menu item, a file format, a profile section)."""

    choice: str


class MenuItem(NamedTuple):
    """A welcome menu item (or a questionnaire path) and the deep-link source."""

    item: str
    source: str


class FaqEntry(NamedTuple):
    """A FAQ entry (its index in the list) and the deep-link source."""

    entry: int
    source: str


class DraftChoice(NamedTuple):
    """Resume or restart an intake draft."""

    action: str
    draft: int


class Consent(NamedTuple):
    """The consent to a questionnaire path, and the deep-link source."""

    path: str
    answer: str
    source: str


class FormAnswer(NamedTuple):
    """A form's choice button: the draft, the question, the chosen value."""

    draft: int
    question: str
    value: str


class FormMask(NamedTuple):
    """A multi-choice question's ticked choices (a bit mask)."""

    draft: int
    question: str
    mask: int


class FormQuestion(NamedTuple):
    """A question of a draft ("Passer", or its answer to edit from the recap)."""

    draft: int
    question: str


class FormRecap(NamedTuple):
    """The recap's save or cancel."""

    draft: int
    action: str


class DraftAnswer(NamedTuple):
    """Yes or no about a draft (/annuler's confirmation)."""

    draft: int
    answer: str


class ProjectCode(NamedTuple):
    """A dossier and a code (a programme, a reason, a milestone)."""

    project: int
    code: str


class ProjectPerson(NamedTuple):
    """A dossier and a person (a co-accompanying volunteer)."""

    project: int
    person: int


class PersonAnswer(NamedTuple):
    """Yes or no about a person (removing a volunteer)."""

    person: int
    answer: str


class ActionOn(NamedTuple):
    """An action on a row (a review, an event, a dossier, an upload)."""

    action: str
    target: int


class MemberAction(NamedTuple):
    """/equipe: a staff member (0: the whole team) and what to show or do."""

    member: int
    action: str


class MemberProgramme(NamedTuple):
    """/equipe: a staff member, what to do with a programme, the programme."""

    member: int
    action: str
    programme: str


class AttendanceMark(NamedTuple):
    """/presences: an event, a registration, whether the person came."""

    event: int
    registration: int
    came: str


class ProjectStep(NamedTuple):
    """A dossier and one of its recorded steps (the step's event id)."""

    project: int
    step: int


class ProjectAction(NamedTuple):
    """A dossier and one of a few words (a view, a menu, a decision)."""

    project: int
    action: str


class Proposal(NamedTuple):
    """A welcoming volunteer's proposed orientation: the dossier, its kind, its code."""

    project: int
    choice: str
    code: str


class DayRange(NamedTuple):
    """A period's first and last day, each written YYYYMMDD."""

    first: int
    last: int


class RelayPick(NamedTuple):
    """The dossier a holder's waiting message (its id) is about."""

    project: int
    message: int


YES_NO = OneOf(("yes", "no"))
# Question and field ids of contenus/questionnaires.yaml and of forms (domain/fields.py keeps
# them this short), so that every form button fits 64 bytes with 64-bit draft ids.
QUESTION = Code(QUESTION_ID_MAX)
VALUE = Code(CHOICE_VALUE_MAX)  # a choice value or an ISO date
SOURCE = Code(24)  # a deep-link source (domain/sources.py SOURCE_RE), or "-"

# Welcome menu and FAQ (handlers/welcome.py); a path of the menu opens the intake.
MENU = Button("m", (Code(16), SOURCE), MenuItem)
FAQ = Button("f", (Id(), SOURCE), FaqEntry)
# Intake questionnaire (handlers/intake.py: the resume offer, consent, /annuler's confirmation;
# the questions' buttons are the form engine's, handlers/form_engine.py: a draft id, a question).
DRAFT = Button("d", (OneOf(("resume", "restart")), Id()), DraftChoice)
CONSENT = Button("c", (Code(16), YES_NO, SOURCE), Consent)
ANSWER = Button("a", (Id(), QUESTION, VALUE), FormAnswer)
TOGGLE = Button("t", (Id(), QUESTION, Id()), FormMask)  # the mask of ticked choices once pressed
VALIDATE = Button("v", (Id(), QUESTION, Id()), FormMask)  # the mask of ticked choices
SKIP = Button("s", (Id(), QUESTION), FormQuestion)
EDIT = Button("e", (Id(), QUESTION), FormQuestion)
# Every form's recap packs "save"; "send" is accepted too on the intake's.
RECAP = Button("r", (Id(), OneOf(("save", "send", "cancel"))), FormRecap)
CANCEL = Button("x", (Id(), YES_NO), DraftAnswer)
# The same buttons for the short forms (handlers/forms.py).
FORM_ANSWER = Button("fa", (Id(), QUESTION, VALUE), FormAnswer)
FORM_TOGGLE = Button("ft", (Id(), QUESTION, Id()), FormMask)
FORM_VALIDATE = Button("fv", (Id(), QUESTION, Id()), FormMask)
FORM_SKIP = Button("fs", (Id(), QUESTION), FormQuestion)
FORM_EDIT = Button("fe", (Id(), QUESTION), FormQuestion)
FORM_RECAP = Button("fr", (Id(), OneOf(("save", "cancel"))), FormRecap)
INTAKE_FORM = FormButtons(ANSWER, TOGGLE, VALIDATE, SKIP, EDIT, RECAP)
SHORT_FORM = FormButtons(FORM_ANSWER, FORM_TOGGLE, FORM_VALIDATE, FORM_SKIP, FORM_EDIT, FORM_RECAP)
# Holder's data rights (handlers/holder.py).
ERASE = Button("erase", (YES_NO,), YesNo)
MY_DATA_FILE = Button("mydata", (OneOf(("json",)),), Chosen)
# Staff cards (handlers/staff.py).
CLAIM = Button("claim", (Id(),), OfProject)
REDIRECT_MENU = Button("redir", (Id(),), OfProject)
REDIRECT = Button("redirto", (Id(), Code(16)), ProjectCode)
CLOSE_MENU = Button("close", (Id(),), OfProject)
CLOSE = Button("closeas", (Id(), Code(24)), ProjectCode)
CARD_BACK = Button("card", (Id(),), OfProject)
# The team's and volunteers' /start menu (handlers/team_start.py): one of the commands it offers.
TEAM_MENU = Button(
    "tmn", (OneOf(("dossiers", "cherche", "mes_bilans", "profil", "stats", "aide")),), Chosen
)
# A dossier's panel (handlers/dossier.py): opened anew, or one of its views in place.
PROJECT = Button("dos", (Id(),), OfProject)
PROJECT_VIEW = Button(
    "dosv", (Id(), OneOf(("summary", "answers", "history", "messages"))), ProjectAction
)
# Accompaniment (handlers/accompaniment.py).
ACCOMPANIMENT = Button("acc", (Id(),), OfProject)
ACC_START = Button("acs", (Id(),), OfProject)
ACC_MILESTONES = Button("acm", (Id(),), OfProject)
ACC_MILESTONE = Button("acmp", (Id(), Code(32)), ProjectCode)
ACC_END = Button("ace", (Id(),), OfProject)
# Correct the start or the end, or list the recorded steps to correct one.
ACC_FIX = Button("acx", (Id(), OneOf(("start", "end", "steps"))), ProjectAction)
# Correct that step's date.
ACC_FIX_STEP = Button("acxs", (Id(), Id()), ProjectStep)
ACC_VOLUNTEERS = Button("acv", (Id(),), OfProject)
ACC_VOLUNTEER = Button("acvp", (Id(), Id()), ProjectPerson)
# Volunteers (handlers/volunteers.py) and reviews (handlers/reviews.py).
PROFILE = Button("vp", (OneOf(("missions", "days", "pause", "resume")),), Chosen)
REMOVE = Button("vr", (Id(),), OfPerson)
REMOVE_CONFIRM = Button("vrx", (Id(), YES_NO), PersonAnswer)
REVIEW = Button("rv", (OneOf(("go", "snooze", "decline")), Id()), ActionOn)
DLA = Button("dla", (YES_NO, Id()), ActionOn)

# /equipe (admins): a staff member's panel, or "list" (member 0) for the whole team.
TEAM = Button("tm", (Id(), OneOf(("list", "show", "prog", "coord", "rm", "rmyes"))), MemberAction)
# A programme of that member: follow it, stop following it, or coordinate it.
TEAM_PROGRAMME = Button("tmp", (Id(), OneOf(("on", "off", "mkc")), Code(16)), MemberProgramme)

# --- The agenda (handlers/agenda.py) ---
# Register to an event, join its waiting list, or cancel one's registration.
AGENDA = Button("ag", (OneOf(("reg", "wait", "cancel")), Id()), ActionOn)
# Attendance: an event's sheet, a registrant came (yes) or not (no), then "Terminer".
ATTENDANCE = Button("agp", (Id(),), OfEvent)
ATTENDANCE_MARK = Button("agm", (Id(), Id(), YES_NO), AttendanceMark)
ATTENDANCE_FINISH = Button("agf", (Id(),), OfEvent)
# Cancelling an event to come (/annuler_atelier): chosen, then confirmed or kept.
EVENT_CANCEL = Button("agx", (OneOf(("ask", "yes", "no")), Id()), ActionOn)

FAMILIES: tuple[Button, ...] = tuple(v for v in dict(globals()).values() if isinstance(v, Button))
# The buttons of a staff card; an older copy of a card is brought up to date when one is pressed.
CARD_FAMILIES = (CLAIM, REDIRECT_MENU, REDIRECT, CLOSE_MENU, CLOSE, CARD_BACK)
# The only buttons that act in a group chat: a programme's staff cards there (and what they open).
GROUP_PREFIXES = frozenset(f.prefix for f in (*CARD_FAMILIES, ACCOMPANIMENT, DLA))

# --- "Écrire à l'équipe" (handlers/holder.py): a holder's message about one of their dossiers.
# A dossier (id), or 0 for "which one?" when the holder has several.
WRITE_TEAM = Button("hw", (Id(),), OfProject)
FAMILIES = (*FAMILIES, WRITE_TEAM)
# --- end of "Écrire à l'équipe"
# The welcoming volunteer's mission on an accueil-en-amont dossier (handlers/mission.py):
# the first exchange form, the orientation menus, a proposal, and staff's decision on it.
MISSION_EXCHANGE = Button("mex", (Id(),), OfProject)
MISSION_ORIENT = Button("mor", (Id(), OneOf(("menu", "other", "close"))), ProjectAction)
MISSION_PROPOSE = Button(
    "mop", (Id(), OneOf(("redirect", "emergence", "close")), Code(24)), Proposal
)
MISSION_DECIDE = Button("mod", (Id(), OneOf(("accept", "refuse"))), ProjectAction)
FAMILIES += (MISSION_EXCHANGE, MISSION_ORIENT, MISSION_PROPOSE, MISSION_DECIDE)

# --- The satisfaction survey (handlers/satisfaction.py): answer it, or "no thanks", by dossier.
SURVEY = Button("sv", (OneOf(("go", "no")), Id()), ActionOn)
FAMILIES = (*FAMILIES, SURVEY)
# --- end of the satisfaction survey

# --- Dossiers recorded by staff (handlers/recorded.py): the questionnaire chosen, then the
# form engine's buttons for the recording's draft (a Project with recorded_by_id).
RECORD_PATH = Button("nd", (Code(16),), Chosen)
RECORDED_FORM = FormButtons(
    Button("na", (Id(), QUESTION, VALUE), FormAnswer),
    Button("nt", (Id(), QUESTION, Id()), FormMask),
    Button("nv", (Id(), QUESTION, Id()), FormMask),
    Button("ns", (Id(), QUESTION), FormQuestion),
    Button("ne", (Id(), QUESTION), FormQuestion),
    Button("nr", (Id(), OneOf(("save", "cancel"))), FormRecap),
)
# A new link code for a recorded dossier whose holder is not on Telegram yet (its panel).
LINK_CODE = Button("nl", (Id(),), OfProject)
FAMILIES = (*FAMILIES, RECORD_PATH, *vars(RECORDED_FORM).values(), LINK_CODE)
# --- end of dossiers recorded by staff
# --- The relay (handlers/relay.py): "↩️ Répondre" under a relayed message (the dossier), and
# which dossier a holder's message is about when they have several (dossier, their message id).
RELAY_ANSWER = Button("rla", (Id(),), OfProject)
RELAY_PICK = Button("rlp", (Id(), Id()), RelayPick)
FAMILIES += (RELAY_ANSWER, RELAY_PICK)

# --- /import (handlers/imports.py): the dry run's "Importer" or "Annuler", for one upload,
# and the running import's "Arrêter l'import".
IMPORT = Button("imp", (OneOf(("go", "cancel", "stop")), Id()), ActionOn)
FAMILIES = (*FAMILIES, IMPORT)
# --- end of /import

# --- The Word activity report (handlers/report_document.py): "📄 Rapport en Word" under
# /rapport, for its period: first and last day as YYYYMMDD.
REPORT_DOCUMENT = Button("rdoc", (Id(), Id()), DayRange)
FAMILIES = (*FAMILIES, REPORT_DOCUMENT)
# --- end of the Word activity report
