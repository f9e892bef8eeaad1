"""The agenda's messages: the list of upcoming events, confirmations, offers and invitations."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from pes21_bot import buttons, texts
from pes21_bot.config import Config
from pes21_bot.content import Content, Html
from pes21_bot.context import BotData
from pes21_bot.db.models import AgendaEvent, OutboxMessage, Person, Registration, Reminder
from pes21_bot.domain.figures import AgendaFigures
from pes21_bot.domain.french_format import fr_int
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.render import fr_datetime, shorten
from pes21_bot.services import agenda, outbox, volunteers
from pes21_bot.services.people import Role, find_person, roles_of
from pes21_bot.texts import agenda as t

Rows = list[list[tuple[str, str]]]
BUTTON_TITLE_MAX = 40


def when(event: AgendaEvent, zone: tzinfo) -> str:
    """The event's local date and time: 08/12/2026 14:00."""
    return fr_datetime(event.starts_at, zone)


def _short_day(event: AgendaEvent, zone: tzinfo) -> str:
    return event.starts_at.astimezone(zone).strftime("%d/%m")


def place_of(event: AgendaEvent) -> str:
    """Where it takes place (an address or a link), or a dash."""
    return event.place or "—"


def _seats(content: Content, event: AgendaEvent) -> Html:
    if event.capacity is None:
        return Html("")
    left = event.capacity - event.seats_taken
    return content.render(t.FULL) if left <= 0 else content.render(t.SEATS_LEFT, count=left)


def _status(content: Content, event: AgendaEvent, state: str | None) -> Html:
    if state == agenda.REGISTERED:
        return content.render(t.STATUS_REGISTERED)
    if state == agenda.WAITING:
        return content.render(t.STATUS_WAITING)
    return _seats(content, event)


def label(content: Content, key: texts.TextKey, **params: object) -> str:
    """A button's text: plain text, so a title's "&" is not shown as "&amp;"."""
    return html.unescape(content.render(key, **params))


def event_button(
    content: Content, zone: tzinfo, event: AgendaEvent, state: str | None
) -> tuple[str, str]:
    """One button for an event: register, or cancel what one has (place or waiting list)."""
    params = {"date": _short_day(event, zone), "title": shorten(event.title, BUTTON_TITLE_MAX)}
    if state == agenda.REGISTERED:
        return label(content, t.BUTTON_CANCEL, **params), buttons.AGENDA.pack("cancel", event.id)
    if state == agenda.WAITING:
        text = label(content, t.BUTTON_LEAVE_WAIT, **params)
        return text, buttons.AGENDA.pack("cancel", event.id)
    return label(content, t.BUTTON_REGISTER, **params), buttons.AGENDA.pack("reg", event.id)


def agenda_view(
    content: Content, zone: tzinfo, found: Sequence[AgendaEvent], states: dict[int, str]
) -> tuple[Html, Rows]:
    """The upcoming events, each with its button (the header alone says when there are none)."""
    if not found:
        return content.render(texts.AGENDA_EMPTY), []
    entries = []
    for event in found:
        status = _status(content, event, states.get(event.id))
        details = f"{event.details}\n" if event.details and status else (event.details or "")
        entries.append(
            content.render(
                texts.AGENDA_ENTRY,
                date=when(event, zone),
                title=event.title,
                place=place_of(event),
                details=content.render(t.ENTRY_DETAILS, details=details, status=status),
            ).strip()
        )
    rows = [[event_button(content, zone, e, states.get(e.id))] for e in found]
    return Html("\n\n".join([content.render(texts.AGENDA_HEADER), *entries])), rows


def confirmation(content: Content, key: texts.TextKey, event: AgendaEvent, zone: tzinfo) -> Html:
    """A message about one event with its title, date and place."""
    return content.render(key, title=event.title, date=when(event, zone), place=place_of(event))


def wait_offer(content: Content, event: AgendaEvent) -> tuple[Html, Rows]:
    """A full event: the offer of its waiting list."""
    return (
        content.render(t.FULL_OFFER, title=event.title),
        [[(content.render(t.BUTTON_WAIT), buttons.AGENDA.pack("wait", event.id))]],
    )


def queue_promoted(
    session: AsyncSession,
    content: Content,
    zone: tzinfo,
    event: AgendaEvent,
    person: Person | None,
    now: datetime,
) -> list[OutboxMessage]:
    """Tell the first waiting person that the freed place is theirs (sent after the commit)."""
    if person is None or person.telegram_id is None:
        return []
    text = confirmation(content, t.PROMOTED, event, zone)
    cancel = [[event_button(content, zone, event, agenda.REGISTERED)]]
    return [outbox.add_message(session, person.telegram_id, text, now, buttons=cancel)]


async def queue_emergence_offer(
    session: AsyncSession, config: Config, content: Content, chat_id: int, now: datetime
) -> list[OutboxMessage]:
    """After an intake routed to accueil en amont: the next Émergence workshop, to register."""
    kind = config.events.intake_offer_kind
    if kind is None:
        return []
    found = await agenda.upcoming(session, now, agenda.audiences_for(False, False), kind, limit=1)
    if not found:
        return []
    event = found[0]
    text = confirmation(content, t.EMERGENCE_OFFER, event, config.tz)
    rows = [[event_button(content, config.tz, event, None)]]
    return [outbox.add_message(session, chat_id, text, now, buttons=rows)]


async def queue_volunteer_invitations(
    session: AsyncSession, config: Config, content: Content, event: AgendaEvent, now: datetime
) -> list[OutboxMessage]:
    """A vie-associative event open to volunteers: each enrolled volunteer is invited."""
    if event.kind != config.events.volunteer_invite_kind or event.audience == agenda.HOLDERS:
        return []
    text = confirmation(content, t.INVITATION, event, config.tz)
    rows = [[event_button(content, config.tz, event, None)]]
    return [
        outbox.add_message(session, view.person.telegram_id, text, now, buttons=rows)
        for view in await volunteers.list_volunteers(session)
        if view.person.telegram_id is not None
    ]


def attendance_sheet(
    content: Content, zone: tzinfo, event: AgendaEvent, rows: Sequence[tuple[Registration, Person]]
) -> tuple[Html, Rows]:
    """The attendance sheet: one button per registrant (pressing switches came / absent)."""
    keys = {
        agenda.ATTENDED: t.ATTENDANCE_CAME,
        agenda.ABSENT: t.ATTENDANCE_ABSENT,
        agenda.REGISTERED: t.ATTENDANCE_UNSET,
    }
    lines: Rows = []
    for registration, person in rows:
        name = " ".join(n for n in (person.first_name, person.last_name) if n) or "?"
        came = "no" if registration.state == agenda.ATTENDED else "yes"
        lines.append(
            [
                (
                    label(content, keys[registration.state], name=name),
                    buttons.ATTENDANCE_MARK.pack(event.id, registration.id, came),
                )
            ]
        )
    lines.append([(content.render(t.ATTENDANCE_FINISH), buttons.ATTENDANCE_FINISH.pack(event.id))])
    text = content.render(
        t.ATTENDANCE_SHEET, title=event.title, date=when(event, zone), count=len(rows)
    )
    return text, lines


async def reminder(
    session: AsyncSession, content: Content, zone: tzinfo, row: Reminder, now: datetime
) -> tuple[Html, InlineKeyboardMarkup | None] | None:
    """An agenda reminder as sent, or None when it no longer applies."""
    event = await agenda.reminder_applies(session, row, now)
    if event is None:
        return None
    if row.kind == agenda.EVENT_ATTENDANCE:
        text = content.render(t.ATTENDANCE_DUE, title=event.title, date=when(event, zone))
        shown = label(content, t.ATTENDANCE_EVENT, date=_short_day(event, zone), title=event.title)
        return text, keyboard([[(shown, buttons.ATTENDANCE.pack(event.id))]])
    text = confirmation(content, t.REMINDER, event, zone)
    return text, keyboard([[event_button(content, zone, event, agenda.REGISTERED)]])


def audiences_of(config: Config, telegram_id: int, person: Person | None) -> tuple[str, ...]:
    """The audiences whose events this person sees and may register to."""
    roles = roles_of(config, telegram_id, person)
    team = bool(roles & {Role.STAFF, Role.ADMIN})
    return agenda.audiences_for(Role.VOLUNTEER in roles, team)


async def agenda_screen(data: BotData, telegram_id: int) -> tuple[Html, Rows]:
    """The upcoming events this person may attend, with their registration buttons."""
    async with data.session_factory() as session:
        person = await find_person(session, telegram_id)
        found = await agenda.upcoming(
            session, data.clock.now(), audiences_of(data.config, telegram_id, person)
        )
        states = await agenda.states_of(session, person.id, [e.id for e in found]) if person else {}
    return agenda_view(data.content, data.config.tz, found, states)


def _detail(content: Content, counts: dict[str, int], name_of: Callable[[str], str]) -> Html:
    items = ", ".join(
        content.render(t.REPORT_ITEM, label=name_of(name), count=fr_int(count))
        for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )
    return content.render(t.REPORT_DETAIL, items=Html(items)) if items else Html("")


def figure_lines(content: Content, figures: AgendaFigures) -> list[Html]:
    """The lines of "Sensibilisation et formations" (after its header), as /rapport shows them."""
    if figures.empty:
        return [content.render(t.REPORT_NONE)]

    def kind(name: str) -> str:
        return content.label("event_kinds", name)

    lines = []
    if figures.workshops:
        total = sum(figures.workshops.values())
        detail = _detail(content, figures.workshops, kind)
        lines.append(content.render(t.REPORT_WORKSHOPS, count=fr_int(total), detail=detail))
    if figures.trainings:
        total = sum(figures.trainings.values())
        detail = _detail(content, figures.trainings, str)
        lines.append(content.render(t.REPORT_TRAININGS, count=fr_int(total), detail=detail))
    if figures.club_meetings:
        lines.append(content.render(t.REPORT_CLUB, count=fr_int(figures.club_meetings)))
    if figures.others:
        total = sum(figures.others.values())
        detail = _detail(content, figures.others, kind)
        lines.append(content.render(t.REPORT_OTHERS, count=fr_int(total), detail=detail))
    lines.append(content.render(t.REPORT_PARTICIPANTS, count=fr_int(figures.participants)))
    return lines


def report_block(content: Content, figures: AgendaFigures, period: str) -> list[Html]:
    """/rapport's block: its header with the period, then the figures."""
    return [content.render(t.REPORT_HEADER, period=period), *figure_lines(content, figures)]


def stats_block(content: Content, figures: AgendaFigures) -> list[Html]:
    """/stats' block: its header, then the figures."""
    return [content.render(t.STATS_HEADER), *figure_lines(content, figures)]
