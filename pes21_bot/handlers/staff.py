"""Staff side: project cards with claim / redirect / close buttons, /dossiers, /dossier, tests."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from pes21_bot import texts
from pes21_bot.config import PROGRAMMES
from pes21_bot.content import Html
from pes21_bot.context import Context
from pes21_bot.db.models import OutboxMessage, Person, Project
from pes21_bot.domain.qualification import IDEA_FIELDS
from pes21_bot.handlers.render import answer_lines, card_text, fr_date, fr_datetime, maturity_text
from pes21_bot.handlers.ui import (
    answer_query,
    as_int,
    edit_elsewhere,
    keyboard,
    kick,
    pack,
    reply,
    set_markup,
    unpack,
    user_info,
)
from pes21_bot.services import intake, outbox, projects
from pes21_bot.services.people import display_name
from pes21_bot.texts import volunteers as volunteer_texts

logger = logging.getLogger(__name__)

CLOSABLE = ("routed", "claimed", "accompanying")


def card_markup(context: Context, project: Project) -> InlineKeyboardMarkup:
    """Claim (while unclaimed), accompaniment (once claimed), redirect and close buttons."""
    content = context.bot_data.content
    rows = []
    if project.status == "routed":
        rows.append([(content.render(texts.CLAIM), pack("claim", project.id))])
    if project.status in ("claimed", "accompanying"):
        rows.append([(content.render(volunteer_texts.ACC_BUTTON), pack("acc", project.id))])
    rows.append(
        [
            (content.render(texts.REDIRECT), pack("redir", project.id)),
            (content.render(texts.CLOSE), pack("close", project.id)),
        ]
    )
    return keyboard(rows)


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


async def update_cards(
    context: Context, project: Project, status_line: Html, with_buttons: bool
) -> None:
    """Edit every copy of a project's card: new status line, buttons kept or removed."""
    data = context.bot_data
    async with data.session_factory() as session:
        cards = await projects.cards_of(session, project.id)
    text = card_text(data.content, data.config, project, status_line)
    markup = card_markup(context, project) if with_buttons else None
    for card in cards:
        await edit_elsewhere(context, card.chat_id, card.message_id, text, markup)


async def refuse(update: Update, text: str) -> None:
    """Answer on the pressed button, or in the chat for a typed message."""
    if update.callback_query is not None:
        await answer_query(update.callback_query, text)
    else:
        await reply(update, text)


async def handled_project(
    update: Update, context: Context, project_id: int | None, action: str
) -> Project | None:
    """The project, if the user may do this action on it; else a refusal, shown and logged."""
    assert update.effective_user is not None
    data = context.bot_data
    user_id = update.effective_user.id
    project = None
    if project_id is not None:
        async with data.session_factory() as session:
            project = await projects.get_project(session, project_id)
    if project is None or project.reference is None:
        logger.warning("malformed or unknown %s button from %s", action, user_id)
        await refuse(update, data.content.render(texts.STALE_BUTTON))
        return None
    allowed = projects.may_handle(data.config, user_id, project.programme)
    if not allowed and action == "claim":
        # Early projects (accueil en amont) may also be claimed by welcoming volunteers.
        today = data.clock.now().astimezone(data.config.tz).date()
        async with data.session_factory() as session:
            allowed = await projects.may_claim(
                session, data.config, user_id, project.programme, today
            )
    if not allowed:
        logger.warning("refused %s on project %s for user %s", action, project.id, user_id)
        await refuse(update, data.content.render(texts.NOT_ALLOWED))
        return None
    return project


async def project_for_button(
    update: Update, context: Context, prefix: str, count: int
) -> tuple[Project, list[str]] | None:
    """Parse a staff button (project id first, then count - 1 fields) and check the presser."""
    query = update.callback_query
    assert query is not None
    parts = unpack(query.data, prefix, count)
    project = await handled_project(update, context, as_int(parts[0]) if parts else None, prefix)
    if project is None or parts is None:
        return None
    await _adopt_copy(context, query, project)
    return project, parts[1:]


async def current_card(
    context: Context, project: Project
) -> tuple[Html, InlineKeyboardMarkup | None]:
    """The card as it stands now: its status line and, while the project is open, its buttons."""
    data = context.bot_data
    content = data.content
    status_line = None
    if project.owner_id is not None:
        async with data.session_factory() as session:
            owner = (await projects.people_by_id(session, {project.owner_id})).get(project.owner_id)
        status_line = content.render(texts.CARD_CLAIMED, name=display_name(data.config, owner))
    markup = card_markup(context, project) if project.status in CLOSABLE else None
    return card_text(content, data.config, project, status_line), markup


async def _adopt_copy(context: Context, query: CallbackQuery, project: Project) -> None:
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
    text, markup = await current_card(context, project)
    await edit_elsewhere(context, chat_id, message_id, text, markup)


async def on_claim(update: Update, context: Context) -> None:
    """'Je prends': the first press wins; everyone's card then shows the owner."""
    target = await project_for_button(update, context, "claim", 1)
    if target is None:
        return
    project, _ = target
    query = update.callback_query
    assert query is not None
    data = context.bot_data
    content = data.content
    async with data.transaction() as session:
        result = await projects.claim(session, project.id, user_info(update), data.clock.now())
        reference = result.project.reference or ""
        owner_name = display_name(data.config, result.owner)
        queued: list[OutboxMessage] = []
        if result.won:
            queued = queue_to(
                session,
                context,
                await projects.holder_of(session, result.project),
                content.render(
                    texts.HOLDER_CLAIMED,
                    reference=reference,
                    name=owner_name,
                    programme=content.programme_name(result.project.programme or ""),
                ),
            )
    if not result.won:
        if result.owner is not None:
            await answer_query(
                query, content.render(texts.CLAIM_LOST, reference=reference, name=owner_name)
            )
        else:
            status = content.label("project_status", result.project.status)
            await answer_query(
                query, content.render(texts.CLAIM_NOT_OPEN, reference=reference, status=status)
            )
        return
    kick(context, queued)
    await answer_query(query, content.render(texts.CLAIM_WON, reference=reference))
    await update_cards(
        context, result.project, content.render(texts.CARD_CLAIMED, name=owner_name), True
    )


async def _show_choices(
    update: Update,
    context: Context,
    prefix: str,
    choices: Callable[[Project], list[tuple[str, str]]],
) -> None:
    """Replace a card's buttons by one button per choice (value, label), plus 'Retour'."""
    target = await project_for_button(update, context, prefix, 1)
    if target is None:
        return
    project, _ = target
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    if project.status not in CLOSABLE:
        await set_markup(query, None)
        return
    action = {"redir": "redirto", "close": "closeas"}[prefix]
    rows = [[(label, pack(action, project.id, value))] for value, label in choices(project)]
    rows.append([(context.bot_data.content.render(texts.BACK), pack("card", project.id))])
    await set_markup(query, keyboard(rows))


async def on_redirect_menu(update: Update, context: Context) -> None:
    """'Réorienter': show the other programmes on this card."""
    content = context.bot_data.content
    await _show_choices(
        update,
        context,
        "redir",
        lambda project: [
            (p, content.programme_name(p)) for p in PROGRAMMES if p != project.programme
        ],
    )


async def on_close_menu(update: Update, context: Context) -> None:
    """'Clore': show the reasons on this card."""
    reasons = list(context.bot_data.content.lists["close_reasons"].items())
    await _show_choices(update, context, "close", lambda _project: reasons)


async def on_card_back(update: Update, context: Context) -> None:
    """'Retour' from a sub-menu: the card's own buttons again."""
    target = await project_for_button(update, context, "card", 1)
    if target is None:
        return
    project, _ = target
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    await set_markup(query, card_markup(context, project) if project.status in CLOSABLE else None)


async def on_redirect(update: Update, context: Context) -> None:
    """A programme chosen: the project leaves this programme's cards and reaches the new one."""
    target = await project_for_button(update, context, "redirto", 2)
    if target is None:
        return
    project, (programme,) = target
    query = update.callback_query
    assert query is not None
    data = context.bot_data
    content = data.content
    reference = project.reference or ""
    if programme not in PROGRAMMES:
        await answer_query(query, content.render(texts.STALE_BUTTON))
        return
    destination = content.programme_name(programme)
    if programme == project.programme:  # a second press: already done
        await answer_query(
            query, content.render(texts.REDIRECT_DONE, reference=reference, programme=destination)
        )
        return
    if project.status not in CLOSABLE:
        await answer_query(query, content.render(texts.ALREADY_CLOSED, reference=reference))
        return
    actor = user_info(update)
    async with data.transaction() as session:
        fresh = await projects.get_project(session, project.id)
        assert fresh is not None
        if fresh.status not in CLOSABLE or fresh.programme != project.programme:
            fresh = None  # changed by someone else since the press: nothing done
        else:
            old_cards = await projects.cards_of(session, fresh.id)
            await projects.redirect(session, fresh, programme, actor, data.clock.now())
            await projects.forget_cards(session, fresh.id)
            queued = await queue_cards(session, context, fresh)
            queued += queue_to(
                session,
                context,
                await projects.holder_of(session, fresh),
                content.render(
                    texts.HOLDER_REDIRECTED,
                    reference=reference,
                    programme=destination,
                    days=data.config.programmes[programme].response_days,  # type: ignore[index]
                ),
            )
    if fresh is None:
        await answer_query(query, content.render(texts.STALE_BUTTON))
        return
    kick(context, queued)
    await answer_query(
        query, content.render(texts.REDIRECT_DONE, reference=reference, programme=destination)
    )
    name = data.config.member_name(actor.telegram_id) or ""
    text = card_text(
        content,
        data.config,
        project,
        content.render(texts.CARD_REDIRECTED, name=name, programme=destination),
    )
    for card in old_cards:
        await edit_elsewhere(context, card.chat_id, card.message_id, text)


async def on_close(update: Update, context: Context) -> None:
    """A reason chosen: the project is closed everywhere and the holder told."""
    target = await project_for_button(update, context, "closeas", 2)
    if target is None:
        return
    project, (reason,) = target
    query = update.callback_query
    assert query is not None
    data = context.bot_data
    content = data.content
    reference = project.reference or ""
    if reason not in content.lists["close_reasons"]:
        await answer_query(query, content.render(texts.STALE_BUTTON))
        return
    if project.status not in CLOSABLE:
        await answer_query(query, content.render(texts.ALREADY_CLOSED, reference=reference))
        return
    actor = user_info(update)
    reason_label = content.label("close_reasons", reason)
    async with data.transaction() as session:
        fresh = await projects.get_project(session, project.id)
        assert fresh is not None
        done = fresh.status in CLOSABLE
        if done:
            await projects.close(session, fresh, reason, actor, data.clock.now())
            queued = queue_to(
                session,
                context,
                await projects.holder_of(session, fresh),
                content.render(texts.HOLDER_CLOSED, reference=reference, reason=reason_label),
            )
    if not done:
        await answer_query(query, content.render(texts.ALREADY_CLOSED, reference=reference))
        return
    kick(context, queued)
    await answer_query(query, content.render(texts.CLOSE_DONE, reference=reference))
    name = data.config.member_name(actor.telegram_id) or ""
    await update_cards(
        context, fresh, content.render(texts.CARD_CLOSED, name=name, reason=reason_label), False
    )


async def _staff_only(update: Update, context: Context) -> bool:
    assert update.effective_user is not None
    config = context.bot_data.config
    user_id = update.effective_user.id
    if config.staff_member(user_id) is None and not config.is_admin(user_id):
        logger.warning("refused staff command for user %s", user_id)
        await reply(update, context.bot_data.content.render(texts.NOT_ALLOWED))
        return False
    return True


async def my_projects(update: Update, context: Context) -> None:
    """/dossiers: the staff member's open projects and the unclaimed ones of their programmes."""
    if not await _staff_only(update, context):
        return
    assert update.effective_user is not None
    data = context.bot_data
    content = data.content
    async with data.session_factory() as session:
        found = await projects.open_projects_of(session, data.config, update.effective_user.id)
    if not found:
        await reply(update, content.render(texts.MY_PROJECTS_EMPTY))
        return
    lines = [content.render(texts.MY_PROJECTS_HEADER)]
    lines += [
        content.render(
            texts.MY_PROJECTS_LINE,
            reference=p.reference or "",
            programme=content.programme_name(p.programme or ""),
            status=content.label("project_status", p.status),
            date=fr_date(p.submitted_at, data.config.tz),
        )
        for p in found[:50]
    ]
    await reply(update, "\n".join(lines))


async def project_detail(update: Update, context: Context) -> None:
    """/dossier PES-2026-0042: answers, owner and history."""
    if not await _staff_only(update, context):
        return
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
        allowed = project is not None and (
            data.config.is_admin(user_id)
            or projects.may_handle(data.config, user_id, project.programme)
        )
        if project is None or not allowed:
            await reply(update, content.render(texts.NOT_FOUND_REFERENCE, reference=reference))
            return
        history = await projects.history(session, project.id)
        wanted = {e.actor_id for e in history if e.actor_id} | {project.owner_id or 0}
        people = await projects.people_by_id(session, wanted)
    owner = people.get(project.owner_id) if project.owner_id else None
    questionnaire = content.questionnaires[project.path]
    text = content.render(
        texts.PROJECT_DETAIL,
        reference=project.reference or "",
        programme=content.programme_name(project.programme or ""),
        status=content.label("project_status", project.status),
        owner=display_name(data.config, owner) if owner else content.render(texts.EMPTY_VALUE),
        summary=answer_lines(content, questionnaire, project.answers, 300),
    )
    lines = [text]
    for event in history[-30:]:
        actor = people.get(event.actor_id) if event.actor_id else None
        lines.append(
            content.render(
                texts.PROJECT_HISTORY_LINE,
                date=fr_datetime(event.occurred_at, data.config.tz),
                event=content.lists["events"].get(event.kind)
                or content.label("events_followup", event.kind),
                actor=display_name(data.config, actor)
                if actor
                else content.render(texts.EMPTY_VALUE),
            )
        )
    markup = (
        card_markup(context, project) if project.status in ("claimed", "accompanying") else None
    )
    await reply(update, "\n".join(lines), markup)


def _parse_orientation_args(args: list[str]) -> tuple[str, dict[str, Any]] | str:
    """key=value pairs (or a path name) into answers; returns the bad key on error."""
    path = "idea"
    answers: dict[str, Any] = {}
    for arg in args:
        if "=" not in arg:
            if arg in ("dla", "local_authority", "crdva", "idea"):
                path = arg
                continue
            return arg
        key, value = arg.split("=", 1)
        if key in ("team_size", "jobs"):
            if not value.isdigit():
                return key
            answers[key] = int(value)
        elif key == "idea_length":
            if not value.isdigit() or int(value) > 10_000:
                return key
            answers["idea"] = "x" * int(value)
        elif key == "needs":
            answers["needs"] = [v for v in value.split(",") if v]
        elif key in IDEA_FIELDS:
            answers[key] = value
        else:
            return key
    return path, answers


async def orientation_test(update: Update, context: Context) -> None:
    """/orientation_test key=value...: where would such a project go, and why (nothing stored)."""
    if not await _staff_only(update, context):
        return
    data = context.bot_data
    content = data.content
    if not context.args:
        keys = "stage, team_size, legal_form, jobs, time, idea_length, needs"
        await reply(update, content.render(texts.ORIENTATION_USAGE, keys=keys))
        return
    parsed = _parse_orientation_args(list(context.args))
    if isinstance(parsed, str):
        await reply(update, content.render(texts.ORIENTATION_BAD_VALUE, key=parsed[:40]))
        return
    path, answers = parsed
    maturity, destination = intake.evaluate(data.config, path, answers)
    text = content.render(
        texts.ORIENTATION_RESULT,
        programme=content.programme_name(destination.programme),
        maturity=maturity_text(
            content,
            data.config,
            maturity.score if maturity else None,
            maturity.criteria if maturity else [],
        ),
    )
    await reply(update, text)


def staff_handlers() -> list[Any]:
    """Staff commands and card buttons, in registration order."""
    return [
        CommandHandler("dossiers", my_projects),
        CommandHandler("dossier", project_detail),
        CommandHandler("orientation_test", orientation_test),
        CallbackQueryHandler(on_claim, pattern=r"^claim:"),
        CallbackQueryHandler(on_redirect_menu, pattern=r"^redir:"),
        CallbackQueryHandler(on_redirect, pattern=r"^redirto:"),
        CallbackQueryHandler(on_close_menu, pattern=r"^close:"),
        CallbackQueryHandler(on_close, pattern=r"^closeas:"),
        CallbackQueryHandler(on_card_back, pattern=r"^card:"),
    ]
