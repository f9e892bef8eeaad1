"""Holder's own commands: /suivi, "Écrire à l'équipe", and the data rights /mes_donnees and
/supprimer."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler

from pes21_bot import buttons, texts
from pes21_bot.content import Html
from pes21_bot.context import Context
from pes21_bot.db.models import FormDraft, Project
from pes21_bot.domain.data_export import renamed
from pes21_bot.domain.forms import HOLDER_MESSAGE
from pes21_bot.domain.sources import NO_SOURCE
from pes21_bot.domain.vocabulary import OPEN_STATUSES
from pes21_bot.handlers import forms
from pes21_bot.handlers.access import button, command
from pes21_bot.handlers.ui import (
    answer_query,
    edit_or_send,
    kick,
    repeated_press,
    reply,
)
from pes21_bot.labels import readable_data
from pes21_bot.messages.erasure import announce_erasure
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.my_data import summary_messages
from pes21_bot.messages.relay import queue_holder_message
from pes21_bot.messages.render import fr_date
from pes21_bot.messages.write import write_markup
from pes21_bot.services import data_rights, holder_messages, intake, projects, relay
from pes21_bot.services.people import display_name, first_name
from pes21_bot.texts import notify as t

logger = logging.getLogger(__name__)

MAX_LISTED = 10
MESSAGE_FORM = HOLDER_MESSAGE.kind


async def follow_up(update: Update, context: Context) -> None:
    """/suivi: the holder's projects and their status in plain French."""
    assert update.effective_user is not None
    data = context.bot_data
    content = data.content
    async with data.session_factory() as session:
        found = await intake.holder_projects(session, update.effective_user.id)
        owners = await projects.people_by_id(session, {p.owner_id for p in found if p.owner_id})
    if not found:
        await reply(update, content.render(texts.FOLLOW_UP_EMPTY))
        return
    writable = any(p.status in OPEN_STATUSES for p in found)
    lines = [content.render(texts.FOLLOW_UP_HEADER)]
    for project in found[:30]:
        line = content.render(
            texts.FOLLOW_UP_LINE,
            reference=project.reference or "",
            programme=content.programme_name(project.programme or ""),
            status=content.label("project_status", project.status),
            date=fr_date(project.submitted_at, data.config.tz),
        )
        owner = owners.get(project.owner_id) if project.owner_id else None
        if owner is not None:
            line = Html(
                line + content.render(texts.FOLLOW_UP_OWNER, name=first_name(data.config, owner))
            )
        lines.append(line)
    await reply(update, "\n".join(lines), write_markup(content) if writable else None)


async def _reader_text(
    session: AsyncSession, context: Context, project: Project
) -> tuple[holder_messages.Readers, Html]:
    """Who will read a message about this dossier, as the holder is told."""
    data = context.bot_data
    content = data.content
    found = await holder_messages.readers(session, data.config, project)
    if found.owner is not None:
        name = display_name(data.config, found.owner)
        return found, content.render(t.WRITE_READER_OWNER, name=name)
    programme = content.programme_name(project.programme or "")
    return found, content.render(t.WRITE_READER_TEAM, programme=programme)


async def on_write(update: Update, context: Context) -> int | None:
    """'✉️ Écrire à l'équipe': which dossier (when several), then the next text is forwarded."""
    if await repeated_press(update, context):
        return None  # the first press already asked for the message
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    data = context.bot_data
    content = data.content
    parts = buttons.WRITE_TEAM.parse(query.data)
    wanted = parts.project if parts is not None else None
    await answer_query(query)
    async with data.session_factory() as session:
        found = await holder_messages.open_projects(session, update.effective_user.id)
        chosen = next((p for p in found if p.id == wanted), found[0] if len(found) == 1 else None)
        reader = await _reader_text(session, context, chosen) if chosen is not None else None
    if not found:
        await reply(update, content.render(t.WRITE_NONE))
        return forms.END
    if chosen is None or reader is None:
        rows = [
            [
                (
                    content.render(
                        t.WRITE_CHOICE,
                        reference=p.reference or "",
                        programme=content.programme_name(p.programme or ""),
                    ),
                    buttons.WRITE_TEAM.pack(p.id),
                )
            ]
            for p in found[:MAX_LISTED]
        ]
        await reply(update, content.render(t.WRITE_CHOOSE), keyboard(rows))
        return forms.END
    busy = await forms.load_draft(context, update.effective_user.id)
    if busy is not None and busy.kind != MESSAGE_FORM:  # a bilan being typed is never replaced
        await reply(update, content.render(t.WRITE_BUSY))
        return forms.END
    back = [(content.render(texts.MENU_BACK), buttons.MENU.pack("menu", NO_SOURCE))]
    intro = content.render(t.WRITE_INTRO, reference=chosen.reference or "", reader=reader[1])
    await reply(update, intro, keyboard([back]))
    return await forms.begin(update, context, MESSAGE_FORM, chosen.id)


async def _complete_message(
    update: Update, context: Context, draft: FormDraft, answers: dict[str, Any]
) -> None:
    """Pass the typed message on like any message to the team (answerable by "↩️ Répondre" or a
    Telegram reply), store it on the dossier, say who reads it."""
    assert update.effective_user is not None and update.effective_chat is not None
    data = context.bot_data
    content = data.content
    user = update.effective_user
    message = update.effective_message
    item = relay.Relayed(
        "text",
        str(answers.get("message") or ""),
        None,
        update.effective_chat.id,
        message.message_id if message is not None else 0,
    )
    async with data.transaction() as session:
        found = await holder_messages.own_open_project(session, user.id, draft.target_id)
        queued = (
            await queue_holder_message(
                session, data.config, content, found, user.first_name or "?", item, data.clock.now()
            )
            if found is not None
            else None
        )
    if found is None or queued is None:
        await reply(update, content.render(t.WRITE_NONE))
        return
    kick(context, queued.rows)
    reference = found[1].reference or ""
    await reply(update, content.render(t.WRITE_SENT, reference=reference, reader=queued.reader))


def holder_completers() -> dict[str, forms.Completer]:
    """What completing a holder's message does (wired by app.py)."""
    return {MESSAGE_FORM: _complete_message}


def holder_form_entries() -> list[BaseHandler[Update, Context, Any]]:
    """The button that opens a message to the team (an entry of the forms' conversation)."""
    return [button(buttons.WRITE_TEAM, on_write)]


async def _kept_data(update: Update, context: Context) -> dict[str, Any] | None:
    """What is kept about the user (each reading recorded), or None once told there is none."""
    assert update.effective_user is not None
    data = context.bot_data
    async with data.transaction() as session:
        export: dict[str, Any] = await data_rights.export_data(
            session, update.effective_user.id, data.clock.now()
        )
    if not export:
        await reply(update, data.content.render(texts.MY_DATA_EMPTY))
        return None
    return export


async def my_data(update: Update, context: Context) -> None:
    """/mes_donnees: a readable summary of everything kept, the JSON file behind a button."""
    data = context.bot_data
    content = data.content
    export = await _kept_data(update, context)
    if export is None:
        return
    parts = summary_messages(content, export, data.config.tz)
    markup = keyboard(
        [[(content.render(texts.MY_DATA_FILE_BUTTON), buttons.MY_DATA_FILE.pack("json"))]]
    )
    for part in parts[:-1]:
        await reply(update, part)
    await reply(update, parts[-1], markup)


async def on_my_data_file(update: Update, context: Context) -> None:
    """The /mes_donnees button: the full JSON file, field names in French."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    assert update.effective_chat is not None
    if await repeated_press(update, context):
        return
    await answer_query(query)
    content = context.bot_data.content
    export = await _kept_data(update, context)
    if export is None:
        return
    labelled = {k: readable_data(content, k, v) for k, v in export.items()}
    french = renamed(labelled, content.lists["data_fields"])
    payload = json.dumps(french, ensure_ascii=False, indent=2).encode()
    await update.effective_chat.send_document(
        payload,
        filename=content.render(texts.MY_DATA_FILE_NAME),
        caption=content.render(texts.MY_DATA_FILE_CAPTION),
    )


async def erase_request(update: Update, context: Context) -> None:
    """/supprimer: ask for confirmation."""
    content = context.bot_data.content
    markup = keyboard(
        [
            [(content.render(texts.ERASE_YES), buttons.ERASE.pack("yes"))],
            [(content.render(texts.ERASE_NO), buttons.ERASE.pack("no"))],
        ]
    )
    await reply(update, content.render(texts.ERASE_CONFIRM), markup)


async def on_erase(update: Update, context: Context) -> None:
    """The confirmation buttons of /supprimer."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    data = context.bot_data
    content = data.content
    parts = buttons.ERASE.parse(query.data)
    if parts is None or parts.answer != "yes":
        await answer_query(query)
        await edit_or_send(query, content.render(texts.ERASE_ABORTED))
        return
    user_id = update.effective_user.id
    async with data.transaction() as session:
        erasure = await data_rights.erase(session, data.config, user_id, data.clock.now())
    context.application.drop_user_data(user_id)
    context.application.drop_chat_data(user_id)
    await answer_query(query)
    await edit_or_send(query, content.render(texts.ERASED))
    if erasure is not None:
        await announce_erasure(context, erasure, data_rights.REQUEST)


def holder_handlers() -> list[Any]:
    """Holder commands (private chats) and the erase confirmation."""
    return [
        command("suivi", follow_up),
        command("mes_donnees", my_data),
        button(buttons.MY_DATA_FILE, on_my_data_file),
        command("supprimer", erase_request),
        button(buttons.ERASE, on_erase),
    ]
