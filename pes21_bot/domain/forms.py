"""The forms declared in code: a review, the accompaniment steps, the volunteer profile.

Their questions use the model and types of :mod:`pes21_bot.domain.fields`; prompts and labels
are text keys (forms.<kind>.<id>, forms.labels.<id>), choices a list of contenus/ (lists.<name>).
"""

from __future__ import annotations

from pes21_bot.domain.fields import AtLeast, Condition, Question, question
from pes21_bot.domain.form_spec import FormSpec
from pes21_bot.domain.jobs import LINES, MAX_LINES, MORE
from pes21_bot.domain.milestones import DLA_COLLECTIVE_ENGINEERING, DLA_DIAGNOSTIC

STRUCTURE = {"outcome": ["structure_created"]}


def job_questions(when: dict[str, Condition]) -> tuple[Question, ...]:
    """Lines of jobs: a number (0 if none), its contract and working time, then "another?"."""
    asked: list[Question] = [question(LINES[0].count, "number", max=500, when=when)]
    for number, ids in enumerate(LINES, start=1):
        if number > 1:
            another: dict[str, Condition] = {LINES[number - 2].more: [MORE]}
            asked.append(question(ids.count, "number", min=1, max=500, when=another))
        has_jobs = {ids.count: AtLeast(min=1)}
        asked.append(question(ids.contract, "choice", choice_list="job_contracts", when=has_jobs))
        asked.append(question(ids.time, "choice", choice_list="working_times", when=has_jobs))
        if number < MAX_LINES:
            asked.append(question(ids.more, "choice", choice_list="jobs_more", when=has_jobs))
    return tuple(asked)


REVIEW = FormSpec(
    "review",
    (
        question("contact_date", "date"),
        question("contact_way", "choice", choice_list="contact_ways"),
        question("situation", "choice", choice_list="review_situations"),
        *job_questions({}),
        question("needs", "multi_choice", choice_list="review_needs", optional=True),
        question("satisfaction", "choice", choice_list="satisfaction"),
        question("hours", "decimal", max=200),
        question("km", "number", max=5000),
        question("comment", "text", optional=True, max=1000),
    ),
)
ACCOMPANIMENT_START = FormSpec("acc_start", (question("started_on", "date"),), recap=False)
ACCOMPANIMENT_MILESTONE = FormSpec(
    "acc_milestone",
    (
        question("on", "date"),
        question("jobs_consolidated", "number", max=100_000, when={"milestone": [DLA_DIAGNOSTIC]}),
        question("action", "text", max=80, when={"milestone": [DLA_COLLECTIVE_ENGINEERING]}),
    ),
    recap=False,
    preset=("milestone",),
)
ACCOMPANIMENT_END = FormSpec(
    "acc_end",
    (
        question("outcome", "choice", choice_list="outcomes"),
        question("legal_form", "choice", choice_list="legal_forms", when=STRUCTURE),
        question("created_on", "date", when=STRUCTURE),
        question("structure_name", "text", max=120, when=STRUCTURE),
        *job_questions({"outcome": ["structure_created", "jobs_created"]}),
        question("ended_on", "date"),
    ),
)
# Correcting a date of the accompaniment (services/accompaniment.correct).
ACCOMPANIMENT_FIX_START = FormSpec("acc_fix_start", (question("started_on", "date"),), recap=False)
ACCOMPANIMENT_FIX_END = FormSpec("acc_fix_end", (question("ended_on", "date"),), recap=False)
ACCOMPANIMENT_FIX_STEP = FormSpec(
    "acc_fix_step", (question("on", "date"),), recap=False, preset=("step",)
)
VOLUNTEER_MISSIONS_QUESTION = question("missions", "multi_choice", choice_list="volunteer_missions")
VOLUNTEER_DAYS_QUESTION = question("days", "multi_choice", choice_list="weekdays", optional=True)
VOLUNTEER_SETUP = FormSpec(
    "vol_setup", (VOLUNTEER_MISSIONS_QUESTION, VOLUNTEER_DAYS_QUESTION), recap=False
)
VOLUNTEER_MISSIONS = FormSpec("vol_missions", (VOLUNTEER_MISSIONS_QUESTION,), recap=False)
VOLUNTEER_DAYS = FormSpec("vol_days", (VOLUNTEER_DAYS_QUESTION,), recap=False)
VOLUNTEER_PAUSE = FormSpec(
    "vol_pause", (question("paused_until", "date", future=True),), recap=False
)
# A holder's message to the team: one written text, forwarded as soon as it is typed.
HOLDER_MESSAGE_MAX = 2000
HOLDER_MESSAGE = FormSpec(
    "holder_msg", (question("message", "long_text", min=1, max=HOLDER_MESSAGE_MAX),), recap=False
)

# /atelier (staff): an event of the agenda; the partner organisation is asked for trainings.
EVENT = FormSpec(
    "event",
    (
        question("ev_kind", "choice", choice_list="event_kinds"),
        question("ev_partner", "text", max=120, when={"ev_kind": ["formation"]}),
        question("ev_title", "text", max=200),
        question("ev_date", "date", future=True, from_today=True),
        question("ev_time", "time"),
        question("ev_place", "text", max=300),
        question("ev_capacity", "number", min=1, max=10_000, optional=True),
        question("ev_audience", "choice", choice_list="event_audiences"),
        question("ev_role", "choice", choice_list="event_roles"),
    ),
)
EVENT_WALK_INS = FormSpec("ev_walkins", (question("walk_ins", "number", max=10_000),), recap=False)
# A welcoming volunteer's first exchange with the holder of an accueil-en-amont dossier.
FIRST_EXCHANGE = FormSpec(
    "first_exchange",
    (
        question("contact_date", "date"),
        question("exchange_way", "choice", choice_list="first_contact_ways"),
        question("exchange_notes", "long_text", min=10, max=3000),
    ),
)

# The holder's satisfaction survey after an accompaniment: only the rating is required.
SATISFACTION = FormSpec(
    "satisfaction",
    (
        question("sv_rating", "choice", choice_list="satisfaction"),
        question("sv_helped", "choice", choice_list="survey_helped", optional=True),
        question("sv_comment", "long_text", optional=True, min=1, max=1000),
        question("sv_recommend", "yes_no", optional=True),
        # Consent to quote the comment in the activity report; nothing is quoted without it.
        question("sv_quote", "choice", choice_list="quote_consent", optional=True),
    ),
)

FORMS = {
    spec.kind: spec
    for spec in (
        REVIEW,
        ACCOMPANIMENT_START,
        ACCOMPANIMENT_MILESTONE,
        ACCOMPANIMENT_END,
        ACCOMPANIMENT_FIX_START,
        ACCOMPANIMENT_FIX_END,
        ACCOMPANIMENT_FIX_STEP,
        VOLUNTEER_SETUP,
        VOLUNTEER_MISSIONS,
        VOLUNTEER_DAYS,
        VOLUNTEER_PAUSE,
        HOLDER_MESSAGE,
        EVENT,
        EVENT_WALK_INS,
        FIRST_EXCHANGE,
        SATISFACTION,
    )
}
