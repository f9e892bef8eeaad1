"""/dossiers and /dossier: a button per dossier, and its panel (summary, answers, history)."""

from __future__ import annotations

import html
from typing import Any

from telegram import Update

from pes21_bot import access, buttons, texts
from pes21_bot.context import Context
from pes21_bot.db.models import Project
from pes21_bot.db.session import read_apart
from pes21_bot.domain.answers import project_display_name
from pes21_bot.domain.visibility import first_name
from pes21_bot.handlers.access import button, command, may_act, pressed_project
from pes21_bot.handlers.ui import answer_query, edit_or_send, repeated_press, reply
from pes21_bot.messages import dossier
from pes21_bot.messages import reviews as review_messages
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.render import fr_date
from pes21_bot.services import projects, recorded, relay, reviews, search
from pes21_bot.texts import volunteers as volunteer_texts
from pes21_bot.texts import week

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
    user_id = update.effective_user.id
    staff = data.config.staff_member(user_id) is not None or data.config.is_admin(user_id)
    header = content.render(
        texts.MY_PROJECTS_HEADER if staff else volunteer_texts.MISSION_MY_PROJECTS
    )
    text = f"{header}\n{content.render(texts.MY_PROJECTS_CHOOSE)}"
    await reply(update, text, keyboard(rows))


async def _panel(context: Context, project: Project, user_id: int) -> tuple[str, Any]:
    """The panel's text and buttons, with the owner read from the database.

    Staff get the card's actions; the welcoming volunteer who holds it, the mission's.
    """
    data = context.bot_data
    async with data.session_factory() as session:
        people = await projects.people_by_id(session, {project.owner_id or 0})
        awaits_link = await recorded.awaits_link(session, project)
        first_contact = await recorded.first_contact(session, project)
    owner = people.get(project.owner_id) if project.owner_id else None
    staff = access.staff_may(access.COMMANDS["dossier"], data.config, user_id, project.programme)
    return (
        dossier.panel_text(data.content, data.config, project, owner, first_contact),
        dossier.panel_markup(
            data.content, project, mission=not staff, awaits_link=staff and awaits_link
        ),
    )


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


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
    user_id = update.effective_user.id
    if project is None:
        await reply(update, content.render(texts.NOT_FOUND_REFERENCE, reference=reference))
        return
    if not await may_act(context, access.COMMANDS["dossier"], user_id, project):
        await _reviewer_view(update, context, project)
        return
    await reply(update, *await _panel(context, project, user_id))


async def _reviewer_view(update: Update, context: Context, project: Project) -> None:
    """A volunteer's own open bilan on this dossier: what the visibility table lets them see
    (the contact while the bilan is open) and its buttons; else they are told they have no
    access (the dossier exists: "not found" would be untrue)."""
    assert update.effective_user is not None
    data = context.bot_data
    content = data.content
    async with data.session_factory() as session:
        review = await reviews.open_review_of(session, project.id, update.effective_user.id)
    if review is None:
        await reply(update, content.render(week.NO_ACCESS, reference=project.reference or ""))
        return
    header = content.render(
        week.REVIEWER_VIEW,
        reference=project.reference or "",
        programme=content.programme_name(project.programme or ""),
        number=review.number,
        date=fr_date(review.due_at, data.config.tz),
    )
    text = f"{header}\n{review_messages.contact_text(content, project, review)}"
    await reply(update, text, review_messages.review_markup(content, review.id))


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
    await reply(update, *await _panel(context, project, _user_id(update)))


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
        staff = access.staff_may(
            access.COMMANDS["dossier"], data.config, _user_id(update), project.programme
        )
        text = dossier.answers_text(content, project, dossier.panel_fields(staff))
        await edit_or_send(query, text, back)
    elif name == "history":
        async with data.session_factory() as session:
            history = await projects.history(session, project.id)
            people = await projects.people_by_id(session, dossier.people_named(history))
        text = dossier.history_text(content, data.config, project, history, people)
        await edit_or_send(query, text, back)
    elif name == "messages":
        async with data.session_factory() as session:
            total, shown = await relay.conversation(session, project.id)
            people = await projects.people_by_id(session, {e.actor_id for e in shown if e.actor_id})
        text = dossier.messages_text(content, data.config, project, total, shown, people)
        await edit_or_send(query, text, back)
    else:
        await edit_or_send(query, *await _panel(context, project, _user_id(update)))


NAME_SHOWN = 30  # a button's label stays readable on a phone


async def search_command(update: Update, context: Context) -> None:
    """/cherche TEXTE: the dossiers of the programmes this person may see that match, one button
    each opening its panel."""
    assert update.effective_user is not None
    data = context.bot_data
    content = data.content
    query = " ".join(context.args or []).strip()[:100]
    if not query:
        await reply(update, content.render(week.SEARCH_USAGE))
        return
    user_id = update.effective_user.id
    rule = access.COMMANDS["dossier"]
    config = data.config
    # Every submitted dossier is read and matched: off the bot's loop, like /stats.
    found, count = await read_apart(
        data.session_factory,
        lambda session: search.find_dossiers(
            session, query, lambda p: access.staff_may(rule, config, user_id, p)
        ),
    )
    if not found:
        await reply(update, content.render(week.SEARCH_NONE, query=query))
        return
    rows = [[(_search_label(context, p), buttons.PROJECT.pack(p.id))] for p in found]
    lines = [content.render(week.SEARCH_FOUND, count=count, query=query)]
    if count > len(found):
        lines.append(content.render(week.SEARCH_MORE, shown=len(found)))
    await reply(update, "\n".join(lines), keyboard(rows))


def _search_label(context: Context, project: Project) -> str:
    """A found dossier's button: reference, holder's first name or project name, status."""
    content = context.bot_data.content
    answers = project.answers or {}
    name = first_name(str(answers.get("name") or "")) or project_display_name(project.path, answers)
    if len(name) > NAME_SHOWN:
        name = name[: NAME_SHOWN - 1] + "…"
    # A button shows plain text: the rendered HTML's escapes are undone.
    return html.unescape(
        content.render(
            week.SEARCH_BUTTON,
            reference=project.reference or "",
            name=name or content.programme_name(project.programme or ""),
            status=content.label("project_status", project.status),
        )
    )


def dossier_handlers() -> list[Any]:
    """The dossier commands and the panel's buttons."""
    return [
        command("dossiers", my_projects),
        command("dossier", project_detail),
        command("cherche", search_command),
        button(buttons.PROJECT, on_project),
        button(buttons.PROJECT_VIEW, on_view),
    ]
