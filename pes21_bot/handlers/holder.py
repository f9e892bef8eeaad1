"""Holder's own commands: /suivi, and the data rights /mes_donnees and /supprimer."""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from pes21_bot import texts
from pes21_bot.content import Html
from pes21_bot.context import Context
from pes21_bot.handlers.render import fr_date
from pes21_bot.handlers.ui import (
    answer_query,
    edit_elsewhere,
    edit_or_send,
    keyboard,
    notify,
    pack,
    reply,
    unpack,
)
from pes21_bot.handlers.volunteers import tell_owners_reassigned
from pes21_bot.services import data_rights, intake, projects
from pes21_bot.services.people import display_name

logger = logging.getLogger(__name__)


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
                line + content.render(texts.FOLLOW_UP_OWNER, name=display_name(data.config, owner))
            )
        lines.append(line)
    await reply(update, "\n".join(lines))


async def my_data(update: Update, context: Context) -> None:
    """/mes_donnees: a readable summary and the full JSON file."""
    assert update.effective_user is not None and update.effective_chat is not None
    data = context.bot_data
    content = data.content
    async with data.transaction() as session:
        export: dict[str, Any] = await data_rights.export_data(
            session, update.effective_user.id, data.clock.now()
        )
    if not export:
        await reply(update, content.render(texts.MY_DATA_EMPTY))
        return
    person = export["personne"]
    name = " ".join(n for n in (person["prenom"], person["nom"]) if n) or "—"
    since = export["personne"]["premier_contact"] or ""
    summary = content.render(
        texts.MY_DATA_SUMMARY, name=name, since=since[:10], projects=len(export["dossiers"])
    )
    if export["benevole"] is not None:
        done = sum(1 for review in export["bilans"] if review["saisi_par_vous"])
        volunteer_line = content.render(
            texts.MY_DATA_VOLUNTEER,
            since=(export["benevole"]["inscrit_le"] or "")[:10],
            reviews=done,
        )
        summary = Html(f"{summary}\n{volunteer_line}")
    await reply(update, summary)
    payload = json.dumps(export, ensure_ascii=False, indent=2).encode()
    await update.effective_chat.send_document(
        payload,
        filename="mes_donnees_pes21.json",
        caption=content.render(texts.MY_DATA_FILE_CAPTION),
    )


async def erase_request(update: Update, context: Context) -> None:
    """/supprimer: ask for confirmation."""
    content = context.bot_data.content
    markup = keyboard(
        [
            [(content.render(texts.ERASE_YES), pack("erase", "yes"))],
            [(content.render(texts.ERASE_NO), pack("erase", "no"))],
        ]
    )
    await reply(update, content.render(texts.ERASE_CONFIRM), markup)


async def on_erase(update: Update, context: Context) -> None:
    """The confirmation buttons of /supprimer."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    await answer_query(query)
    data = context.bot_data
    content = data.content
    parts = unpack(query.data, "erase", 1)
    if parts is None or parts[0] != "yes":
        await edit_or_send(query, content.render(texts.ERASE_ABORTED))
        return
    user_id = update.effective_user.id
    async with data.transaction() as session:
        erasure = await data_rights.erase(session, data.config, user_id, data.clock.now())
    context.application.drop_user_data(user_id)
    context.application.drop_chat_data(user_id)
    await edit_or_send(query, content.render(texts.ERASED))
    if erasure is not None:
        await announce_erasure(context, erasure, data_rights.REQUEST)


async def announce_erasure(context: Context, erasure: data_rights.Erasure, reason: str) -> None:
    """After the commit: blank the cards, tell owners and reviewers once each what changed."""
    content = context.bot_data.content
    await tell_owners_reassigned(context, erasure.name, erasure.moved)
    on_request = reason == data_rights.REQUEST
    for project in erasure.projects:
        if project.reference is None:
            continue
        blank = content.render(
            texts.CARD_ERASED if on_request else texts.CARD_ANONYMISED, reference=project.reference
        )
        for chat_id, message_id in project.cards:
            await edit_elsewhere(context, chat_id, message_id, blank)
        # After the retention period the owner is told only when reviews were still planned.
        if project.owner_telegram_id is None or not (on_request or project.reviews_cancelled):
            continue
        notice = content.render(
            texts.STAFF_ERASED if on_request else texts.STAFF_ANONYMISED,
            reference=project.reference,
        )
        if project.reviews_cancelled:
            notice = Html(f"{notice}\n{content.render(texts.STAFF_ERASED_REVIEWS)}")
        await notify(context, project.owner_telegram_id, notice)
    why = content.render(texts.ERASED_WHY_REQUEST if on_request else texts.ERASED_WHY_RETENTION)
    for telegram_id, references in erasure.reviewers_told.items():
        await notify(
            context,
            telegram_id,
            content.render(
                texts.REVIEWER_REVIEWS_CANCELLED, references=", ".join(references), why=why
            ),
        )


def holder_handlers() -> list[Any]:
    """Holder commands (private chats) and the erase confirmation."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("suivi", follow_up, filters=private),
        CommandHandler("mes_donnees", my_data, filters=private),
        CommandHandler("supprimer", erase_request, filters=private),
        CallbackQueryHandler(on_erase, pattern=r"^erase:"),
    ]
