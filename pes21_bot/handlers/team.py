"""The team by chat: staff invitations and joining, and /equipe (admins) with its buttons."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from pes21_bot import texts
from pes21_bot.config import PROGRAMMES
from pes21_bot.content import Content, Html
from pes21_bot.context import BotData, Context
from pes21_bot.domain.report import plural
from pes21_bot.handlers.common import commands_for
from pes21_bot.handlers.render import fr_date
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
from pes21_bot.services import team, volunteers
from pes21_bot.services.people import display_name, roles_of
from pes21_bot.texts import team as t

logger = logging.getLogger(__name__)

# What an admin may type after /invitation to invite a staff member.
STAFF_WORDS = ("salarie", "salarié", "salariee", "salariée", "salarie·e", "salarié·e")
MAX_VOLUNTEERS_LISTED = 40
BUTTONS = "tm"


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


def _is_admin(update: Update, context: Context) -> bool:
    assert update.effective_user is not None
    return context.bot_data.config.is_admin(update.effective_user.id)


async def _refuse(update: Update, context: Context) -> None:
    assert update.effective_user is not None
    logger.warning("refused team action for user %s", update.effective_user.id)
    text = context.bot_data.content.render(texts.NOT_ALLOWED)
    if update.callback_query is not None:
        await answer_query(update.callback_query, text)
    else:
        await reply(update, text)


async def staff_invitation(update: Update, context: Context, words: list[str]) -> None:
    """/invitation salarie PROGRAMME...: a one-time staff code (the caller checked admin)."""
    data = context.bot_data
    content = data.content
    programmes = team.parse_programmes(words)
    if programmes is None:
        await reply(
            update, content.render(t.INVITATION_STAFF_USAGE, programmes=" ".join(PROGRAMMES))
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


async def _set_menu(context: Context, telegram_id: int) -> None:
    data = context.bot_data
    roles = roles_of(data.config, telegram_id, None)
    try:
        await context.bot.set_my_commands(
            [BotCommand(n, data.content.commands[n]) for n in commands_for(roles)],
            scope=BotCommandScopeChat(telegram_id),
        )
    except TelegramError as exc:
        logger.info("team command menu not set: %s", exc)


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
    await _set_menu(context, user.telegram_id)
    full = data.config.member_name(user.telegram_id) or name
    for admin in data.config.admins:
        if admin.id != user.telegram_id:
            await notify(
                context,
                admin.id,
                content.render(t.JOINED_ADMINS, name=full, programmes=programmes),
            )
    return True


async def team_command(update: Update, context: Context) -> None:
    """/equipe: admins, staff (programmes, coordination, last activity), volunteers."""
    if not _is_admin(update, context):
        await _refuse(update, context)
        return
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
        [(content.render(t.EDIT, name=m.name), pack(BUTTONS, m.telegram_id, "show"))] for m in staff
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
            [(content.render(t.BUTTON_PROGRAMMES), pack(BUTTONS, telegram_id, "prog"))],
            [(content.render(t.BUTTON_COORDINATE), pack(BUTTONS, telegram_id, "coord"))],
            [(content.render(t.BUTTON_REMOVE), pack(BUTTONS, telegram_id, "rm"))],
            [(content.render(t.BUTTON_TEAM), pack(BUTTONS, 0, "list"))],
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
        rows.append([(label, pack(BUTTONS, telegram_id, "off" if followed else "on", programme))])
    rows.append([(content.render(t.BUTTON_BACK), pack(BUTTONS, telegram_id, "show"))])
    return keyboard(rows)


def _parse(data: str | None) -> tuple[int, str, str | None] | None:
    """(member's Telegram id, action, programme) from a button, or None if forged or stale."""
    long = unpack(data, BUTTONS, 3)
    parts = long or unpack(data, BUTTONS, 2)
    if parts is None:
        return None
    telegram_id = as_int(parts[0])
    if telegram_id is None:
        return None
    programme = parts[2] if long else None
    if programme is not None and programme not in PROGRAMMES:
        return None
    return telegram_id, parts[1], programme


async def on_team_button(update: Update, context: Context) -> None:
    """Every /equipe button: admins only; each change is stored, then the panel redrawn."""
    query = update.callback_query
    assert query is not None
    if not _is_admin(update, context):
        await _refuse(update, context)
        return
    data = context.bot_data
    content = data.content
    parsed = _parse(query.data)
    if parsed is None:
        await answer_query(query, content.render(texts.STALE_BUTTON))
        return
    telegram_id, action, programme = parsed
    if action == "list":
        await answer_query(query)
        await edit_or_send(query, *await _listing(context))
        return
    member = data.config.staff_member(telegram_id)
    if member is None:
        await answer_query(query, content.render(t.MEMBER_GONE))
        await edit_or_send(query, content.render(t.MEMBER_GONE))
        return
    handler = _ACTIONS.get((action, programme is not None))
    if handler is None:
        await answer_query(query, content.render(texts.STALE_BUTTON))
        return
    await handler(update, context, telegram_id, programme)


async def _show(update: Update, context: Context, telegram_id: int, _: str | None) -> None:
    query = update.callback_query
    assert query is not None
    panel = await _member_panel(context, telegram_id)
    await answer_query(query)
    if panel is not None:
        await edit_or_send(query, *panel)


async def _programmes(update: Update, context: Context, telegram_id: int, _: str | None) -> None:
    query = update.callback_query
    assert query is not None
    data = context.bot_data
    member = data.config.staff_member(telegram_id)
    assert member is not None
    await answer_query(query)
    await edit_or_send(
        query,
        data.content.render(t.PROGRAMMES_PROMPT, name=member.name),
        _programmes_markup(data.content, telegram_id, list(member.programmes)),
    )


async def _add(update: Update, context: Context, telegram_id: int, programme: str | None) -> None:
    await _toggle(update, context, telegram_id, programme, keep=True)


async def _drop(update: Update, context: Context, telegram_id: int, programme: str | None) -> None:
    await _toggle(update, context, telegram_id, programme, keep=False)


async def _toggle(
    update: Update, context: Context, telegram_id: int, programme: str | None, *, keep: bool
) -> None:
    query = update.callback_query
    assert query is not None and programme is not None
    data = context.bot_data
    member = data.config.staff_member(telegram_id)
    assert member is not None
    if not keep and list(member.programmes) == [programme]:
        await answer_query(query, data.content.render(t.LAST_PROGRAMME))
        return
    async with data.transaction() as session:
        row = await team.set_programme(
            session, data.config, telegram_id, programme, keep, user_info(update), data.clock.now()
        )
    await refresh_team(data)
    await answer_query(query)
    if row is not None:
        await edit_or_send(
            query,
            data.content.render(t.PROGRAMMES_PROMPT, name=member.name),
            _programmes_markup(data.content, telegram_id, list(row.programmes)),
        )


async def _coordinate(update: Update, context: Context, telegram_id: int, _: str | None) -> None:
    query = update.callback_query
    assert query is not None
    data = context.bot_data
    content = data.content
    member = data.config.staff_member(telegram_id)
    assert member is not None
    choices = [p for p in member.programmes if data.config.programmes[p].coordinator != telegram_id]
    await answer_query(query)
    back = [(content.render(t.BUTTON_BACK), pack(BUTTONS, telegram_id, "show"))]
    if not choices:
        await edit_or_send(
            query, content.render(t.COORDINATE_ALL, name=member.name), keyboard([back])
        )
        return
    rows = [
        [
            (
                content.render(t.COORDINATE_BUTTON, programme=content.programme_name(p)),
                pack(BUTTONS, telegram_id, "mkc", p),
            )
        ]
        for p in choices
    ]
    await edit_or_send(
        query, content.render(t.COORDINATE_PROMPT, name=member.name), keyboard([*rows, back])
    )


async def _make_coordinator(
    update: Update, context: Context, telegram_id: int, programme: str | None
) -> None:
    query = update.callback_query
    assert query is not None and programme is not None
    data = context.bot_data
    already = data.config.programmes[programme].coordinator == telegram_id  # type: ignore[index]
    async with data.transaction() as session:
        row = await team.make_coordinator(
            session, data.config, telegram_id, programme, user_info(update), data.clock.now()
        )
    if row is None:
        await answer_query(query, data.content.render(texts.STALE_BUTTON))
        return
    await refresh_team(data)
    await _show(update, context, telegram_id, None)
    if not already:
        await notify(
            context,
            telegram_id,
            data.content.render(
                t.COORDINATOR_NOTICE, programme=data.content.programme_name(programme)
            ),
        )


async def _remove_ask(update: Update, context: Context, telegram_id: int, _: str | None) -> None:
    query = update.callback_query
    assert query is not None
    data = context.bot_data
    content = data.content
    member = data.config.staff_member(telegram_id)
    assert member is not None
    await answer_query(query)
    markup = keyboard(
        [
            [(content.render(t.REMOVE_YES), pack(BUTTONS, telegram_id, "rmyes"))],
            [(content.render(t.REMOVE_NO), pack(BUTTONS, telegram_id, "show"))],
        ]
    )
    await edit_or_send(query, content.render(t.REMOVE_CONFIRM, name=member.name), markup)


async def _remove(update: Update, context: Context, telegram_id: int, _: str | None) -> None:
    query = update.callback_query
    assert query is not None
    data = context.bot_data
    content = data.content
    async with data.transaction() as session:
        removal = await team.remove(
            session, data.config, telegram_id, user_info(update), data.clock.now()
        )
    await answer_query(query)
    if removal is None:
        await edit_or_send(query, content.render(t.MEMBER_GONE))
        return
    await refresh_team(data)
    count = sum(len(refs) for refs in removal.handed.values())
    text = content.render(t.REMOVED, name=removal.name, count=count, s=plural(count))
    if removal.unowned:
        unowned = content.render(t.REMOVED_UNOWNED, references=", ".join(removal.unowned))
        text = Html(f"{text}\n{unowned}")
    await edit_or_send(
        query, text, keyboard([[(content.render(t.BUTTON_TEAM), pack(BUTTONS, 0, "list"))]])
    )
    for heir, references in removal.handed.items():
        await notify(
            context,
            heir,
            content.render(t.HANDED_OVER, name=removal.name, references=", ".join(references)),
        )
    await notify(context, telegram_id, content.render(t.REMOVED_NOTICE))
    await _set_menu(context, telegram_id)


# (action, carries a programme) -> what the button does.
_ACTIONS = {
    ("show", False): _show,
    ("prog", False): _programmes,
    ("on", True): _add,
    ("off", True): _drop,
    ("coord", False): _coordinate,
    ("mkc", True): _make_coordinator,
    ("rm", False): _remove_ask,
    ("rmyes", False): _remove,
}


def team_handlers() -> list[Any]:
    """/equipe and its buttons (admins)."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("equipe", team_command, filters=private),
        CallbackQueryHandler(on_team_button, pattern=rf"^{BUTTONS}:"),
    ]
