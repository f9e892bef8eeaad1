"""The relay (issue 10): a holder's messages after submission go to whoever holds the dossier,
and their answers (a Telegram reply, "↩️ Répondre", or a message in the dossier's forum topic)
come back to the holder from "l'équipe du Pôle". Everything passes through the durable outbox."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import MessageHandler, filters

from pes21_bot import access, buttons
from pes21_bot.content import Html
from pes21_bot.context import Context
from pes21_bot.db.models import OutboxMessage, Person, Project
from pes21_bot.handlers.access import button, may_act
from pes21_bot.handlers.access import refusal as refusal_for
from pes21_bot.handlers.ui import answer_query, kick, repeated_press, reply
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.relay import body, queue_holder_message, reader_extras
from pes21_bot.services import forms as form_service
from pes21_bot.services import holder_messages, outbox, relay
from pes21_bot.services.people import display_name, find_person
from pes21_bot.texts import corrections as cx
from pes21_bot.texts import notify as t

logger = logging.getLogger(__name__)

ANSWERING = "relay_answer"  # user_data: the dossier whose holder the next message answers
PENDING = "relay_pending"  # user_data: a holder's messages waiting for their dossier's choice
MAX_PENDING = 5


def relayed(message: Message) -> relay.Relayed | None:
    """What of a message can be passed on (None: a sticker, a location...)."""
    where = (message.chat_id, message.message_id)
    caption = message.caption or ""
    if message.text:
        return relay.Relayed("text", message.text, None, *where)
    if message.photo:
        return relay.Relayed("photo", caption, message.photo[-1].file_id, *where)
    if message.document:
        return relay.Relayed("document", caption, message.document.file_id, *where)
    if message.voice:
        return relay.Relayed("voice", caption, message.voice.file_id, *where)
    if message.contact:
        contact = message.contact
        name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
        return relay.Relayed("contact", f"{name} {contact.phone_number}".strip(), None, *where)
    return None


async def relay_in(
    update: Update, context: Context, project_id: int, item: relay.Relayed
) -> Project | None:
    """Pass a holder's message on about one of their open dossiers; they are told who reads it
    the first time (and when that changes). None when it is not an open dossier of theirs."""
    assert update.effective_user is not None
    data = context.bot_data
    content = data.content
    user = update.effective_user
    async with data.transaction() as session:
        found = await holder_messages.own_open_project(session, user.id, project_id)
        if found is None:
            return None
        queued = await queue_holder_message(
            session, data.config, content, found, user.first_name or "?", item, data.clock.now()
        )
        reference = found[1].reference or ""
    kick(context, queued.rows)
    if queued.reader_changed:
        await reply(update, content.render(t.RELAY_TOLD, reference=reference, reader=queued.reader))
    return found[1]


async def edited_message(update: Update, context: Context) -> bool:
    """A holder's edited message already passed on: the correction reaches each reader as a
    reply to the copy they received, marked modified, and is kept with the dossier's messages.
    False when the message was never passed on (nor an answer passed on to a holder)."""
    message = update.edited_message
    if message is None or update.effective_user is None:
        return False
    item = relayed(message)
    data = context.bot_data
    queued: list[OutboxMessage] = []
    reference: str | None = None
    async with data.transaction() as session:
        person = await find_person(session, update.effective_user.id)
        copies = (
            await relay.relayed_copies(session, person, message.chat_id, message.message_id)
            if person is not None and item is not None
            else []
        )
        found = (
            await holder_messages.own_open_project(
                session, update.effective_user.id, copies[0].project_id
            )
            if copies and copies[0].project_id is not None
            else None
        )
        if found is not None and item is not None:
            person, project = found
            queued = await _queue_correction(
                session, context, update, project, person, item, copies
            )
            reference = project.reference or ""
    if reference is None:
        return await _edited_answer(update, context)
    kick(context, queued)
    await reply(update, data.content.render(cx.RELAY_DONE, reference=reference))
    return True


async def _queue_correction(
    session: AsyncSession,
    context: Context,
    update: Update,
    project: Project,
    person: Person,
    item: relay.Relayed,
    copies: list[OutboxMessage],
) -> list[OutboxMessage]:
    """Store a holder's correction and queue it to each reader, as a reply to their copy."""
    assert update.effective_user is not None
    content = context.bot_data.content
    now = context.bot_data.clock.now()
    reader = await relay.last_reader(session, project.id) or "team"
    relay.record_in(session, project, person, item, reader, now, edited=True)
    name = update.effective_user.first_name or "?"
    label = content.render(cx.RELAY_LABEL, name=name, reference=project.reference or "")
    queued: list[OutboxMessage] = []
    for copy in copies:
        hint, rows = reader_extras(content, copy.chat_id, project.id)
        row = outbox.add_message(
            session,
            copy.chat_id,
            body(content, label, item, hint),
            now,
            buttons=rows,
            project_id=project.id,
            kind=relay.RELAY_IN,
        )
        replied = {"reply_to": copy.message_id} if copy.message_id is not None else {}
        row.payload = {**row.payload, **item.payload(), **replied}
        queued.append(row)
    return queued


async def _edited_answer(update: Update, context: Context) -> bool:
    """A team member's edited answer, already passed on to a holder: edits do not follow it,
    they are told so. False for any other edit."""
    message = update.edited_message
    replied = message.reply_to_message if message is not None else None
    if message is None or replied is None:
        return False
    async with context.bot_data.session_factory() as session:
        linked = await relay.linked_project(session, message.chat_id, replied.message_id)
    if linked is None:
        return False
    await reply(update, context.bot_data.content.render(cx.ANSWER_EDIT_NOT_SENT))
    return True


async def _answer(update: Update, context: Context, project_id: int, item: relay.Relayed) -> None:
    """A team member's answer to the dossier's holder, if they may give one."""
    assert update.effective_user is not None and update.effective_chat is not None
    data = context.bot_data
    content = data.content
    now = data.clock.now()
    user = update.effective_user
    queued: list[OutboxMessage] = []
    async with data.session_factory() as session:
        project = await session.get(Project, project_id)
    allowed = project is not None and await may_act(context, access.ANSWER_HOLDER, user.id, project)
    async with data.transaction() as session:
        project = await session.get(Project, project_id)
        if project is None or not allowed:
            # Never the person or the text: which dossier and which chat type is enough.
            logger.warning(
                "relay answer refused on project %s from a %s chat",
                project_id,
                update.effective_chat.type,
            )
            refusal: Html | None = content.render(
                await refusal_for(context, user.id, t.RELAY_REFUSED)
            )
        else:
            holder = await relay.holder_of(session, project)
            refusal = None if holder is not None else content.render(t.RELAY_CLOSED)
        if refusal is None:
            assert project is not None and holder is not None and holder.telegram_id is not None
            sender = await relay.sender_person(session, user.id, user.first_name or "", now)
            relay.record_out(session, project, sender, item, now)
            name = display_name(data.config, sender).split(" ")[0]
            label = content.render(t.RELAY_LABEL_OUT, name=name, reference=project.reference or "")
            row = outbox.add_message(
                session,
                holder.telegram_id,
                body(content, label, item, None),
                now,
                project_id=project.id,
                kind=relay.RELAY_OUT,
            )
            row.payload = {**row.payload, **item.payload(), "sender": update.effective_chat.id}
            queued.append(row)
            done = content.render(
                t.RELAY_ANSWER_SENT,
                name=holder.first_name or "?",
                reference=project.reference or "",
            )
    kick(context, queued)
    await _tell(update, refusal if refusal is not None else done)


async def _tell(update: Update, text: str) -> None:
    """A short notice under the message it is about (in its forum topic, in a group)."""
    message = update.effective_message
    if message is None:
        return
    try:
        await message.reply_text(text, parse_mode=ParseMode.HTML)
    except TelegramError as exc:
        logger.info("relay notice skipped: %s", type(exc).__name__)


async def private_message(update: Update, context: Context) -> bool:
    """A message in a private chat while no form is open: an answer (after "Répondre", or a
    reply to a relayed message), or a holder's message about an open dossier. False: not ours."""
    message = update.effective_message
    assert update.effective_user is not None
    if message is None:
        return False
    user_data: dict[str, Any] = context.user_data if context.user_data is not None else {}
    item = relayed(message)
    data = context.bot_data
    answering = user_data.pop(ANSWERING, None)
    if isinstance(answering, int):
        if item is None:
            await reply(update, data.content.render(t.RELAY_UNSUPPORTED))
            return True
        await _answer(update, context, answering, item)
        return True
    replied = message.reply_to_message
    async with data.session_factory() as session:
        linked = (
            await relay.linked_project(session, message.chat_id, replied.message_id)
            if replied is not None
            else None
        )
        person = await find_person(session, update.effective_user.id)
        own = await holder_messages.open_projects(session, update.effective_user.id)
        # A form left open (a bilan, the profile...) keeps priority: the holder is reminded.
        busy = person is not None and await form_service.current_draft(session, person.id)
    if linked is not None and (person is None or linked.holder_id != person.id):
        if item is None:
            await reply(update, data.content.render(t.RELAY_UNSUPPORTED))
            return True
        await _answer(update, context, linked.id, item)
        return True
    if not own or busy:
        return False
    if item is None:
        await reply(update, data.content.render(t.RELAY_UNSUPPORTED))
        return True
    chosen = linked if linked is not None else (own[0] if len(own) == 1 else None)
    if chosen is not None and await relay_in(update, context, chosen.id, item) is not None:
        return True
    pending = dict(user_data.get(PENDING) or {})
    pending[str(message.message_id)] = item.__dict__
    user_data[PENDING] = dict(list(pending.items())[-MAX_PENDING:])
    content = data.content
    rows = [
        [
            (
                content.render(
                    t.WRITE_CHOICE,
                    reference=p.reference or "",
                    programme=content.programme_name(p.programme or ""),
                ),
                buttons.RELAY_PICK.pack(p.id, message.message_id),
            )
        ]
        for p in own[:10]
    ]
    await reply(update, content.render(t.RELAY_CHOOSE), keyboard(rows))
    return True


async def on_pick(update: Update, context: Context) -> None:
    """The dossier a waiting message is about: it is passed on."""
    if await repeated_press(update, context):
        return
    query = update.callback_query
    assert query is not None
    parts = buttons.RELAY_PICK.parse(query.data)
    await answer_query(query)
    content = context.bot_data.content
    pending: dict[str, Any] = (context.user_data or {}).get(PENDING) or {}
    stored = pending.pop(str(parts.message), None) if parts is not None else None
    if parts is None or not isinstance(stored, dict):
        await reply(update, content.render(t.RELAY_EXPIRED))
        return
    project = await relay_in(update, context, parts.project, relay.Relayed(**stored))
    if project is None:
        await reply(update, content.render(t.WRITE_NONE))
        return
    await reply(update, content.render(t.RELAY_CHOSEN, reference=project.reference or ""))


async def on_answer_button(update: Update, context: Context) -> None:
    """'↩️ Répondre': the presser's next message is the answer to the holder."""
    if await repeated_press(update, context):
        return
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    parts = buttons.RELAY_ANSWER.parse(query.data)
    await answer_query(query)
    data = context.bot_data
    content = data.content
    user_id = update.effective_user.id
    async with data.session_factory() as session:
        project = await session.get(Project, parts.project) if parts is not None else None
        holder = await relay.holder_of(session, project) if project is not None else None
    allowed = project is not None and await may_act(context, access.ANSWER_HOLDER, user_id, project)
    if project is None or not allowed:
        logger.warning(
            "relay answer button refused on project %s", parts.project if parts else None
        )
        await reply(update, content.render(await refusal_for(context, user_id, t.RELAY_REFUSED)))
        return
    if holder is None:
        await reply(update, content.render(t.RELAY_CLOSED))
        return
    if context.user_data is not None:
        context.user_data[ANSWERING] = project.id
    intro = content.render(
        t.RELAY_ANSWER_INTRO, name=holder.first_name or "?", reference=project.reference or ""
    )
    await reply(update, intro)


async def group_message(update: Update, context: Context) -> None:
    """In a team group: a reply to a relayed message, or a message in a dossier's topic, is an
    answer to its holder; anything else is left alone (the bot stores nothing there)."""
    message = update.effective_message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return
    data = context.bot_data
    replied = message.reply_to_message
    async with data.session_factory() as session:
        project = None
        if replied is not None and not replied.forum_topic_created:
            project = await relay.linked_project(session, message.chat_id, replied.message_id)
        if project is None and message.is_topic_message and message.message_thread_id:
            project = await relay.topic_project(session, message.chat_id, message.message_thread_id)
    if project is None:
        return
    item = relayed(message)
    if item is None:
        await _tell(update, data.content.render(t.RELAY_UNSUPPORTED))
        return
    await _answer(update, context, project.id, item)


def relay_handlers() -> list[Any]:
    """The relay's buttons and the team groups' messages."""
    return [
        MessageHandler(filters.ChatType.GROUPS & ~filters.COMMAND, group_message),
        button(buttons.RELAY_ANSWER, on_answer_button),
        button(buttons.RELAY_PICK, on_pick),
    ]
