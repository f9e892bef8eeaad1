"""/start for staff, coordinators and admins: their own menu, not the holder's welcome."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telegram import Update

from pes21_bot import access, buttons, texts
from pes21_bot.context import Context
from pes21_bot.domain.sources import NO_SOURCE
from pes21_bot.handlers.access import Callback, button, permitted, refuse
from pes21_bot.handlers.ui import answer_query, repeated_press, reply
from pes21_bot.messages.markup import keyboard
from pes21_bot.services import projects
from pes21_bot.services.people import Role

TEAM_ROLES = frozenset({Role.STAFF, Role.COORDINATOR, Role.ADMIN})

# The commands the menu offers, in its order (app.py says what each one runs).
ACTIONS: dict[str, texts.TextKey] = {
    "dossiers": texts.TEAM_DOSSIERS,
    "stats": texts.TEAM_STATS,
    "aide": texts.TEAM_HELP,
}


def is_team(roles: set[Role]) -> bool:
    """Whether these roles make someone a member of the Pôle's team."""
    return bool(roles & TEAM_ROLES)


async def team_start(update: Update, context: Context, roles: set[Role]) -> None:
    """The team's menu: how many dossiers wait, and the commands this person may use."""
    assert update.effective_user is not None
    data = context.bot_data
    content = data.content
    lines = [content.render(texts.TEAM_WELCOME, name=update.effective_user.first_name or "")]
    if Role.STAFF in roles:
        async with data.session_factory() as session:
            found = await projects.open_projects_of(session, data.config, update.effective_user.id)
        lines.append(content.render(texts.TEAM_TO_HANDLE, count=len(found)))
    listed = access.commands_for(roles)
    rows = [
        [(content.render(label), buttons.TEAM_MENU.pack(name))]
        for name, label in ACTIONS.items()
        if name in listed
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
