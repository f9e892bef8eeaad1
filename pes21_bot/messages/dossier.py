"""A dossier's panel for staff: a short summary, its answers and its history, one screen each."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from telegram import InlineKeyboardMarkup

from pes21_bot import buttons, texts
from pes21_bot.config import Config
from pes21_bot.content import Content, Html
from pes21_bot.db.models import Event, Person, Project
from pes21_bot.domain.visibility import Field, Relation, Viewer, shown_answers, visible_fields
from pes21_bot.domain.vocabulary import FOLLOWED_STATUSES, OPEN_STATUSES
from pes21_bot.messages.cards import accompaniment_row, card_markup, mission_markup, volunteer_line
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.render import answer_lines, fr_date, fr_datetime, fr_day, shorten
from pes21_bot.services import events
from pes21_bot.services.accompaniment import ENDED_REASON
from pes21_bot.services.people import display_name
from pes21_bot.texts import corrections as correction_texts
from pes21_bot.texts import notify as notify_texts
from pes21_bot.texts import recorded as recorded_texts
from pes21_bot.texts import volunteers as volunteer_texts
from pes21_bot.texts import week

# Rows the bot writes for itself: nothing a member of staff did or needs to read.
TECHNICAL_EVENTS = frozenset(
    {
        events.BOT_STARTED,
        events.CONSENT_GIVEN,
        events.INTAKE_STARTED,
        events.QUESTION_ANSWERED,
        events.REVIEW_SCHEDULED,
        events.REMINDER_SENT,
        events.REMINDER_FAILED,
    }
)
ORIENTATION_EVENTS = frozenset(
    {events.ORIENTATION_PROPOSED, events.ORIENTATION_ACCEPTED, events.ORIENTATION_REFUSED}
)
EXCHANGE_NOTES_MAX = 300
HISTORY_LINES = 30
ANSWER_VALUE_MAX = 300
SCREEN_MAX = 3800  # under Telegram's 4096 characters, with room for the header


def is_erased(project: Project) -> bool:
    """Whether the holder's data were erased (the dossier stays, empty and anonymous)."""
    return project.holder_id is None and not project.answers


def panel_text(
    content: Content,
    config: Config,
    project: Project,
    owner: Person | None,
    first_contact: datetime | None = None,
) -> Html:
    """The summary that fits a phone screen: state, who follows it, when it was sent (for a
    dossier recorded by staff, the first contact's day)."""
    text = content.render(
        texts.PROJECT_DETAIL if first_contact is None else week.PROJECT_DETAIL_RECORDED,
        reference=project.reference or "",
        programme=content.programme_name(project.programme or ""),
        status=content.label("project_status", project.status),
        owner=display_name(config, owner) if owner else content.render(texts.EMPTY_VALUE),
        date=fr_date(first_contact or project.submitted_at, config.tz),
    )
    line = volunteer_line(content, owner)
    if line:
        text = Html(f"{text}\n{line}")
    if is_erased(project):
        return Html(f"{text}\n\n{content.render(texts.PROJECT_ERASED)}")
    return text


def panel_markup(
    content: Content, project: Project, mission: bool = False, *, awaits_link: bool = False
) -> InlineKeyboardMarkup:
    """Answers and history behind buttons, then the card's actions while it is followed.

    ``mission``: the viewer is the welcoming volunteer who holds it: the mission's buttons.
    ``awaits_link``: recorded by staff for someone not on Telegram yet: a new code can be given.
    """
    views = []
    if not is_erased(project):
        views.append((content.render(texts.PROJECT_ANSWERS), view(project, "answers")))
    views.append((content.render(texts.PROJECT_HISTORY), view(project, "history")))
    views.append((content.render(notify_texts.RELAY_VIEW_BUTTON), view(project, "messages")))
    rows = list(keyboard([views]).inline_keyboard)
    if mission and project.status in FOLLOWED_STATUSES:
        rows += mission_markup(content, project).inline_keyboard
    elif project.status in OPEN_STATUSES:  # a waiting dossier is taken from its panel too
        rows += card_markup(content, project).inline_keyboard
    elif project.close_reason == ENDED_REASON:  # its dates can still be corrected
        rows += keyboard([accompaniment_row(content, project)]).inline_keyboard
    if awaits_link:
        link = (content.render(recorded_texts.NEW_CODE), buttons.LINK_CODE.pack(project.id))
        rows += keyboard([[link]]).inline_keyboard
    return InlineKeyboardMarkup(rows)


def panel_fields(staff: bool) -> frozenset[Field]:
    """What /dossier shows: its readers are staff and admins, or the volunteer who holds it."""
    return visible_fields(Viewer.STAFF if staff else Viewer.WELCOMING, Relation.HOLDS)


def view(project: Project, name: str) -> str:
    """Callback data of one of the panel's views."""
    return buttons.PROJECT_VIEW.pack(project.id, name)


def back_markup(content: Content, project: Project, in_place: bool) -> InlineKeyboardMarkup:
    """'Retour au dossier': the panel in this message, or a new one."""
    data = view(project, "summary") if in_place else buttons.PROJECT.pack(project.id)
    return keyboard([[(content.render(texts.PROJECT_BACK), data)]])


def answers_text(content: Content, project: Project, fields: frozenset[Field]) -> Html:
    """Every answer its reader may see (domain/visibility.py), values shortened further if the
    whole would not fit one message."""
    questionnaire = content.questionnaires[project.path]
    header = content.render(texts.PROJECT_ANSWERS_HEADER, reference=project.reference or "")
    answers = shown_answers(project.answers, fields)
    lines = answer_lines(content, questionnaire, answers, ANSWER_VALUE_MAX)
    if len(lines) > SCREEN_MAX:
        lines = answer_lines(content, questionnaire, answers, ANSWER_VALUE_MAX // 4)
    return Html(f"{header}\n\n{lines}")


# Events about someone else than their author, and the key of that person's id in their data:
# "bilan confié" says to whom, "dossier repris" by whom.
NAMED_IN_DATA = {events.REVIEW_ASSIGNED: "assignee_id", events.HANDED_OVER: "owner_id"}


def people_named(history: list[Event]) -> set[int]:
    """The person ids a history shows: each row's author and whom it names in its data."""
    ids = {e.actor_id for e in history if e.actor_id}
    for event in history:
        named = (event.data or {}).get(NAMED_IN_DATA.get(event.kind, ""))
        if isinstance(named, int):
            ids.add(named)
    return ids


def _detail(
    content: Content, event: Event, config: Config, people: Mapping[int, Person]
) -> str | None:
    """What the row was about: the step, the new programme, the reason, the outcome, to whom."""
    data = event.data or {}
    named = data.get(NAMED_IN_DATA.get(event.kind, ""))
    if isinstance(named, int) and named in people:
        return display_name(config, people[named])
    if event.kind == events.MILESTONE and "milestone" in data:
        step = content.label("milestones", str(data["milestone"]))
        return f"{step} ({fr_day(date.fromisoformat(data['on']))})" if "on" in data else step
    if event.kind in (events.ROUTED, events.REDIRECTED) and event.programme:
        return content.programme_name(event.programme)
    if event.kind == events.CLOSED and "reason" in data:
        return content.label("close_reasons", str(data["reason"]))
    if event.kind == events.ACCOMPANIMENT_ENDED and "outcome" in data:
        return content.label("outcomes", str(data["outcome"]))
    if event.kind == events.FIRST_EXCHANGE and "way" in data:
        way = content.label("first_contact_ways", str(data["way"])).lower()
        notes = shorten(str(data.get("notes", "")), EXCHANGE_NOTES_MAX)
        return f"{way}, {fr_day(date.fromisoformat(data['on']))} : {notes}"
    if event.kind == events.ACCOMPANIMENT_CORRECTED and data.get("field") == "step":
        return content.render(
            week.ACC_CORRECTED_STEP_DETAIL,
            milestone=content.label("milestones", str(data.get("milestone", ""))),
            was=fr_day(date.fromisoformat(str(data["was"]))),
            to=fr_day(date.fromisoformat(str(data["to"]))),
        )
    if event.kind == events.ACCOMPANIMENT_CORRECTED and data.get("field") in week.ACC_FIELD:
        return content.render(
            week.ACC_CORRECTED_DETAIL,
            field=content.render(week.ACC_FIELD[str(data["field"])]),
            was=fr_day(date.fromisoformat(str(data["was"]))),
            to=fr_day(date.fromisoformat(str(data["to"]))),
        )
    if event.kind in ORIENTATION_EVENTS and "choice" in data:
        return _orientation(content, data)
    return None


def _orientation(content: Content, data: Mapping[str, object]) -> str:
    """The orientation a proposal or decision was about."""
    if data.get("programme_to"):
        return content.programme_name(str(data["programme_to"]))
    if data.get("reason"):
        return content.label("close_reasons", str(data["reason"]))
    return content.render(volunteer_texts.MISSION_ORIENT_EMERGENCE)


def history_text(
    content: Content,
    config: Config,
    project: Project,
    history: list[Event],
    people: Mapping[int, Person],
) -> Html:
    """The last rows a person would care about, each saying what was recorded and by whom."""
    header = content.render(texts.PROJECT_HISTORY_HEADER, reference=project.reference or "")
    shown = [e for e in history if e.kind not in TECHNICAL_EVENTS][-HISTORY_LINES:]
    lines = []
    for event in shown:
        label = content.lists["events"].get(event.kind) or content.label(
            "events_followup", event.kind
        )
        detail = _detail(content, event, config, people)
        if detail:
            label = content.render(texts.PROJECT_HISTORY_DETAIL, event=label, detail=detail)
        moment = fr_datetime(event.occurred_at, config.tz)
        actor = people.get(event.actor_id) if event.actor_id else None
        if actor is None:
            lines.append(content.render(texts.PROJECT_HISTORY_LINE, date=moment, event=label))
        else:
            name = display_name(config, actor)
            lines.append(
                content.render(texts.PROJECT_HISTORY_BY, date=moment, event=label, actor=name)
            )
    body = "\n".join(lines) if lines else content.render(texts.PROJECT_HISTORY_EMPTY)
    return Html(f"{header}\n\n{body}")


def messages_text(
    content: Content,
    config: Config,
    project: Project,
    total: int,
    shown: list[Event],
    people: Mapping[int, Person],
) -> Html:
    """The conversation's last messages relayed by the bot (services/relay.py), oldest first."""
    header = content.render(
        notify_texts.RELAY_VIEW_HEADER, reference=project.reference or "", count=total
    )
    if not shown:
        return Html(f"{header}\n\n{content.render(notify_texts.RELAY_VIEW_EMPTY)}")
    lines = []
    for event in shown:
        day = fr_datetime(event.occurred_at, config.tz)
        if event.kind == events.RELAY_UNDELIVERED:
            lines.append(content.render(notify_texts.RELAY_VIEW_UNDELIVERED, date=day))
            continue
        data = event.data or {}
        media = str(data.get("media", "text"))
        said = shorten(str(data.get("text") or ""), EXCHANGE_NOTES_MAX)
        if media != "text":
            said = f"{content.label('relay_media', media)} {said}".strip()
        if not data:
            said = content.render(notify_texts.RELAY_ERASED)
        elif data.get("edited"):  # a correction of a message passed on before
            said = content.render(correction_texts.VIEW_EDITED, text=said)
        person = people.get(event.actor_id) if event.actor_id else None
        name = display_name(config, person) if person is not None else "?"
        key = (
            notify_texts.RELAY_VIEW_IN
            if event.kind == events.HOLDER_MESSAGE
            else notify_texts.RELAY_VIEW_OUT
        )
        lines.append(content.render(key, date=day, name=name, text=said))
    return Html(f"{header}\n\n" + "\n".join(lines))
