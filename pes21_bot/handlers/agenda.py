"""The agenda: /atelier (staff create an event), /agenda and registrations, /presences."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, Update

from pes21_bot import buttons
from pes21_bot.buttons import Button
from pes21_bot.content import Html
from pes21_bot.context import BotData, Context
from pes21_bot.db.models import AgendaEvent, FormDraft, OutboxMessage, Person
from pes21_bot.handlers import forms
from pes21_bot.handlers.access import button, command, refuse_with
from pes21_bot.handlers.ui import (
    answer_query,
    edit_or_send,
    kick,
    repeated_press,
    reply,
    user_info,
)
from pes21_bot.messages import agenda as messages
from pes21_bot.messages.markup import keyboard
from pes21_bot.services import agenda, outbox
from pes21_bot.services.people import ensure_person, find_person
from pes21_bot.texts import STALE_BUTTON, TextKey, week
from pes21_bot.texts import agenda as t

logger = logging.getLogger(__name__)

Rows = messages.Rows


async def show_agenda(update: Update, context: Context) -> None:
    """/agenda: the upcoming events."""
    assert update.effective_user is not None
    text, rows = await messages.agenda_screen(context.bot_data, update.effective_user.id)
    await reply(update, text, keyboard(rows) if rows else None)


async def on_agenda_button(update: Update, context: Context) -> None:
    """Register, join the waiting list, or cancel: stored first, then acknowledged."""
    if await repeated_press(update, context):
        return
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    data = context.bot_data
    content = data.content
    parsed = buttons.AGENDA.parse(query.data)
    if parsed is None:
        await refuse_with(update, context, STALE_BUTTON)
        return
    action, event_id = parsed.action, parsed.target
    now = data.clock.now()
    queued: list[OutboxMessage] = []
    markup: Rows = []
    async with data.transaction() as session:
        person = await ensure_person(session, user_info(update), now)
        event = await agenda.get_event(session, event_id)
        if event is None:
            text = content.render(STALE_BUTTON)
        elif agenda.is_over(event, now):  # a past event's buttons (a late reminder, an old list)
            text = content.render(week.EVENT_OVER, title=event.title)
        elif action == "cancel":
            text, queued = await _withdraw(session, context, event, person, now)
        elif event.audience not in messages.audiences_of(
            context.bot_data.config, update.effective_user.id, person
        ):
            text = content.render(t.NOT_FOR_YOU)
        else:
            result = await agenda.register(
                session, data.config, event, person.id, now, wait=action == "wait"
            )
            text, markup = await _registered_text(session, context, event, person, result, now)
    await answer_query(query)
    await reply(update, text, keyboard(markup) if markup else None)
    kick(context, queued)


async def _registered_text(
    session: AsyncSession,
    context: Context,
    event: AgendaEvent,
    person: Person,
    result: agenda.Registered | None,
    now: datetime,
) -> tuple[Html, Rows]:
    content, zone = context.bot_data.content, context.bot_data.config.tz
    if result is None:
        if event.state != agenda.SCHEDULED or event.starts_at <= now:
            return content.render(t.CLOSED), []
        return messages.wait_offer(content, event)
    button_row = [[messages.event_button(content, zone, event, result.state)]]
    if result.state == agenda.WAITING:
        if result.already:
            return content.render(t.ALREADY_WAITING, title=event.title), button_row
        position = await agenda.waiting_rank(session, event.id, person.id)
        return content.render(t.WAITING, title=event.title, position=position), button_row
    if result.already:
        return content.render(t.ALREADY_REGISTERED, title=event.title), button_row
    return messages.confirmation(content, t.REGISTERED, event, zone), button_row


async def _withdraw(
    session: AsyncSession, context: Context, event: AgendaEvent, person: Person, now: datetime
) -> tuple[Html, list[OutboxMessage]]:
    data = context.bot_data
    content = data.content
    done = await agenda.withdraw(session, data.config, event, person.id, now)
    if done.previous is None:
        return content.render(t.NOT_REGISTERED), []
    queued: list[OutboxMessage] = []
    if done.promoted is not None:
        promoted = await session.get(Person, done.promoted)
        queued = messages.queue_promoted(session, content, data.config.tz, event, promoted, now)
    key = t.LEFT_WAIT if done.previous == agenda.WAITING else t.CANCELLED
    return content.render(key, title=event.title), queued


# /atelier: a short form of the engine (domain/forms.py EVENT), stored by _complete_event.


async def new_event(update: Update, context: Context) -> int:
    """/atelier: the form of a new event."""
    return await forms.begin(update, context, "event", None)


async def _complete_event(
    update: Update, context: Context, draft: FormDraft, answers: dict[str, Any]
) -> None:
    data = context.bot_data
    content, config = data.content, data.config
    if answers.get("ev_kind") not in config.events.kinds:
        await reply(update, content.render(t.UNKNOWN_KIND))
        return
    new = agenda.answers_event(answers, config.tz)
    now = data.clock.now()
    async with data.transaction() as session:
        person = await ensure_person(session, user_info(update), now)
        event = agenda.add_event(session, new, person.id, now)
        await session.flush()
        await agenda.plan_attendance_prompt(session, event)
        queued = await messages.queue_volunteer_invitations(session, config, content, event, now)
    capacity = (
        str(event.capacity) if event.capacity is not None else content.render(t.CAPACITY_NONE)
    )
    await reply(
        update,
        content.render(
            t.CREATED,
            title=event.title,
            date=messages.when(event, config.tz),
            place=messages.place_of(event),
            kind=content.label("event_kinds", event.kind),
            capacity=capacity,
        ),
    )
    if queued:
        await reply(update, content.render(t.VOLUNTEERS_INVITED, count=len(queued)))
    kick(context, queued)


# Attendance: /presences, a sheet per event, then the walk-ins (form "ev_walkins").


async def _recordable(
    update: Update, context: Context, event_id: int, refusal: TextKey = t.ATTENDANCE_NOT_YOURS
) -> AgendaEvent | None:
    """The event, if the presser created it or is an admin; else a refusal."""
    assert update.effective_user is not None
    data = context.bot_data
    async with data.session_factory() as session:
        event = await agenda.get_event(session, event_id)
        person = await find_person(session, update.effective_user.id)
    if event is None:
        await refuse_with(update, context, STALE_BUTTON)
        return None
    mine = person is not None and event.created_by_id == person.id
    if not (mine or data.config.is_admin(update.effective_user.id)):
        await refuse_with(update, context, refusal)
        return None
    return event


@dataclass(frozen=True)
class Pressed:
    """An attendance button the presser may use: the event, the button's fields, the press."""

    event: AgendaEvent
    values: tuple[int | str, ...]
    query: CallbackQuery


async def _pressed_event(update: Update, context: Context, family: Button) -> Pressed | None:
    """Parse an attendance button (event id first) and check the presser may record it."""
    query = update.callback_query
    assert query is not None
    values = family.parse(query.data)
    event_id = values[0] if values is not None and isinstance(values[0], int) else 0
    event = await _recordable(update, context, event_id)
    if event is None or values is None:
        return None
    return Pressed(event, values, query)


async def attendance_menu(update: Update, context: Context) -> None:
    """/presences: past events whose attendance is not recorded (one's own; an admin's: all)."""
    assert update.effective_user is not None
    data = context.bot_data
    content, zone = data.content, data.config.tz
    admin = data.config.is_admin(update.effective_user.id)
    async with data.session_factory() as session:
        person = await find_person(session, update.effective_user.id)
        creator = None if admin or person is None else person.id
        allowed = admin or person is not None
        now = data.clock.now()
        found = await agenda.to_record(session, creator, now) if allowed else []
        held = await agenda.correctable(session, creator, now) if allowed else []
    if not found and not held:
        await reply(update, content.render(t.ATTENDANCE_NONE))
        return
    # Recorded ones come after, to be corrected (a name ticked wrongly, walk-ins miscounted).
    rows = [
        [
            (
                messages.label(content, key, date=messages.when(e, zone), title=e.title),
                buttons.ATTENDANCE.pack(e.id),
            )
        ]
        for key, events in ((t.ATTENDANCE_EVENT, found), (week.ATTENDANCE_CORRECT, held))
        for e in events
    ]
    await reply(update, content.render(t.ATTENDANCE_CHOOSE), keyboard(rows))


async def _sheet(context: Context, event: AgendaEvent) -> tuple[Html, Rows]:
    data = context.bot_data
    async with data.session_factory() as session:
        rows = await agenda.registrants(session, event.id)
    return messages.attendance_sheet(data.content, data.config.tz, event, rows)


async def on_attendance(update: Update, context: Context) -> None:
    """An event of /presences: its attendance sheet."""
    if await repeated_press(update, context):
        return
    pressed = await _pressed_event(update, context, buttons.ATTENDANCE)
    if pressed is None:
        return
    await answer_query(pressed.query)
    text, rows = await _sheet(context, pressed.event)
    await reply(update, text, keyboard(rows))


async def on_mark(update: Update, context: Context) -> None:
    """A registrant came (or not): stored, then the sheet shows it."""
    pressed = await _pressed_event(update, context, buttons.ATTENDANCE_MARK)
    if pressed is None:
        return
    data = context.bot_data
    registration_id, came = int(pressed.values[1]), pressed.values[2] == "yes"
    async with data.transaction() as session:
        row = await agenda.set_attendance(
            session, pressed.event.id, registration_id, came, data.clock.now()
        )
    if row is None:
        await refuse_with(update, context, STALE_BUTTON)
        return
    await answer_query(pressed.query)
    text, rows = await _sheet(context, pressed.event)
    await edit_or_send(pressed.query, text, keyboard(rows))


async def on_finish(update: Update, context: Context) -> int | None:
    """'Terminer': how many came without registering (a short form)."""
    if await repeated_press(update, context):
        return None  # the form's question is already asked
    pressed = await _pressed_event(update, context, buttons.ATTENDANCE_FINISH)
    if pressed is None:
        return forms.END
    await answer_query(pressed.query)
    return await forms.begin(update, context, "ev_walkins", pressed.event.id)


async def _complete_walk_ins(
    update: Update, context: Context, draft: FormDraft, answers: dict[str, Any]
) -> None:
    data = context.bot_data
    content = data.content
    assert update.effective_user is not None
    async with data.transaction() as session:
        event = await agenda.get_event(session, draft.target_id or 0)
        if event is None:
            await reply(update, content.render(STALE_BUTTON))
            return
        person = await find_person(session, update.effective_user.id)
        walk_ins = int(answers.get("walk_ins") or 0)
        await agenda.mark_held(
            session, event, walk_ins, person.id if person else None, data.clock.now()
        )
        came = await agenda.attended_count(session, event.id)
    await reply(
        update,
        content.render(
            t.ATTENDANCE_DONE,
            title=event.title,
            came=came,
            walk_ins=walk_ins,
            total=agenda.participants(event, came),
        ),
    )


# Cancelling an event to come: /annuler_atelier, then the event's button, then confirmed.


async def cancel_menu(update: Update, context: Context) -> None:
    """/annuler_atelier: events to come one may cancel (one's own; an admin's: all)."""
    assert update.effective_user is not None
    data = context.bot_data
    content, zone = data.content, data.config.tz
    admin = data.config.is_admin(update.effective_user.id)
    async with data.session_factory() as session:
        person = await find_person(session, update.effective_user.id)
        found = []
        if admin or person is not None:
            creator = None if admin or person is None else person.id
            found = await agenda.cancellable(session, creator, data.clock.now())
    if not found:
        await reply(update, content.render(week.EVENT_CANCEL_NONE))
        return
    rows = [
        [
            (
                messages.label(
                    content, week.EVENT_CANCEL_BUTTON, date=messages.when(e, zone), title=e.title
                ),
                buttons.EVENT_CANCEL.pack("ask", e.id),
            )
        ]
        for e in found
    ]
    await reply(update, content.render(week.EVENT_CANCEL_CHOOSE), keyboard(rows))


async def on_cancel_event(update: Update, context: Context) -> None:
    """An event chosen (asked to confirm), confirmed (cancelled, people told) or kept."""
    query = update.callback_query
    assert query is not None
    parsed = buttons.EVENT_CANCEL.parse(query.data)
    if parsed is None:
        await refuse_with(update, context, STALE_BUTTON)
        return
    action, event_id = parsed.action, parsed.target
    if action == "ask" and await repeated_press(update, context):
        return  # one confirmation question is enough
    event = await _recordable(update, context, event_id, week.EVENT_CANCEL_NOT_YOURS)
    if event is None:
        return
    data = context.bot_data
    content, zone = data.content, data.config.tz
    if action == "ask":
        async with data.session_factory() as session:
            count = len(await agenda.active_people(session, event.id))
        await answer_query(query)
        text = content.render(
            week.EVENT_CANCEL_CONFIRM,
            title=event.title,
            date=messages.when(event, zone),
            count=count,
        )
        choices = [
            [(content.render(week.EVENT_CANCEL_YES), buttons.EVENT_CANCEL.pack("yes", event.id))],
            [(content.render(week.EVENT_CANCEL_NO), buttons.EVENT_CANCEL.pack("no", event.id))],
        ]
        await reply(update, text, keyboard(choices))
        return
    if action == "no":
        await answer_query(query)
        await edit_or_send(query, content.render(week.EVENT_CANCEL_KEPT, title=event.title))
        return
    await _cancel(update, context, event, query)


async def _cancel(
    update: Update, context: Context, event: AgendaEvent, query: CallbackQuery
) -> None:
    """The event cancelled first, its people's notices queued with it; then the answer."""
    assert update.effective_user is not None
    data = context.bot_data
    content, zone = data.content, data.config.tz
    now = data.clock.now()
    queued: list[OutboxMessage] = []
    async with data.transaction() as session:
        actor = await find_person(session, update.effective_user.id)
        fresh = await agenda.get_event(session, event.id)
        told = (
            None
            if fresh is None
            else await agenda.cancel_event(session, fresh, actor.id if actor else None, now)
        )
        notice = content.render(
            week.EVENT_CANCELLED_NOTICE, title=event.title, date=messages.when(event, zone)
        )
        for person in told or []:
            if person.telegram_id is not None:
                queued.append(outbox.add_message(session, person.telegram_id, notice, now))
    if told is None and fresh is not None and fresh.state == agenda.CANCELLED:
        # A second press (the first one's answer may have been lost): the outcome again.
        await answer_query(query)
        await edit_or_send(query, content.render(week.EVENT_CANCEL_ALREADY, title=event.title))
        return
    if told is None:  # already over: nothing changed
        await answer_query(query, content.render(week.EVENT_CANCEL_GONE))
        return
    await answer_query(query)
    done = content.render(week.EVENT_CANCEL_DONE, title=event.title, count=len(told))
    await edit_or_send(query, done)
    kick(context, queued)


async def seed_agenda(data: BotData) -> None:
    """At start-up: the contenus/agenda.yaml entries not imported yet become events."""
    entries = agenda.seed_entries(data.content.agenda, data.config)
    async with data.transaction() as session:
        added = await agenda.seed(session, entries, data.clock.now())
    if added:
        logger.info("agenda: %d events imported from agenda.yaml", added)


def agenda_completers() -> dict[str, forms.Completer]:
    """What storing the agenda's forms does (wired by app.py)."""
    return {"event": _complete_event, "ev_walkins": _complete_walk_ins}


def agenda_form_entries() -> list[Any]:
    """Handlers that open an agenda form: part of the forms conversation."""
    return [command("atelier", new_event), button(buttons.ATTENDANCE_FINISH, on_finish)]


def agenda_handlers() -> list[Any]:
    """The agenda's commands and buttons that are not part of a form."""
    return [
        command("agenda", show_agenda),
        command("presences", attendance_menu),
        command("annuler_atelier", cancel_menu),
        button(buttons.EVENT_CANCEL, on_cancel_event),
        button(buttons.AGENDA, on_agenda_button),
        button(buttons.ATTENDANCE, on_attendance),
        button(buttons.ATTENDANCE_MARK, on_mark),
    ]
