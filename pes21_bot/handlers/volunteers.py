"""Volunteers: /invitation (admin), /rejoindre, /profil, /benevoles (staff, admin), /retirer."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from telegram import Update

from pes21_bot import buttons, texts
from pes21_bot.content import Content, Html
from pes21_bot.context import Context
from pes21_bot.db.models import FormDraft, Person, Volunteer
from pes21_bot.handlers import forms
from pes21_bot.handlers.access import button, command
from pes21_bot.handlers.ui import (
    answer_query,
    edit_or_send,
    kick,
    repeated_press,
    reply,
    set_markup,
    user_info,
)
from pes21_bot.messages import handover as handover_messages
from pes21_bot.messages.delivery import queue_owners_reassigned, queue_to, set_volunteer_menu
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.render import fr_date, fr_day
from pes21_bot.services import handover, reviews, volunteers
from pes21_bot.services.people import display_name, ensure_person
from pes21_bot.services.volunteers import Redeemed
from pes21_bot.texts import team as team_texts
from pes21_bot.texts import volunteers as t
from pes21_bot.texts import week

logger = logging.getLogger(__name__)

MAX_LISTED = 60
PAUSE_LISTED = 10  # one "can't do it" button per bilan, a phone screen's worth

# The team by chat's part of /invitation and /rejoindre (handlers/team.py), composed in app.py.
StaffInvitation = Callable[[Update, Context, list[str]], Awaitable[None]]
JoinTeam = Callable[[Update, Context, str], Awaitable[bool]]


def missions_text(content: Content, missions: list[str]) -> str:
    """Missions as French labels."""
    if not missions:
        return content.render(texts.EMPTY_VALUE)
    return ", ".join(content.label("volunteer_missions", m) for m in missions)


def days_text(content: Content, days: list[str]) -> str:
    """Available days as French labels, or 'no preference'."""
    if not days:
        return content.render(t.DAYS_ANY)
    return ", ".join(content.label("weekdays", d) for d in days)


def status_text(content: Content, person: Person, volunteer: Volunteer, today: date) -> Html:
    """Available, on pause until..., or unreachable."""
    if person.unreachable_at is not None:
        return content.render(t.STATUS_UNREACHABLE)
    if volunteer.paused_until is not None and volunteer.paused_until >= today:
        return content.render(t.STATUS_PAUSED, date=fr_day(volunteer.paused_until))
    return content.render(t.STATUS_AVAILABLE)


async def invitation(update: Update, context: Context, staff_invitation: StaffInvitation) -> None:
    """/invitation benevole (or salarie PROGRAMME...): a one-time code, shown once."""
    data = context.bot_data
    staff_words = data.content.render(team_texts.INVITATION_STAFF_WORDS).casefold().split()
    if context.args and context.args[0].casefold() in staff_words:
        await staff_invitation(update, context, context.args[1:])
        return
    words = data.content.render(t.INVITATION_WORDS).casefold().split()
    if not context.args or context.args[0].casefold() not in words:
        await reply(update, data.content.render(t.INVITATION_USAGE))
        return
    async with data.transaction() as session:
        code, invite = await volunteers.create_invitation(
            session, data.config, user_info(update), data.clock.now()
        )
    await reply(
        update,
        data.content.render(
            t.INVITATION_CREATED, code=code, date=fr_date(invite.expires_at, data.config.tz)
        ),
    )


async def join(update: Update, context: Context, join_team: JoinTeam) -> int:
    """/rejoindre CODE: enrol the sender, then ask their missions and days."""
    data = context.bot_data
    content = data.content
    if not context.args:
        await reply(update, content.render(t.JOIN_USAGE))
        return forms.END
    code = " ".join(context.args)[: volunteers.MAX_CODE_INPUT]
    if await join_team(update, context, code):
        return forms.END
    async with data.transaction() as session:
        result = await volunteers.redeem(
            session, data.config, user_info(update), code, data.clock.now()
        )
    if result.status == Redeemed.LOCKED:
        assert result.locked_until is not None
        moment = result.locked_until.astimezone(data.config.tz).strftime("%H:%M")
        await reply(update, content.render(t.JOIN_LOCKED, time=moment))
        return forms.END
    if result.status == Redeemed.REFUSED:
        await reply(update, content.render(t.JOIN_REFUSED))
        return forms.END
    volunteer = result.volunteer
    assert volunteer is not None
    if result.status == Redeemed.ALREADY and volunteer.setup_done:
        await reply(update, content.render(t.JOIN_ALREADY))
        return forms.END
    assert update.effective_user is not None
    if result.status == Redeemed.ENROLLED:
        await reply(update, content.render(t.JOIN_WELCOME, name=update.effective_user.first_name))
        await set_volunteer_menu(context, update.effective_user.id, True)
    return await forms.begin(update, context, "vol_setup", volunteer.id)


async def _load(context: Context, telegram_id: int) -> tuple[Person, Volunteer] | None:
    async with context.bot_data.session_factory() as session:
        return await volunteers.active_volunteer(session, telegram_id)


def _profile_markup(content: Content, volunteer: Volunteer, today: date) -> Any:
    paused = volunteer.paused_until is not None and volunteer.paused_until >= today
    pause = (
        (content.render(t.PROFILE_RESUME), buttons.PROFILE.pack("resume"))
        if paused
        else (content.render(t.PROFILE_PAUSE), buttons.PROFILE.pack("pause"))
    )
    return keyboard(
        [
            [(content.render(t.PROFILE_MISSIONS), buttons.PROFILE.pack("missions"))],
            [(content.render(t.PROFILE_DAYS), buttons.PROFILE.pack("days"))],
            [pause],
        ]
    )


async def profile(update: Update, context: Context) -> int:
    """/profil: missions, days, pause, and buttons to change them."""
    assert update.effective_user is not None
    data = context.bot_data
    content = data.content
    found = await _load(context, update.effective_user.id)
    if found is None:
        await reply(update, content.render(t.NOT_VOLUNTEER))
        return forms.END
    person, volunteer = found
    if not volunteer.setup_done:
        return await forms.begin(update, context, "vol_setup", volunteer.id)
    today = forms.today(context)
    async with data.transaction() as session:
        fresh = await session.get(Person, person.id)
        row = await session.get(Volunteer, volunteer.id)
        assert fresh is not None and row is not None
        await volunteers.touch(session, fresh, row, data.clock.now())
        open_reviews, _ = await reviews.reviews_of(session, person.id)
    text = content.render(
        t.PROFILE,
        missions=missions_text(content, volunteer.missions),
        days=days_text(content, volunteer.days),
        status=status_text(content, fresh, volunteer, today),
        reviews=len(open_reviews),
    )
    await reply(update, text, _profile_markup(content, volunteer, today))
    return forms.END


async def on_profile_button(update: Update, context: Context) -> int | None:
    """A /profil button: start the matching short form, or resume reminders."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    parts = buttons.PROFILE.parse(query.data)
    found = await _load(context, update.effective_user.id)
    content = context.bot_data.content
    if found is None:
        await answer_query(query)
        await reply(update, content.render(t.NOT_VOLUNTEER))
        return forms.END
    person, volunteer = found
    action = parts.choice if parts else ""
    kinds = {"missions": "vol_missions", "days": "vol_days", "pause": "vol_pause"}
    if action in kinds:
        if await repeated_press(update, context):
            return None  # the form's question is already asked
        state = await forms.begin(update, context, kinds[action], volunteer.id)
        await answer_query(query)
        await set_markup(query, None)
        return state
    if action != "resume":
        await answer_query(query, content.render(texts.STALE_BUTTON))
        return forms.END
    data = context.bot_data
    async with data.transaction() as session:
        fresh_person = await session.get(Person, person.id)
        row = await session.get(Volunteer, volunteer.id)
        assert fresh_person is not None and row is not None
        await volunteers.save_profile(session, fresh_person, row, data.clock.now(), resume=True)
    await answer_query(query)
    await edit_or_send(query, content.render(t.RESUMED))
    return forms.END


async def _complete_profile(
    update: Update, context: Context, draft: FormDraft, answers: dict[str, Any]
) -> None:
    """Store a volunteer form (setup, missions, days or pause) and show the profile."""
    assert update.effective_user is not None
    data = context.bot_data
    content = data.content
    found = await _load(context, update.effective_user.id)
    if found is None or found[1].id != draft.target_id:
        await reply(update, content.render(t.NOT_VOLUNTEER))
        return
    person, volunteer = found
    paused = answers.get("paused_until")
    async with data.transaction() as session:
        fresh_person = await session.get(Person, person.id)
        row = await session.get(Volunteer, volunteer.id)
        assert fresh_person is not None and row is not None
        first = await volunteers.save_profile(
            session,
            fresh_person,
            row,
            data.clock.now(),
            missions=answers.get("missions"),
            days=answers.get("days") if "days" in answers else None,
            paused_until=date.fromisoformat(paused) if paused else None,
        )
        pending = (await reviews.reviews_of(session, person.id))[0] if paused else []
    missions = missions_text(content, row.missions)
    days = days_text(content, row.days)
    if first:
        await reply(update, content.render(t.SETUP_DONE, missions=missions, days=days))
        return
    status = status_text(content, fresh_person, row, forms.today(context))
    await reply(
        update, content.render(t.PROFILE_SAVED, missions=missions, days=days, status=status)
    )
    if pending:  # a pause gives no new bilan; the ones already given stay theirs unless declined
        rows = [
            [
                (
                    content.render(
                        week.PAUSE_DECLINE, reference=project.reference or "", number=review.number
                    ),
                    buttons.REVIEW.pack("decline", review.id),
                )
            ]
            for review, project in pending[:PAUSE_LISTED]
        ]
        text = content.render(week.PAUSE_PENDING, count=len(pending))
        await reply(update, text, keyboard(rows))


def volunteer_completers() -> dict[str, forms.Completer]:
    """What storing each volunteer form does (wired by app.py)."""
    return dict.fromkeys(("vol_setup", "vol_missions", "vol_days", "vol_pause"), _complete_profile)


async def _listed(update: Update, context: Context) -> list[volunteers.VolunteerView] | None:
    """The volunteers, or None after saying there is nobody yet."""
    data = context.bot_data
    async with data.session_factory() as session:
        views = await volunteers.list_volunteers(session)
    if not views:
        await reply(update, data.content.render(t.LIST_EMPTY))
        return None
    return views


async def list_volunteers(update: Update, context: Context) -> None:
    """/benevoles: who, missions, load, last activity."""
    views = await _listed(update, context)
    if views is None:
        return
    data = context.bot_data
    content = data.content
    today = forms.today(context)
    lines = [content.render(t.LIST_HEADER, count=len(views))]
    for view in views[:MAX_LISTED]:
        lines.append(
            content.render(
                t.LIST_LINE,
                name=display_name(data.config, view.person),
                missions=missions_text(content, view.volunteer.missions),
                load=view.open_reviews,
                last=fr_date(view.volunteer.last_activity_at, data.config.tz),
                status=status_text(content, view.person, view.volunteer, today),
            )
        )
    await reply(update, "\n".join(lines))


async def remove_menu(update: Update, context: Context) -> None:
    """/retirer: choose the volunteer to take off the list."""
    views = await _listed(update, context)
    if views is None:
        return
    data = context.bot_data
    content = data.content
    rows = [
        [(display_name(data.config, v.person), buttons.REMOVE.pack(v.person.id))]
        for v in views[:MAX_LISTED]
    ]
    await reply(update, content.render(t.REMOVE_CHOOSE), keyboard(rows))


async def on_remove_choice(update: Update, context: Context) -> None:
    """A volunteer chosen under /retirer: ask for confirmation."""
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    data = context.bot_data
    content = data.content
    parts = buttons.REMOVE.parse(query.data)
    person_id = parts.person if parts else None
    view = None
    if isinstance(person_id, int):
        async with data.session_factory() as session:
            view = await volunteers.get_view(session, person_id)
    if view is None:
        await reply(update, content.render(texts.STALE_BUTTON))
        return
    markup = keyboard(
        [
            [(content.render(t.REMOVE_YES), buttons.REMOVE_CONFIRM.pack(view.person.id, "yes"))],
            [(content.render(t.REMOVE_NO), buttons.REMOVE_CONFIRM.pack(view.person.id, "no"))],
        ]
    )
    name = display_name(data.config, view.person)
    await edit_or_send(
        query, content.render(t.REMOVE_CONFIRM, name=name, load=view.open_reviews), markup
    )


async def on_remove_confirm(update: Update, context: Context) -> None:
    """Confirmation of /retirer: the volunteer leaves, their open reviews go to someone else."""
    query = update.callback_query
    assert query is not None
    data = context.bot_data
    content = data.content
    parts = buttons.REMOVE_CONFIRM.parse(query.data)
    if parts is None:
        await answer_query(query, content.render(texts.STALE_BUTTON))
        return
    person_id = parts.person
    if parts.answer == "no":
        await answer_query(query)
        await edit_or_send(query, content.render(t.REMOVE_ABORTED))
        return
    now = data.clock.now()
    admin = user_info(update)
    async with data.transaction() as session:
        person = await volunteers.remove(session, person_id, admin, now)
        gone = await session.get(Person, person_id) if person is None else None
        if person is not None:
            actor = await ensure_person(session, admin, now)
            handed = await handover.hand_over(session, data.config, person, actor, now)
            moved = await reviews.reassign_open_reviews(session, data.config, person_id, now)
            name = display_name(data.config, person)
            queued = queue_to(session, context, person, content.render(t.REMOVED_NOTICE))
            queued += await queue_owners_reassigned(session, context, name, moved)
            queued += handover_messages.queue_notices(
                session, context, handed, team_texts.HANDED_OVER, admin.telegram_id, name=name
            )
    await answer_query(query)
    if person is None:  # a second press, or someone no longer listed: nothing changes
        await edit_or_send(
            query,
            content.render(t.ALREADY_REMOVED, name=display_name(data.config, gone))
            if gone is not None
            else content.render(texts.STALE_BUTTON),
        )
        return
    kick(context, queued)
    lines = [content.render(t.REMOVED, name=name, reviews=len(moved))]
    lines += handover_messages.handed_lines(context, handed, handover_messages.heirs(handed))
    if handed.to_admins():
        references = ", ".join(handed.to_admins())
        lines.append(content.render(team_texts.REMOVED_UNOWNED, references=references))
    await edit_or_send(query, Html("\n".join(lines)))
    await handover_messages.show_handed(context, handed)
    if person.telegram_id is not None:
        await set_volunteer_menu(context, person.telegram_id, False)


def volunteer_handlers(staff_invitation: StaffInvitation) -> list[Any]:
    """Commands and buttons that are not part of a form (registered after the forms)."""
    return [
        command("invitation", functools.partial(invitation, staff_invitation=staff_invitation)),
        command("benevoles", list_volunteers),
        command("retirer", remove_menu),
        button(buttons.REMOVE, on_remove_choice),
        button(buttons.REMOVE_CONFIRM, on_remove_confirm),
    ]


def volunteer_form_entries(join_team: JoinTeam) -> list[Any]:
    """Handlers that open a volunteer form: part of the forms conversation."""
    return [
        command("rejoindre", functools.partial(join, join_team=join_team)),
        command("profil", profile),
        button(buttons.PROFILE, on_profile_button),
    ]
