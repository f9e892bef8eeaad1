"""Sending that several features share: staff cards, reassignment notices, volunteer menus.

Messages that follow a state change are outbox rows queued in its transaction (services/outbox.py).
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import BotCommand, BotCommandScopeChat, CallbackQuery, InlineKeyboardMarkup
from telegram.error import TelegramError

from pes21_bot import buttons, texts
from pes21_bot.access import commands_for
from pes21_bot.config import Config
from pes21_bot.content import Content, Html
from pes21_bot.context import Context
from pes21_bot.db.models import OutboxMessage, Person, Project, ProjectCard
from pes21_bot.domain.vocabulary import OPEN_STATUSES
from pes21_bot.handlers.ui import edit_elsewhere
from pes21_bot.messages.agenda import queue_emergence_offer
from pes21_bot.messages.cards import card_fields, chat_card_markup, volunteer_line
from pes21_bot.messages.dossier import panel_markup, panel_text
from pes21_bot.messages.render import card_text
from pes21_bot.services import outbox, projects, recorded, reviews
from pes21_bot.services.people import Role, UserInfo, display_name, roles_of
from pes21_bot.texts import notify as notify_texts
from pes21_bot.texts import volunteers as t
from pes21_bot.texts import week

logger = logging.getLogger(__name__)

EMERGENCE_REASON = "emergence"  # the close reason of an accepted Émergence orientation


async def queue_cards(
    session: AsyncSession, context: Context, project: Project
) -> list[OutboxMessage]:
    """Queue the project's card for every recipient of its programme (sent after the commit)."""
    data = context.bot_data
    return await outbox.add_cards(session, data.config, project, data.clock.now())


def queue_to(
    session: AsyncSession, context: Context, person: Person | None, text: str
) -> list[OutboxMessage]:
    """Queue a message to a person, if they can still be reached (not erased)."""
    if person is None or person.telegram_id is None:
        return []
    return [outbox.add_message(session, person.telegram_id, text, context.bot_data.clock.now())]


def panel_button(content: Content, project: Project) -> outbox.Buttons:
    """The button that opens a dossier's panel, as stored in an outbox row."""
    return [[(content.render(notify_texts.OPEN_DOSSIER), buttons.PROJECT.pack(project.id))]]


async def queue_in_charge(
    session: AsyncSession, context: Context, project: Project, text: str, writer: Person | None
) -> list[OutboxMessage]:
    """Queue a notice about a project's bilans to the staff in charge of it (not to the writer),
    with a button to the dossier's panel."""
    data = context.bot_data
    chats = await reviews.chats_in_charge(session, data.config, project)
    now = data.clock.now()
    markup = panel_button(data.content, project)
    skip = writer.telegram_id if writer is not None else None
    return [
        outbox.add_message(session, chat, text, now, buttons=markup, project_id=project.id)
        for chat in chats
        if chat != skip
    ]


async def missed_cards(context: Context, telegram_id: int) -> list[OutboxMessage]:
    """A staff member the bot could not write to opened it: queue the cards they missed that
    still wait for someone, after a line saying why they come now (send them with kick)."""
    data = context.bot_data
    now = data.clock.now()
    async with data.transaction() as session:
        missed = await outbox.reachable_again(session, data.config, telegram_id, now)
        rows: list[OutboxMessage] = []
        if missed:
            intro = data.content.render(notify_texts.CARDS_CAUGHT_UP, count=len(missed))
            rows.append(outbox.add_message(session, telegram_id, intro, now))
            rows += [outbox.add_card(session, project, telegram_id, now) for project in missed]
    if missed is not None:  # the menu could not be set at start-up either
        await set_team_menu(context, telegram_id)
    return rows


async def queue_to_holder(
    session: AsyncSession, context: Context, project: Project, text: str
) -> list[OutboxMessage]:
    """Queue a message to the project's holder, unless they erased their data."""
    return queue_to(session, context, await projects.holder_of(session, project), text)


def actor_name(config: Config, actor: UserInfo) -> str:
    """How a card or a notice names whoever acted: their team name, else their first name."""
    return config.member_name(actor.telegram_id) or actor.first_name or ""


async def update_cards(
    context: Context, project: Project, status_line: Html, with_buttons: bool
) -> None:
    """Edit every copy of a project's card: new status line, buttons kept or removed."""
    data = context.bot_data
    async with data.session_factory() as session:
        cards = await projects.cards_of(session, project.id)
        current = await projects.get_project(session, project.id)
        holder_chat = await owner_chat(session, current or project)
    # The caller's copy may predate the change (a redirect): the title follows the stored state.
    shown = current or project
    for card in cards:
        moved = card.programme != shown.programme
        fields = card_fields(data.config, card.chat_id, holder_chat)
        text = card_text(
            data.content, data.config, project if moved else shown, status_line, moved, fields
        )
        markup = (
            chat_card_markup(data.config, data.content, shown, card.chat_id, holder_chat)
            if with_buttons
            else None
        )
        await edit_elsewhere(context, card.chat_id, card.message_id, text, markup)


async def owner_chat(session: AsyncSession, project: Project) -> int | None:
    """The Telegram chat of whoever holds the project, if anyone."""
    if project.owner_id is None:
        return None
    owner = await session.get(Person, project.owner_id)
    return owner.telegram_id if owner is not None else None


def claimed_line(content: Content, config: Config, owner: Person | None) -> Html:
    """'Pris en charge par …', and the welcoming volunteer's line when a volunteer holds it."""
    line = content.render(texts.CARD_CLAIMED, name=display_name(config, owner))
    extra = volunteer_line(content, owner)
    return Html(f"{line}\n{extra}") if extra else line


async def refresh_panel(context: Context, query: CallbackQuery, project_id: int) -> None:
    """A card's action pressed on a /dossier panel: the panel then shows the dossier as it is."""
    message = query.message
    if message is None:
        return
    data = context.bot_data
    async with data.session_factory() as session:
        cards = await projects.cards_of(session, project_id)
        project = await projects.get_project(session, project_id)
        if project is None or any(
            c.chat_id == message.chat.id and c.message_id == message.message_id for c in cards
        ):
            return  # a card: update_cards has shown the change
        people = await projects.people_by_id(session, {project.owner_id or 0})
        first_contact = await recorded.first_contact(session, project)
    owner = people.get(project.owner_id) if project.owner_id else None
    text = panel_text(data.content, data.config, project, owner, first_contact)
    markup = panel_markup(data.content, project)
    await edit_elsewhere(context, message.chat.id, message.message_id, text, markup)


async def current_card(
    context: Context, project: Project, chat_id: int
) -> tuple[Html, InlineKeyboardMarkup | None]:
    """The card as it stands now in this chat: its status line and, while the project is open,
    its buttons."""
    data = context.bot_data
    content = data.content
    status_line = None
    owner = None
    if project.owner_id is not None:
        async with data.session_factory() as session:
            owner = (await projects.people_by_id(session, {project.owner_id})).get(project.owner_id)
        status_line = claimed_line(content, data.config, owner)
    holder_chat = owner.telegram_id if owner else None
    markup = (
        chat_card_markup(data.config, content, project, chat_id, holder_chat)
        if project.status in OPEN_STATUSES
        else None
    )
    fields = card_fields(data.config, chat_id, holder_chat)
    return card_text(content, data.config, project, status_line, fields=fields), markup


async def adopt_copy(context: Context, query: CallbackQuery, project: Project) -> None:
    """A press on an unrecorded, older copy of a card in a chat that has a recorded one.

    That copy comes from a send that timed out but was delivered, then sent again: it is brought
    up to date and recorded, so it follows every later change and no stale "Je prends" stays.
    """
    message = query.message
    if message is None:
        return
    data = context.bot_data
    chat_id, message_id = message.chat.id, message.message_id
    async with data.session_factory() as session:
        cards = await projects.cards_of(session, project.id)
    here = [card.message_id for card in cards if card.chat_id == chat_id]
    if not here or message_id in here or message_id > max(here):
        return
    logger.info("older copy %s/%s of project %s's card adopted", chat_id, message_id, project.id)
    async with data.transaction() as session:
        await projects.add_card(session, project, chat_id, message_id, data.clock.now())
    text, markup = await current_card(context, project, chat_id)
    await edit_elsewhere(context, chat_id, message_id, text, markup)


async def queue_owners_reassigned(
    session: AsyncSession,
    context: Context,
    name: str,
    moved: list[reviews.Reassigned],
    actor: Person | None = None,
) -> list[OutboxMessage]:
    """Queue, for the staff in charge of each project, that a review changed hands, and to whom
    (not to the `actor` who handed it over: they know)."""
    data = context.bot_data
    content = data.content
    people = await projects.people_by_id(session, {m.assignee_id for m in moved if m.assignee_id})
    queued: list[OutboxMessage] = []
    for item in moved:
        text = content.render(
            t.OWNER_REASSIGNED,
            reference=item.project.reference or "",
            number=item.review.number,
            name=name,
            assignee=display_name(data.config, people.get(item.assignee_id or 0)),
        )
        queued += await queue_in_charge(session, context, item.project, text, actor)
    return queued


async def set_volunteer_menu(context: Context, telegram_id: int, volunteer: bool) -> None:
    """Telegram's command menu in this chat: the volunteer commands, or back to the default."""
    config = context.bot_data.config
    if config.staff_member(telegram_id) or config.is_admin(telegram_id):
        return  # staff and admins keep the fuller menu set at start-up
    await set_menu(
        context, telegram_id, {Role.HOLDER, Role.VOLUNTEER} if volunteer else {Role.HOLDER}
    )


async def set_team_menu(context: Context, telegram_id: int) -> None:
    """Telegram's command menu of someone who joined or left the team, from the team view."""
    await set_menu(context, telegram_id, roles_of(context.bot_data.config, telegram_id, None))


async def set_menu(context: Context, telegram_id: int, roles: set[Role]) -> None:
    """Telegram's command menu in this chat: the commands of these roles (failures logged)."""
    content = context.bot_data.content
    try:
        await context.bot.set_my_commands(
            [BotCommand(n, content.commands[n]) for n in commands_for(roles)],
            scope=BotCommandScopeChat(telegram_id),
        )
    except TelegramError as exc:
        logger.info("command menu not set: %s", exc)


async def redirect_in(
    session: AsyncSession, context: Context, fresh: Project, programme: str, actor: UserInfo
) -> tuple[list[ProjectCard], list[OutboxMessage]]:
    """Redirect in this transaction: the cards left behind, and the new cards and the holder's
    notice queued."""
    data = context.bot_data
    content = data.content
    old_cards = await projects.cards_of(session, fresh.id)
    await projects.redirect(session, fresh, programme, actor, data.clock.now())
    await projects.forget_cards(session, fresh.id)
    queued = await queue_cards(session, context, fresh)
    queued += await queue_to_holder(
        session,
        context,
        fresh,
        content.render(
            texts.HOLDER_REDIRECTED,
            reference=fresh.reference or "",
            programme=content.programme_name(programme),
            days=data.config.programmes[programme].response_days,  # type: ignore[index]
        ),
    )
    return old_cards, queued


async def show_left_behind(
    context: Context,
    before: Project,
    old_cards: list[ProjectCard],
    actor: UserInfo,
    programme: str,
) -> None:
    """The cards a redirect left behind say where the project went, and who sent it there."""
    data = context.bot_data
    content = data.content
    name = actor_name(data.config, actor)
    line = content.render(
        texts.CARD_REDIRECTED, name=name, programme=content.programme_name(programme)
    )
    async with data.session_factory() as session:
        holder_chat = await owner_chat(session, before)
    for card in old_cards:
        fields = card_fields(data.config, card.chat_id, holder_chat)
        text = card_text(content, data.config, before, line, moved=True, fields=fields)
        await edit_elsewhere(context, card.chat_id, card.message_id, text)


async def close_in(
    session: AsyncSession, context: Context, fresh: Project, reason: str, actor: UserInfo
) -> list[OutboxMessage]:
    """Close in this transaction; the holder's notice queued."""
    content = context.bot_data.content
    await projects.close(session, fresh, reason, actor, context.bot_data.clock.now())
    return await queue_to_holder(
        session,
        context,
        fresh,
        content.render(
            texts.HOLDER_CLOSED,
            reference=fresh.reference or "",
            reason=content.label("close_reasons", reason),
        ),
    )


async def emergence_in(
    session: AsyncSession, context: Context, fresh: Project, actor: UserInfo
) -> list[OutboxMessage]:
    """An accepted orientation to an Émergence workshop: the dossier is closed with that reason,
    the holder told in the programme's words, then offered the next workshop (or told where to
    find one)."""
    data = context.bot_data
    content = data.content
    now = data.clock.now()
    await projects.close(session, fresh, EMERGENCE_REASON, actor, now)
    holder = await projects.holder_of(session, fresh)
    told = content.render(week.HOLDER_EMERGENCE, reference=fresh.reference or "")
    queued = queue_to(session, context, holder, told)
    if queued and holder is not None and holder.telegram_id is not None:
        chat = holder.telegram_id
        offer = await queue_emergence_offer(session, data.config, content, chat, now)
        queued += offer or [
            outbox.add_message(session, chat, content.render(texts.SUBMITTED_EMERGENCE), now)
        ]
    return queued


async def show_closed(context: Context, project: Project, reason: str, actor: UserInfo) -> None:
    """Every card of a closed project says who closed it and why, without buttons."""
    data = context.bot_data
    content = data.content
    name = actor_name(data.config, actor)
    reason_label = content.label("close_reasons", reason)
    await update_cards(
        context, project, content.render(texts.CARD_CLOSED, name=name, reason=reason_label), False
    )
