"""/dossiers and /dossier: a button per dossier, and its panel (summary, answers, history)."""

from __future__ import annotations

from typing import Any

from telegram import Update

from pes21_bot import access, buttons, texts
from pes21_bot.context import Context
from pes21_bot.db.models import Project
from pes21_bot.handlers.access import button, command, pressed_project
from pes21_bot.handlers.ui import answer_query, edit_or_send, repeated_press, reply
from pes21_bot.messages import dossier
from pes21_bot.messages.markup import keyboard
from pes21_bot.services import projects

LISTED = 50


async def my_projects(update: Update, context: Context) -> None:
    """/dossiers: the staff member's open projects and the unclaimed ones, one button each."""
    assert update.effective_user is not None
    data = context.bot_data
    content = data.content
    async with data.session_factory() as session:
        found = await projects.open_projects_of(session, data.config, update.effective_user.id)
    if not found:
        await reply(update, content.render(texts.MY_PROJECTS_EMPTY))
        return
    rows = [
        [
            (
                content.render(
                    texts.MY_PROJECTS_BUTTON,
                    reference=p.reference or "",
                    programme=content.programme_name(p.programme or ""),
                    status=content.label("project_status", p.status),
                ),
                buttons.PROJECT.pack(p.id),
            )
        ]
        for p in found[:LISTED]
    ]
    header = content.render(texts.MY_PROJECTS_HEADER)
    text = f"{header}\n{content.render(texts.MY_PROJECTS_CHOOSE)}"
    await reply(update, text, keyboard(rows))


async def _panel(context: Context, project: Project) -> tuple[str, Any]:
    """The panel's text and buttons, with the owner read from the database."""
    data = context.bot_data
    async with data.session_factory() as session:
        people = await projects.people_by_id(session, {project.owner_id or 0})
    owner = people.get(project.owner_id) if project.owner_id else None
    return (
        dossier.panel_text(data.content, data.config, project, owner),
        dossier.panel_markup(data.content, project),
    )


async def project_detail(update: Update, context: Context) -> None:
    """/dossier PES-2026-0042: the dossier's panel."""
    assert update.effective_user is not None
    data = context.bot_data
    content = data.content
    if not context.args:
        await reply(update, content.render(texts.PROJECT_USAGE))
        return
    reference = context.args[0][:30]
    async with data.session_factory() as session:
        project = await projects.find_by_reference(session, reference)
    allowed = project is not None and access.staff_may(
        access.COMMANDS["dossier"], data.config, update.effective_user.id, project.programme
    )
    if project is None or not allowed:
        await reply(update, content.render(texts.NOT_FOUND_REFERENCE, reference=reference))
        return
    await reply(update, *await _panel(context, project))


async def on_project(update: Update, context: Context) -> None:
    """A dossier's button (in /dossiers, after recording a step): its panel, as a new message."""
    if await repeated_press(update, context):
        return
    target = await pressed_project(update, context, buttons.PROJECT)
    if target is None:
        return
    project, _ = target
    assert update.callback_query is not None
    await answer_query(update.callback_query)
    await reply(update, *await _panel(context, project))


async def on_view(update: Update, context: Context) -> None:
    """'Réponses', 'Historique', 'Retour au dossier': that view, in the same message."""
    target = await pressed_project(update, context, buttons.PROJECT_VIEW)
    if target is None:
        return
    project, (name,) = target
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    data = context.bot_data
    content = data.content
    back = dossier.back_markup(content, project, in_place=True)
    if name == "answers":
        await edit_or_send(query, dossier.answers_text(content, project), back)
    elif name == "history":
        async with data.session_factory() as session:
            history = await projects.history(session, project.id)
            people = await projects.people_by_id(
                session, {e.actor_id for e in history if e.actor_id}
            )
        text = dossier.history_text(content, data.config, project, history, people)
        await edit_or_send(query, text, back)
    else:
        await edit_or_send(query, *await _panel(context, project))


def dossier_handlers() -> list[Any]:
    """The dossier commands and the panel's buttons."""
    return [
        command("dossiers", my_projects),
        command("dossier", project_detail),
        button(buttons.PROJECT, on_project),
        button(buttons.PROJECT_VIEW, on_view),
    ]
