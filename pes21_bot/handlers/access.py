"""Registering a command or a button family: its roles come from pes21_bot.access, checked first."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, filters

from pes21_bot import access, buttons, texts
from pes21_bot.access import Rule
from pes21_bot.buttons import Button
from pes21_bot.context import Context
from pes21_bot.db.models import Project, Review
from pes21_bot.handlers.ui import answer_query, reply
from pes21_bot.messages.delivery import adopt_copy
from pes21_bot.services import projects, volunteers
from pes21_bot.services.people import Role, find_person, former_member, roles_of
from pes21_bot.texts import handover as handover_texts

logger = logging.getLogger(__name__)

Callback = Callable[[Update, Context], Coroutine[Any, Any, Any]]


async def user_roles(context: Context, telegram_id: int) -> set[Role]:
    """Roles of a Telegram user (config roles, plus volunteer from the database)."""
    data = context.bot_data
    async with data.session_factory() as session:
        person = await find_person(session, telegram_id)
    return roles_of(data.config, telegram_id, person)


async def permitted(rule: Rule, update: Update, context: Context) -> bool:
    """Whether the sender holds one of the rule's roles (with a listed mission, if it says so)."""
    if rule.everyone:
        return True
    assert update.effective_user is not None
    user_id = update.effective_user.id
    roles = await user_roles(context, user_id)
    missions: set[str] = set()
    if Role.VOLUNTEER in roles and rule.missions:
        async with context.bot_data.session_factory() as session:
            found = await volunteers.active_volunteer(session, user_id)
        missions = set(found[1].missions) if found else set()
    return access.allows(rule, roles, missions)


async def refuse(rule: Rule, update: Update, context: Context) -> None:
    """The rule's French refusal (or, to someone who left the team, that they did), on the
    pressed button or in the chat for a command."""
    assert update.effective_user is not None
    await refuse_with(
        update, context, await refusal(context, update.effective_user.id, rule.refusal)
    )


async def refusal(context: Context, telegram_id: int, key: texts.TextKey) -> texts.TextKey:
    """The refusal to give: ``key``, or to a removed member the one sentence saying they are no
    longer part of the team."""
    data = context.bot_data
    async with data.session_factory() as session:
        person = await find_person(session, telegram_id)
        if person is None or roles_of(data.config, telegram_id, person) != {Role.HOLDER}:
            return key
        former = await former_member(session, person)
    return handover_texts.NO_LONGER_TEAM if former else key


def gated(rule: Rule, callback: Callback, what: str) -> Callback:
    """The callback, run only for someone the rule allows; others get the refusal."""
    if rule.everyone:
        return callback

    @functools.wraps(callback)
    async def checked(update: Update, context: Context) -> Any:
        if await permitted(rule, update, context):
            return await callback(update, context)
        assert update.effective_user is not None
        logger.warning("refused %s for user %s", what, update.effective_user.id)
        await refuse(rule, update, context)
        return ConversationHandler.END

    return checked


def command(name: str, callback: Callback) -> CommandHandler[Context, Any]:
    """A private-chat command; its roles must be declared in access.COMMANDS."""
    rule = access.COMMANDS[name]  # a KeyError here: declare the command's roles first
    return CommandHandler(name, gated(rule, callback, f"/{name}"), filters=filters.ChatType.PRIVATE)


def button(
    family: Button, callback: Callback, firsts: Iterable[str] | None = None
) -> CallbackQueryHandler[Context, Any]:
    """A family's handler (only for these first field values, if given), roles from the table."""
    rule = access.BUTTONS[family.prefix]  # a KeyError here: declare the family's roles first
    # Narrowed where two handlers share a family: the menu's paths open the intake.
    pattern = family.pattern if firsts is None else family.pattern_of(firsts)
    checked = gated(rule, well_formed(family, callback), f"button {family.prefix}")
    return CallbackQueryHandler(checked, pattern=pattern)


def well_formed(family: Button, callback: Callback) -> Callback:
    """The callback, run only on data the family produced; other data is an expired button."""

    @functools.wraps(callback)
    async def parsed(update: Update, context: Context) -> Any:
        query = update.callback_query
        if query is not None and family.parse(query.data) is None:
            # A modified client can send anything: refused quietly, never raised or alerted.
            logger.info("malformed %s button refused", family.prefix)
            await refuse_with(update, context, texts.STALE_BUTTON)
            return None
        return await callback(update, context)

    return parsed


async def project_checked(
    update: Update, context: Context, family: Button, project_id: int | None
) -> Project | None:
    """The project, if the family's rule lets the user act on it; else a refusal, shown and logged.

    The one check of "staff of this project's programme" (and, for claims, of a welcoming
    volunteer on an early project; for the mission, of the volunteer who holds it), fed by the
    family's declaration in access.BUTTONS.
    """
    assert update.effective_user is not None
    rule = access.BUTTONS[family.prefix]
    data = context.bot_data
    user_id = update.effective_user.id
    project = None
    if project_id is not None:
        async with data.session_factory() as session:
            project = await projects.get_project(session, project_id)
    if project is None or project.reference is None:
        logger.warning("malformed or unknown %s button from %s", family.prefix, user_id)
        await refuse_with(update, context, texts.STALE_BUTTON)
        return None
    allowed = await may_act(context, rule, user_id, project)
    if not allowed:
        logger.warning("refused %s on project %s for user %s", family.prefix, project.id, user_id)
        await refuse(rule, update, context)
        return None
    return project


async def may_act(
    context: Context, rule: Rule, user_id: int, project: Project, review: Review | None = None
) -> bool:
    """Whether the rule lets this user act on this project (access.may_act_on, with what the
    database says they are to it)."""
    data = context.bot_data
    if access.staff_may(rule, data.config, user_id, project.programme):
        return True  # what may_act_on answers first, without reading the database
    today = data.clock.now().astimezone(data.config.tz).date()
    async with data.session_factory() as session:
        standing = await projects.standing(session, data.config, user_id, project, today, review)
    return access.may_act_on(rule, data.config, user_id, project.programme, standing)


async def pressed_project(
    update: Update, context: Context, family: Button
) -> tuple[Project, tuple[int | str, ...]] | None:
    """Parse a project button (project id first, then the other fields) and check the presser."""
    query = update.callback_query
    assert query is not None
    values = family.parse(query.data)
    project_id = values[0] if values is not None and isinstance(values[0], int) else None
    project = await project_checked(update, context, family, project_id)
    if project is None or values is None:
        return None
    if family in buttons.CARD_FAMILIES:
        await adopt_copy(context, query, project)
    return project, values[1:]


async def refuse_with(update: Update, context: Context, key: texts.TextKey) -> None:
    """A short answer on the pressed button, or in the chat for a typed command."""
    text = context.bot_data.content.render(key)
    if update.callback_query is not None:
        await answer_query(update.callback_query, text)
    else:
        await reply(update, text)
