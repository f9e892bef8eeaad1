"""Sending that several features share: staff cards, reassignment notices, volunteer menus."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from pes21_bot.access import commands_for
from pes21_bot.alert_tags import CARD_UNDELIVERABLE, alert_extra
from pes21_bot.content import Html
from pes21_bot.context import Context
from pes21_bot.db.models import Project
from pes21_bot.handlers.ui import edit_elsewhere, notify
from pes21_bot.messages.cards import card_markup
from pes21_bot.messages.render import card_text
from pes21_bot.services import projects, reviews
from pes21_bot.services.people import Role, display_name
from pes21_bot.texts import volunteers as t

logger = logging.getLogger(__name__)


async def send_cards(context: Context, project: Project) -> None:
    """Send the project's card to every recipient of its programme and remember each copy."""
    data = context.bot_data
    text = card_text(data.content, data.config, project)
    markup = card_markup(data.content, project)
    sent = []
    today = data.clock.now().astimezone(data.config.tz).date()
    async with data.session_factory() as session:
        chats = await projects.recipients(session, data.config, project.programme or "", today)
    for chat_id in chats:
        message = await notify(context, chat_id, text, markup)
        if message is not None:
            sent.append((chat_id, message.message_id))
        else:
            logger.warning(
                "card of project %s not delivered to chat %s",
                project.id,
                chat_id,
                extra=alert_extra(CARD_UNDELIVERABLE, reference=project.reference or "?"),
            )
    async with data.transaction() as session:
        for chat_id, message_id in sent:
            await projects.add_card(session, project, chat_id, message_id, data.clock.now())


async def update_cards(
    context: Context, project: Project, status_line: Html, with_buttons: bool
) -> None:
    """Edit every copy of a project's card: new status line, buttons kept or removed."""
    data = context.bot_data
    async with data.session_factory() as session:
        cards = await projects.cards_of(session, project.id)
        current = await projects.get_project(session, project.id)
    # The caller's copy may predate the change (a redirect): the title follows the stored state.
    shown = current or project
    markup = card_markup(data.content, shown) if with_buttons else None
    for card in cards:
        moved = card.programme != shown.programme
        text = card_text(data.content, data.config, project if moved else shown, status_line, moved)
        await edit_elsewhere(context, card.chat_id, card.message_id, text, markup)


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


async def set_volunteer_menu(context: Context, telegram_id: int, volunteer: bool) -> None:
    """Telegram's command menu in this chat: the volunteer commands, or back to the default."""
    config = context.bot_data.config
    content = context.bot_data.content
    if config.staff_member(telegram_id) or config.is_admin(telegram_id):
        return  # staff and admins keep the fuller menu set at start-up
    roles = {Role.HOLDER, Role.VOLUNTEER} if volunteer else {Role.HOLDER}
    try:
        await context.bot.set_my_commands(
            [BotCommand(n, content.commands[n]) for n in commands_for(roles)],
            scope=BotCommandScopeChat(telegram_id),
        )
    except TelegramError as exc:
        logger.info("volunteer command menu not set: %s", exc)
