"""Volunteers: /invitation (admin), /rejoindre, /profil, /benevoles (staff, admin), /retirer."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from pes21_bot import texts
from pes21_bot.content import Content, Html
from pes21_bot.context import Context
from pes21_bot.db.models import FormDraft, Person, Volunteer
from pes21_bot.handlers import forms
from pes21_bot.handlers.common import commands_for
from pes21_bot.handlers.render import fr_date, fr_day
from pes21_bot.handlers.team import STAFF_WORDS, join_team, staff_invitation
from pes21_bot.handlers.ui import (
    answer_query,
    as_int,
    edit_or_send,
    keyboard,
    notify,
    pack,
    reply,
    unpack,
    user_info,
)
from pes21_bot.services import projects, reviews, volunteers
from pes21_bot.services.people import Role, display_name
from pes21_bot.services.volunteers import Redeemed
from pes21_bot.texts import volunteers as t

logger = logging.getLogger(__name__)

MAX_LISTED = 60


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


async def _set_volunteer_menu(context: Context, telegram_id: int, volunteer: bool) -> None:
    """Telegram's command menu in this chat: the volunteer commands, or back to the default."""
    content = context.bot_data.content
    roles = {Role.HOLDER, Role.VOLUNTEER} if volunteer else {Role.HOLDER}
    if context.bot_data.config.staff_member(telegram_id) or context.bot_data.config.is_admin(
        telegram_id
    ):
        return  # staff and admins keep the fuller menu set at start-up
    try:
        await context.bot.set_my_commands(
            [BotCommand(n, content.commands[n]) for n in commands_for(roles)],
            scope=BotCommandScopeChat(telegram_id),
        )
    except TelegramError as exc:
        logger.info("volunteer command menu not set: %s", exc)


def _is_admin(update: Update, context: Context) -> bool:
    assert update.effective_user is not None
    return context.bot_data.config.is_admin(update.effective_user.id)


def _is_staff_or_admin(update: Update, context: Context) -> bool:
    assert update.effective_user is not None
    config = context.bot_data.config
    user_id = update.effective_user.id
    return config.is_admin(user_id) or config.staff_member(user_id) is not None


async def refuse(update: Update, context: Context) -> None:
    """The same short refusal for every action someone's role does not allow."""
    assert update.effective_user is not None
    logger.warning("refused volunteer/admin action for user %s", update.effective_user.id)
    if update.callback_query is not None:
        await answer_query(
            update.callback_query, context.bot_data.content.render(texts.NOT_ALLOWED)
        )
    else:
        await reply(update, context.bot_data.content.render(texts.NOT_ALLOWED))


async def invitation(update: Update, context: Context) -> None:
    """/invitation benevole (or salarie PROGRAMME...): a one-time code, shown once."""
    if not _is_admin(update, context):
        await refuse(update, context)
        return
    data = context.bot_data
    if context.args and context.args[0].casefold() in STAFF_WORDS:
        await staff_invitation(update, context, context.args[1:])
        return
    if not context.args or context.args[0].casefold() not in ("benevole", "bénévole"):
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


async def join(update: Update, context: Context) -> int:
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
        await _set_volunteer_menu(context, update.effective_user.id, True)
    return await forms.begin(update, context, "vol_setup", volunteer.id)


async def _load(context: Context, telegram_id: int) -> tuple[Person, Volunteer] | None:
    async with context.bot_data.session_factory() as session:
        return await volunteers.active_volunteer(session, telegram_id)


def _profile_markup(content: Content, volunteer: Volunteer, today: date) -> Any:
    paused = volunteer.paused_until is not None and volunteer.paused_until >= today
    pause = (
        (content.render(t.PROFILE_RESUME), pack("vp", "resume"))
        if paused
        else (content.render(t.PROFILE_PAUSE), pack("vp", "pause"))
    )
    return keyboard(
        [
            [(content.render(t.PROFILE_MISSIONS), pack("vp", "missions"))],
            [(content.render(t.PROFILE_DAYS), pack("vp", "days"))],
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


async def on_profile_button(update: Update, context: Context) -> int:
    """A /profil button: start the matching short form, or resume reminders."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    await answer_query(query)
    parts = unpack(query.data, "vp", 1)
    found = await _load(context, update.effective_user.id)
    content = context.bot_data.content
    if found is None:
        await reply(update, content.render(t.NOT_VOLUNTEER))
        return forms.END
    person, volunteer = found
    action = parts[0] if parts else ""
    kinds = {"missions": "vol_missions", "days": "vol_days", "pause": "vol_pause"}
    if action in kinds:
        await query.edit_message_reply_markup(None)
        return await forms.begin(update, context, kinds[action], volunteer.id)
    if action != "resume":
        await reply(update, content.render(texts.STALE_BUTTON))
        return forms.END
    data = context.bot_data
    async with data.transaction() as session:
        fresh_person = await session.get(Person, person.id)
        row = await session.get(Volunteer, volunteer.id)
        assert fresh_person is not None and row is not None
        await volunteers.save_profile(session, fresh_person, row, data.clock.now(), resume=True)
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
    missions = missions_text(content, row.missions)
    days = days_text(content, row.days)
    if first:
        await reply(update, content.render(t.SETUP_DONE, missions=missions, days=days))
        return
    status = status_text(content, fresh_person, row, forms.today(context))
    await reply(
        update, content.render(t.PROFILE_SAVED, missions=missions, days=days, status=status)
    )


for _kind in ("vol_setup", "vol_missions", "vol_days", "vol_pause"):
    forms.register(_kind, _complete_profile)


async def _listed(
    update: Update, context: Context, allowed: bool
) -> list[volunteers.VolunteerView] | None:
    """The volunteers, for someone allowed to see them; otherwise a refusal or "nobody yet"."""
    if not allowed:
        await refuse(update, context)
        return None
    data = context.bot_data
    async with data.session_factory() as session:
        views = await volunteers.list_volunteers(session)
    if not views:
        await reply(update, data.content.render(t.LIST_EMPTY))
        return None
    return views


async def list_volunteers(update: Update, context: Context) -> None:
    """/benevoles: who, missions, load, last activity."""
    views = await _listed(update, context, _is_staff_or_admin(update, context))
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
    views = await _listed(update, context, _is_admin(update, context))
    if views is None:
        return
    data = context.bot_data
    content = data.content
    rows = [
        [(display_name(data.config, v.person), pack("vr", v.person.id))] for v in views[:MAX_LISTED]
    ]
    await reply(update, content.render(t.REMOVE_CHOOSE), keyboard(rows))


async def on_remove_choice(update: Update, context: Context) -> None:
    """A volunteer chosen under /retirer: ask for confirmation."""
    query = update.callback_query
    assert query is not None
    if not _is_admin(update, context):
        await refuse(update, context)
        return
    await answer_query(query)
    data = context.bot_data
    content = data.content
    parts = unpack(query.data, "vr", 1)
    person_id = as_int(parts[0]) if parts else None
    view = None
    if person_id is not None:
        async with data.session_factory() as session:
            view = await volunteers.get_view(session, person_id)
    if view is None:
        await reply(update, content.render(texts.STALE_BUTTON))
        return
    markup = keyboard(
        [
            [(content.render(t.REMOVE_YES), pack("vrx", view.person.id, "yes"))],
            [(content.render(t.REMOVE_NO), pack("vrx", view.person.id, "no"))],
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
    if not _is_admin(update, context):
        await refuse(update, context)
        return
    await answer_query(query)
    data = context.bot_data
    content = data.content
    parts = unpack(query.data, "vrx", 2)
    person_id = as_int(parts[0]) if parts else None
    if parts is None or person_id is None or parts[1] not in ("yes", "no"):
        await reply(update, content.render(texts.STALE_BUTTON))
        return
    if parts[1] == "no":
        await edit_or_send(query, content.render(t.REMOVE_ABORTED))
        return
    now = data.clock.now()
    async with data.transaction() as session:
        person = await volunteers.remove(session, person_id, user_info(update), now)
        moved = (
            await reviews.reassign_open_reviews(session, data.config, person_id, now)
            if person is not None
            else []
        )
    if person is None:
        await edit_or_send(query, content.render(texts.STALE_BUTTON))
        return
    name = display_name(data.config, person)
    await edit_or_send(query, content.render(t.REMOVED, name=name, reviews=len(moved)))
    if person.telegram_id is not None:
        await notify(context, person.telegram_id, content.render(t.REMOVED_NOTICE))
        await _set_volunteer_menu(context, person.telegram_id, False)
    await tell_owners_reassigned(context, name, moved)


async def tell_owners_reassigned(
    context: Context, name: str, moved: list[reviews.Reassigned]
) -> None:
    """Tell each staff owner that a review of their project changed hands, and to whom."""
    data = context.bot_data
    content = data.content
    if not moved:
        return
    async with data.session_factory() as session:
        ids = {m.project.owner_id for m in moved if m.project.owner_id}
        ids |= {m.assignee_id for m in moved if m.assignee_id}
        people = await projects.people_by_id(session, ids)
    for item in moved:
        owner = people.get(item.project.owner_id or 0)
        if owner is None or owner.telegram_id is None:
            continue
        assignee = people.get(item.assignee_id or 0)
        await notify(
            context,
            owner.telegram_id,
            content.render(
                t.OWNER_REASSIGNED,
                reference=item.project.reference or "",
                number=item.review.number,
                name=name,
                assignee=display_name(data.config, assignee),
            ),
        )


def volunteer_handlers() -> list[Any]:
    """Commands and buttons that are not part of a form (registered after the forms)."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("invitation", invitation, filters=private),
        CommandHandler("benevoles", list_volunteers, filters=private),
        CommandHandler("retirer", remove_menu, filters=private),
        CallbackQueryHandler(on_remove_choice, pattern=r"^vr:"),
        CallbackQueryHandler(on_remove_confirm, pattern=r"^vrx:"),
    ]


def volunteer_form_entries() -> list[Any]:
    """Handlers that open a volunteer form: part of the forms conversation."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("rejoindre", join, filters=private),
        CommandHandler("profil", profile, filters=private),
        CallbackQueryHandler(on_profile_button, pattern=r"^vp:"),
    ]
