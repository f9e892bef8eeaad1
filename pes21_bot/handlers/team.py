"""The team by chat: staff invitations and joining, and /equipe (admins) with its buttons."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import CallbackQuery, Update

from pes21_bot import buttons, texts
from pes21_bot.config import PROGRAMMES, StaffMember
from pes21_bot.content import Content, Html
from pes21_bot.context import BotData, Context
from pes21_bot.db.models import OutboxMessage
from pes21_bot.handlers.access import button, command
from pes21_bot.handlers.ui import (
    answer_query,
    edit_or_send,
    kick,
    reply,
    send_notice,
    user_info,
)
from pes21_bot.labels import programme_names
from pes21_bot.messages import handover as handover_messages
from pes21_bot.messages.delivery import set_team_menu
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.render import fr_date
from pes21_bot.services import outbox, team, volunteers
from pes21_bot.services.handover import HandOver
from pes21_bot.services.people import display_name
from pes21_bot.texts import handover as handover_texts
from pes21_bot.texts import team as t

logger = logging.getLogger(__name__)

MAX_VOLUNTEERS_LISTED = 40


async def refresh_team(data: BotData) -> None:
    """Rebuild the team view (config.yaml merged with the chat's changes) every lookup reads."""
    async with data.session_factory() as session:
        data.config = await team.effective_config(session, data.base_config)


def _programmes_text(content: Content, programmes: list[str]) -> str:
    if not programmes:
        return content.render(t.NOBODY)
    return ", ".join(content.programme_name(p) for p in programmes)


def _last_text(data: BotData, moment: datetime | None) -> str:
    return fr_date(moment, data.config.tz) if moment else data.content.render(t.NEVER)


async def staff_invitation(update: Update, context: Context, words: list[str]) -> None:
    """/invitation salarie PROGRAMME...: a one-time staff code (/invitation is for admins)."""
    data = context.bot_data
    content = data.content
    programmes = team.parse_programmes(words, programme_names(content))
    if programmes is None:
        await reply(
            update,
            content.render(
                t.INVITATION_STAFF_USAGE, programmes=_programmes_text(content, list(PROGRAMMES))
            ),
        )
        return
    async with data.transaction() as session:
        code, invite = await team.create_invitation(
            session, data.config, user_info(update), programmes, data.clock.now()
        )
    await reply(
        update,
        content.render(
            t.INVITATION_STAFF_CREATED,
            code=code,
            date=fr_date(invite.expires_at, data.config.tz),
            programmes=_programmes_text(content, programmes),
        ),
    )


async def join_team(update: Update, context: Context, code: str) -> bool:
    """/rejoindre with a staff code: join the team at once; False if it is no staff code."""
    data = context.bot_data
    content = data.content
    user = user_info(update)
    async with data.transaction() as session:
        joined = await team.redeem(session, data.config, user, code, data.clock.now())
    if joined is None:
        return False
    await refresh_team(data)
    programmes = _programmes_text(content, joined.programmes)
    name = user.first_name or ""
    await reply(update, content.render(t.JOINED, name=name, programmes=programmes))
    await set_team_menu(context, user.telegram_id)
    full = data.config.member_name(user.telegram_id) or name
    for admin in data.config.admins:
        if admin.id != user.telegram_id:
            await send_notice(
                context,
                admin.id,
                content.render(t.JOINED_ADMINS, name=full, programmes=programmes),
            )
    return True


async def team_command(update: Update, context: Context) -> None:
    """/equipe: admins, staff (programmes, coordination, last activity), volunteers."""
    await reply(update, *await _listing(context))


async def _listing(context: Context) -> tuple[Html, Any]:
    data = context.bot_data
    config, content = data.config, data.content
    async with data.session_factory() as session:
        staff = await team.members(session, config)
        seen = await team.last_seen(session, [a.id for a in config.admins])
        helpers = await volunteers.list_volunteers(session)
    lines = [
        content.render(t.LIST_HEADER),
        content.render(
            t.LIST_ADMINS,
            names=", ".join(
                f"{a.name} ({_last_text(data, seen.get(a.id))})" for a in config.admins
            ),
        ),
        "",
        content.render(t.LIST_STAFF_HEADER, count=len(staff)),
    ]
    for member in staff:
        coordination = (
            content.render(
                t.LIST_COORDINATION, programmes=_programmes_text(content, member.coordinates)
            )
            if member.coordinates
            else ""
        )
        lines.append(
            content.render(
                t.LIST_STAFF_LINE,
                name=member.name,
                programmes=_programmes_text(content, member.programmes),
                coordination=coordination,
                last=_last_text(data, member.last_seen),
            )
        )
    lines.append("")
    if helpers:
        lines.append(content.render(t.LIST_VOLUNTEERS_HEADER, count=len(helpers)))
        for view in helpers[:MAX_VOLUNTEERS_LISTED]:
            lines.append(
                content.render(
                    t.LIST_VOLUNTEER_LINE,
                    name=display_name(config, view.person),
                    missions=", ".join(
                        content.label("volunteer_missions", m) for m in view.volunteer.missions
                    )
                    or content.render(t.NOBODY),
                    last=_last_text(data, view.volunteer.last_activity_at),
                )
            )
    else:
        lines.append(content.render(t.LIST_NO_VOLUNTEER))
    lines += ["", content.render(t.LIST_CHOOSE)]
    rows = [
        [(content.render(t.EDIT, name=m.name), buttons.TEAM.pack(m.telegram_id, "show"))]
        for m in staff
    ]
    return Html("\n".join(lines)), keyboard(rows)


async def _member_panel(context: Context, telegram_id: int) -> tuple[Html, Any] | None:
    data = context.bot_data
    content = data.content
    async with data.session_factory() as session:
        found = next(
            (m for m in await team.members(session, data.config) if m.telegram_id == telegram_id),
            None,
        )
    if found is None:
        return None
    text = content.render(
        t.MEMBER,
        name=found.name,
        programmes=_programmes_text(content, found.programmes),
        coordination=_programmes_text(content, found.coordinates),
        last=_last_text(data, found.last_seen),
    )
    markup = keyboard(
        [
            [(content.render(t.BUTTON_PROGRAMMES), buttons.TEAM.pack(telegram_id, "prog"))],
            [(content.render(t.BUTTON_COORDINATE), buttons.TEAM.pack(telegram_id, "coord"))],
            [(content.render(t.BUTTON_REMOVE), buttons.TEAM.pack(telegram_id, "rm"))],
            [(content.render(t.BUTTON_TEAM), buttons.TEAM.pack(0, "list"))],
        ]
    )
    return text, markup


def _programmes_markup(content: Content, telegram_id: int, programmes: list[str]) -> Any:
    rows = []
    for programme in PROGRAMMES:
        followed = programme in programmes
        label = content.render(
            t.PROGRAMME_ON if followed else t.PROGRAMME_OFF,
            programme=content.programme_name(programme),
        )
        rows.append(
            [
                (
                    label,
                    buttons.TEAM_PROGRAMME.pack(
                        telegram_id, "off" if followed else "on", programme
                    ),
                )
            ]
        )
    rows.append([(content.render(t.BUTTON_BACK), buttons.TEAM.pack(telegram_id, "show"))])
    return keyboard(rows)


@dataclass(frozen=True)
class _Press:
    """A valid /equipe button pressed by an admin, about a current staff member."""

    update: Update
    context: Context
    query: CallbackQuery
    member: StaffMember
    programme: str | None

    @property
    def data(self) -> BotData:
        """The bot's shared state."""
        return self.context.bot_data

    @property
    def content(self) -> Content:
        """The texts."""
        return self.context.bot_data.content

    def button(self, label: Html, action: str) -> tuple[str, str]:
        """A button about the same member."""
        return label, buttons.TEAM.pack(self.member.id, action)

    def programme_button(self, label: Html, action: str, programme: str) -> tuple[str, str]:
        """A button about one programme of the same member."""
        return label, buttons.TEAM_PROGRAMME.pack(self.member.id, action, programme)


async def on_team_button(update: Update, context: Context) -> None:
    """A /equipe button about a member (or the whole team); each change stored, then redrawn."""
    query = update.callback_query
    assert query is not None
    values = buttons.TEAM.parse(query.data)
    if values is None:
        await answer_query(query, context.bot_data.content.render(texts.STALE_BUTTON))
        return
    telegram_id, action = values
    if action == "list":
        await answer_query(query)
        await edit_or_send(query, *await _listing(context))
        return
    await _run(update, context, int(telegram_id), str(action), None)


async def on_team_programme(update: Update, context: Context) -> None:
    """A /equipe button about one programme of a member: follow, stop, coordinate."""
    query = update.callback_query
    assert query is not None
    values = buttons.TEAM_PROGRAMME.parse(query.data)
    if values is None or values[2] not in PROGRAMMES:
        await answer_query(query, context.bot_data.content.render(texts.STALE_BUTTON))
        return
    telegram_id, action, programme = values
    await _run(update, context, int(telegram_id), str(action), str(programme))


async def _run(
    update: Update, context: Context, telegram_id: int, action: str, programme: str | None
) -> None:
    query = update.callback_query
    assert query is not None
    content = context.bot_data.content
    member = context.bot_data.config.staff_member(telegram_id)
    if member is None:
        await answer_query(query, content.render(t.MEMBER_GONE))
        await edit_or_send(query, content.render(t.MEMBER_GONE))
        return
    await _ACTIONS[action](_Press(update, context, query, member, programme))


async def _show(press: _Press) -> None:
    panel = await _member_panel(press.context, press.member.id)
    await answer_query(press.query)
    if panel is not None:
        await edit_or_send(press.query, *panel)


async def _programmes(press: _Press) -> None:
    await answer_query(press.query)
    await _programmes_panel(press, list(press.member.programmes))


async def _programmes_panel(press: _Press, programmes: list[str]) -> None:
    await edit_or_send(
        press.query,
        press.content.render(t.PROGRAMMES_PROMPT, name=press.member.name),
        _programmes_markup(press.content, press.member.id, programmes),
    )


async def _add(press: _Press) -> None:
    await _toggle(press, keep=True)


async def _drop(press: _Press) -> None:
    await _toggle(press, keep=False)


async def _toggle(press: _Press, *, keep: bool) -> None:
    data, programme = press.data, press.programme
    assert programme is not None
    if not keep and list(press.member.programmes) == [programme]:
        await answer_query(press.query, press.content.render(t.LAST_PROGRAMME))
        return
    admin = user_info(press.update)
    name = press.member.name
    programme_name = press.content.programme_name(programme)
    async with data.transaction() as session:
        change = await team.set_programme(
            session, data.config, press.member.id, programme, keep, admin, data.clock.now()
        )
        queued = (
            handover_messages.queue_notices(
                session,
                press.context,
                change.handed,
                handover_texts.HEIR_PROGRAMME_LOST,
                admin.telegram_id,
                name=name,
                programme=programme_name,
            )
            if change is not None
            else []
        )
    kick(press.context, queued)
    await refresh_team(data)
    await answer_query(press.query)
    if change is None:
        return
    await _programmes_panel(press, list(change.row.programmes))
    if not keep:
        await _tell_programme_lost(press, change.handed, programme_name)


async def _tell_programme_lost(press: _Press, handed: HandOver, programme: str) -> None:
    """The admin is told which dossiers of the programme went to whom."""
    content = press.content
    lines = [
        content.render(
            handover_texts.PROGRAMME_LOST,
            name=press.member.name,
            programme=programme,
            count=len(handed.handed),
        )
    ]
    lines += handover_messages.handed_lines(press.context, handed, handover_messages.heirs(handed))
    if handed.to_admins():
        lines.append(content.render(t.REMOVED_UNOWNED, references=", ".join(handed.to_admins())))
    await reply(press.update, Html("\n".join(lines)))
    await handover_messages.show_handed(press.context, handed)


async def _coordinate(press: _Press) -> None:
    content, member = press.content, press.member
    coordinators = press.data.config.programmes
    choices = [p for p in member.programmes if coordinators[p].coordinator != member.id]
    await answer_query(press.query)
    back = press.button(content.render(t.BUTTON_BACK), "show")
    if not choices:
        text = content.render(t.COORDINATE_ALL, name=member.name)
        await edit_or_send(press.query, text, keyboard([[back]]))
        return
    rows = [
        [
            press.programme_button(
                content.render(t.COORDINATE_BUTTON, programme=content.programme_name(p)),
                "mkc",
                p,
            )
        ]
        for p in choices
    ]
    text = content.render(t.COORDINATE_PROMPT, name=member.name)
    await edit_or_send(press.query, text, keyboard([*rows, [back]]))


async def _make_coordinator(press: _Press) -> None:
    data, programme, member = press.data, press.programme, press.member
    assert programme is not None
    already = data.config.programmes[programme].coordinator == member.id  # type: ignore[index]
    async with data.transaction() as session:
        row = await team.make_coordinator(
            session, data.config, member.id, programme, user_info(press.update), data.clock.now()
        )
    if row is None:
        await answer_query(press.query, press.content.render(texts.STALE_BUTTON))
        return
    await refresh_team(data)
    await _show(press)
    if not already:
        name = press.content.programme_name(programme)
        await send_notice(
            press.context, member.id, press.content.render(t.COORDINATOR_NOTICE, programme=name)
        )


async def _remove_ask(press: _Press) -> None:
    content = press.content
    await answer_query(press.query)
    markup = keyboard(
        [
            [press.button(content.render(t.REMOVE_YES), "rmyes")],
            [press.button(content.render(t.REMOVE_NO), "show")],
        ]
    )
    text = content.render(t.REMOVE_CONFIRM, name=press.member.name)
    await edit_or_send(press.query, text, markup)


async def _remove(press: _Press) -> None:
    data, content, telegram_id = press.data, press.content, press.member.id
    admin = user_info(press.update)
    async with data.transaction() as session:
        removal = await team.remove(session, data.config, telegram_id, admin, data.clock.now())
        queued: list[OutboxMessage] = []
        if removal is not None:
            queued = handover_messages.queue_notices(
                session,
                press.context,
                removal.handed,
                t.HANDED_OVER,
                admin.telegram_id,
                name=removal.name,
            )
            queued.append(
                outbox.add_message(
                    session, telegram_id, content.render(t.REMOVED_NOTICE), data.clock.now()
                )
            )
    await answer_query(press.query)
    if removal is None:
        await edit_or_send(press.query, content.render(t.MEMBER_GONE))
        return
    kick(press.context, queued)
    await refresh_team(data)
    handed = removal.handed
    lines = [content.render(t.REMOVED, name=removal.name, count=len(handed.handed))]
    lines += handover_messages.handed_lines(press.context, handed, handover_messages.heirs(handed))
    if handed.to_admins():
        lines.append(content.render(t.REMOVED_UNOWNED, references=", ".join(handed.to_admins())))
    back = (content.render(t.BUTTON_TEAM), buttons.TEAM.pack(0, "list"))
    await edit_or_send(press.query, Html("\n".join(lines)), keyboard([[back]]))
    await handover_messages.show_handed(press.context, handed)
    await set_team_menu(press.context, telegram_id)


# What each /equipe button does (the action word of buttons.TEAM and buttons.TEAM_PROGRAMME).
_ACTIONS: dict[str, Callable[[_Press], Awaitable[None]]] = {
    "show": _show,
    "prog": _programmes,
    "on": _add,
    "off": _drop,
    "coord": _coordinate,
    "mkc": _make_coordinator,
    "rm": _remove_ask,
    "rmyes": _remove,
}


def team_handlers() -> list[Any]:
    """/equipe and its buttons (admins, from the access table)."""
    return [
        command("equipe", team_command),
        button(buttons.TEAM, on_team_button),
        button(buttons.TEAM_PROGRAMME, on_team_programme),
    ]
