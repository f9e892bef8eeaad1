"""/start (and free text) for staff, coordinators, admins and volunteers: their own menu, not the
holder's welcome."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telegram import Update

from pes21_bot import access, buttons, texts
from pes21_bot.content import Html
from pes21_bot.context import Context
from pes21_bot.domain.sources import NO_SOURCE
from pes21_bot.handlers.access import Callback, button, permitted, refuse
from pes21_bot.handlers.ui import answer_query, repeated_press, reply
from pes21_bot.messages.markup import keyboard
from pes21_bot.services import projects
from pes21_bot.services.people import Role
from pes21_bot.texts import week

TEAM_ROLES = frozenset({Role.STAFF, Role.COORDINATOR, Role.ADMIN, Role.VOLUNTEER})
STAFF_ROLES = frozenset({Role.STAFF, Role.COORDINATOR, Role.ADMIN})

# The commands the menu offers, in its order, each shown to whoever the role table lists it for
# (app.py says what each one runs); a volunteer's labels speak of their own things.
ACTIONS: dict[str, texts.TextKey] = {
    "dossiers": texts.TEAM_DOSSIERS,
    "cherche": week.SEARCH_MENU,
    "mes_bilans": week.VOLUNTEER_REVIEWS,
    "profil": week.VOLUNTEER_PROFILE,
    "stats": texts.TEAM_STATS,
    "aide": texts.TEAM_HELP,
}
VOLUNTEER_LABELS = {"dossiers": week.VOLUNTEER_DOSSIERS}


def is_team(roles: set[Role]) -> bool:
    """Whether these roles give someone their own menu (the Pôle's team and its volunteers)."""
    return bool(roles & TEAM_ROLES)


async def team_start(
    update: Update, context: Context, roles: set[Role], hint: Html | None = None
) -> None:
    """The team's (or a volunteer's) menu: how many dossiers wait, and the commands this person
    may use; ``hint`` comes first (free text typed outside any form)."""
    assert update.effective_user is not None
    data = context.bot_data
    content = data.content
    name = update.effective_user.first_name or ""
    staff = bool(roles & STAFF_ROLES)
    welcome = texts.TEAM_WELCOME if staff else week.VOLUNTEER_WELCOME
    lines = [hint] if hint is not None else []
    lines.append(content.render(welcome, name=name))
    if Role.STAFF in roles:
        async with data.session_factory() as session:
            found = await projects.open_projects_of(session, data.config, update.effective_user.id)
        lines.append(content.render(texts.TEAM_TO_HANDLE, count=len(found)))
    listed = access.commands_for(roles)
    if "cherche" in listed:
        lines.append(content.render(week.SEARCH_TIP))
    labels = ACTIONS if staff else {**ACTIONS, **VOLUNTEER_LABELS}
    rows = [
        [(content.render(label), buttons.TEAM_MENU.pack(action))]
        for action, label in labels.items()
        if action in listed
    ]
    rows.append([(content.render(texts.TEAM_HOLDER_MENU), buttons.MENU.pack("menu", NO_SOURCE))])
    await reply(update, "\n\n".join(lines), keyboard(rows))


def team_menu_handlers(run: Mapping[str, Callback]) -> list[Any]:
    """The team menu's buttons; ``run`` gives the callback of each of ACTIONS' commands."""

    async def on_team(update: Update, context: Context) -> None:
        """A button of the team's menu: the command it stands for, checked like the command."""
        query = update.callback_query
        assert query is not None
        if await repeated_press(update, context):
            return
        parts = buttons.TEAM_MENU.parse(query.data)
        if parts is None:
            await answer_query(query, context.bot_data.content.render(texts.STALE_BUTTON))
            return
        name = parts.choice
        rule = access.COMMANDS[name]
        if not await permitted(rule, update, context):
            await refuse(rule, update, context)
            return
        await answer_query(query)
        await run[name](update, context)

    return [button(buttons.TEAM_MENU, on_team)]
