"""Help, command menus per role, unknown input, group chats and the error handler."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.error import Forbidden, TelegramError

from pes21_bot import texts
from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.context import Context
from pes21_bot.handlers.ui import reply
from pes21_bot.services.people import Role, find_person, roles_of

logger = logging.getLogger(__name__)

# Figures of the activity (handlers/admin.py), for admins and staff.
FIGURE_COMMANDS = ("stats", "rapport", "export", "graphique")

# Commands each role may use, in the order /aide and Telegram's menu show them.
COMMANDS_BY_ROLE: dict[Role, tuple[str, ...]] = {
    Role.HOLDER: (
        "start",
        "aide",
        "suivi",
        "retour",
        "annuler",
        "mes_donnees",
        "supprimer",
        "rejoindre",
    ),
    Role.VOLUNTEER: ("profil", "bilan", "mes_bilans"),
    Role.STAFF: (
        "dossiers",
        "dossier",
        "orientation_test",
        *FIGURE_COMMANDS,
        "bilan",
        "mes_bilans",
        "benevoles",
    ),
    Role.ADMIN: (
        "orientation_test",
        *FIGURE_COMMANDS,
        "benevoles",
        "invitation",
        "retirer",
        "equipe",
    ),
}


def all_commands() -> set[str]:
    """Every command name the bot registers."""
    return {name for names in COMMANDS_BY_ROLE.values() for name in names}


def commands_for(roles: set[Role]) -> list[str]:
    """Commands available to someone with these roles, without duplicates."""
    names: list[str] = []
    for role in Role:
        if role in roles:
            names.extend(n for n in COMMANDS_BY_ROLE[role] if n not in names)
    return names


async def user_roles(context: Context, telegram_id: int) -> set[Role]:
    """Roles of a Telegram user (config roles, plus volunteer from the database)."""
    data = context.bot_data
    async with data.session_factory() as session:
        person = await find_person(session, telegram_id)
    return roles_of(data.config, telegram_id, person)


async def help_command(update: Update, context: Context) -> None:
    """/aide: the commands this user's role may use."""
    assert update.effective_user is not None
    content = context.bot_data.content
    roles = await user_roles(context, update.effective_user.id)
    lines = [content.render(texts.HELP_HEADER)]
    lines += [
        content.render(texts.HELP_LINE, command=name, description=content.commands[name])
        for name in commands_for(roles)
    ]
    await reply(update, "\n".join(lines))


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not know."""
    await reply(update, context.bot_data.content.render(texts.UNKNOWN_COMMAND))


async def not_text(update: Update, context: Context) -> None:
    """A sticker, photo, voice note... outside of any question."""
    await reply(update, context.bot_data.content.render(texts.NOT_TEXT))


async def group_message(update: Update, context: Context) -> None:
    """In a group the bot only invites people to write privately, and stores nothing."""
    await reply(
        update,
        context.bot_data.content.render(
            texts.GROUP_ONLY_PRIVATE, bot_username=context.bot.username
        ),
    )


async def error_handler(update: object, context: Context) -> None:
    """Log the failure with the update id and tell the person, in French, without details."""
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, Forbidden):
        # The person blocked the bot: nothing to tell them, nothing is lost.
        logger.info("update %s: chat unreachable (%s)", update_id, context.error)
        return
    logger.error("error while handling update %s", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await reply(update, context.bot_data.content.render(texts.INTERNAL_ERROR))
        except TelegramError as exc:
            logger.warning("could not tell chat about the error: %s", exc)


def _bot_commands(content: Content, names: list[str]) -> list[BotCommand]:
    return [BotCommand(name, content.commands[name]) for name in names]


async def register_commands(bot: Bot, config: Config, content: Content) -> None:
    """setMyCommands: holders' list by default, a fuller list in each staff or admin chat."""
    try:
        await bot.set_my_commands(
            _bot_commands(content, commands_for({Role.HOLDER})), scope=BotCommandScopeDefault()
        )
        members = {m.id for m in config.staff} | {m.id for m in config.admins}
        for member_id in sorted(members):
            roles = roles_of(config, member_id, None)
            await bot.set_my_commands(
                _bot_commands(content, commands_for(roles)),
                scope=BotCommandScopeChat(member_id),
            )
    except TelegramError as exc:
        logger.warning("command menus not registered: %s", exc)
