"""Staff side of a dossier card: claim, redirect and close buttons; /orientation_test.

/dossiers and /dossier (the list and the panel of a dossier) are in handlers/dossier.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from telegram import CallbackQuery, Message, Update

from pes21_bot import access, buttons, texts
from pes21_bot.buttons import Button
from pes21_bot.content import Content
from pes21_bot.context import Context
from pes21_bot.db.models import OutboxMessage, Project
from pes21_bot.domain.names import match_names
from pes21_bot.domain.qualification import IDEA_FIELDS
from pes21_bot.domain.vocabulary import OPEN_STATUSES, PATHS, PROGRAMMES
from pes21_bot.handlers.access import button, command, pressed_project
from pes21_bot.handlers.ui import answer_query, kick, reply, set_markup, user_info
from pes21_bot.labels import question_label
from pes21_bot.messages.cards import card_markup
from pes21_bot.messages.delivery import (
    claimed_line,
    close_in,
    queue_to,
    redirect_in,
    refresh_panel,
    show_closed,
    show_left_behind,
    update_cards,
)
from pes21_bot.messages.dossier import panel_markup, panel_text, view
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.render import (
    maturity_text,
)
from pes21_bot.services import intake, projects
from pes21_bot.services.people import display_name
from pes21_bot.texts import week

logger = logging.getLogger(__name__)


async def on_claim(update: Update, context: Context) -> None:
    """'Je prends': the first press wins; everyone's card then shows the owner."""
    target = await pressed_project(update, context, buttons.CLAIM)
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
        holder = await projects.holder_of(session, result.project) if result.won else None
        # Recorded for someone not on Telegram: nobody is told, the new owner calls them.
        won_text = (
            texts.CLAIM_WON
            if holder is not None and holder.telegram_id is not None
            else week.CLAIM_WON_CALL
        )
        if result.won:
            queued = queue_to(
                session,
                context,
                holder,
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
    await answer_query(query, content.render(won_text, reference=reference))
    await update_cards(
        context, result.project, claimed_line(content, data.config, result.owner), True
    )
    claim_rule = access.BUTTONS[buttons.CLAIM.prefix]
    if not access.staff_may(
        claim_rule, data.config, user_info(update).telegram_id, project.programme
    ):
        # A welcoming volunteer: the dossier's panel, with what the mission needs.
        text = panel_text(content, data.config, result.project, result.owner)
        await reply(update, text, panel_markup(content, result.project, mission=True))
        return
    await refresh_panel(context, query, project.id)


async def _show_choices(
    update: Update,
    context: Context,
    menu: Button,
    action: Button,
    choices: Callable[[Project], list[tuple[str, str]]],
) -> None:
    """Replace a card's buttons by one button per choice (value, label), plus 'Retour'."""
    target = await pressed_project(update, context, menu)
    if target is None:
        return
    project, _ = target
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    if project.status not in OPEN_STATUSES:
        await set_markup(query, None)
        return
    rows = [[(label, action.pack(project.id, value))] for value, label in choices(project)]
    # On a /dossier panel, 'Retour' brings the panel back (its views and the card's actions).
    back = view(project, "summary") if _on_panel(query) else buttons.CARD_BACK.pack(project.id)
    rows.append([(context.bot_data.content.render(texts.BACK), back)])
    await set_markup(query, keyboard(rows))


def _on_panel(query: CallbackQuery) -> bool:
    """Whether the pressed message is a dossier's panel (it has the views' buttons)."""
    message = query.message
    markup = message.reply_markup if isinstance(message, Message) else None
    if markup is None:
        return False
    pressed = [b.callback_data for row in markup.inline_keyboard for b in row]
    return any(isinstance(d, str) and buttons.PROJECT_VIEW.parse(d) for d in pressed)


async def on_redirect_menu(update: Update, context: Context) -> None:
    """'Réorienter': show the other programmes on this card."""
    content = context.bot_data.content
    await _show_choices(
        update,
        context,
        buttons.REDIRECT_MENU,
        buttons.REDIRECT,
        lambda project: [
            (p, content.programme_name(p)) for p in PROGRAMMES if p != project.programme
        ],
    )


async def on_close_menu(update: Update, context: Context) -> None:
    """'Clore': show the reasons on this card."""
    reasons = list(context.bot_data.content.lists["close_reasons"].items())
    await _show_choices(
        update, context, buttons.CLOSE_MENU, buttons.CLOSE, lambda _project: reasons
    )


async def on_card_back(update: Update, context: Context) -> None:
    """'Retour' from a sub-menu: the card's own buttons again."""
    target = await pressed_project(update, context, buttons.CARD_BACK)
    if target is None:
        return
    project, _ = target
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    open_card = project.status in OPEN_STATUSES
    await set_markup(query, card_markup(context.bot_data.content, project) if open_card else None)


async def on_redirect(update: Update, context: Context) -> None:
    """A programme chosen: the project leaves this programme's cards and reaches the new one."""
    target = await pressed_project(update, context, buttons.REDIRECT)
    if target is None:
        return
    project, (programme,) = target
    programme = str(programme)
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
    if project.status not in OPEN_STATUSES:
        await answer_query(query, content.render(texts.ALREADY_CLOSED, reference=reference))
        return
    actor = user_info(update)
    queued: list[OutboxMessage] = []
    async with data.transaction() as session:
        fresh = await projects.get_project(session, project.id)
        assert fresh is not None
        if fresh.status not in OPEN_STATUSES or fresh.programme != project.programme:
            fresh = None  # changed by someone else since the press: nothing done
        else:
            old_cards, queued = await redirect_in(session, context, fresh, programme, actor)
    if fresh is None:
        await answer_query(query, content.render(texts.STALE_BUTTON))
        return
    kick(context, queued)
    await answer_query(
        query, content.render(texts.REDIRECT_DONE, reference=reference, programme=destination)
    )
    await show_left_behind(context, project, old_cards, actor, programme)
    await refresh_panel(context, query, project.id)


async def on_close(update: Update, context: Context) -> None:
    """A reason chosen: the project is closed everywhere and the holder told."""
    target = await pressed_project(update, context, buttons.CLOSE)
    if target is None:
        return
    project, (reason,) = target
    reason = str(reason)
    query = update.callback_query
    assert query is not None
    data = context.bot_data
    content = data.content
    reference = project.reference or ""
    if reason not in content.lists["close_reasons"]:
        await answer_query(query, content.render(texts.STALE_BUTTON))
        return
    if project.status not in OPEN_STATUSES:
        await answer_query(query, content.render(texts.ALREADY_CLOSED, reference=reference))
        return
    actor = user_info(update)
    queued: list[OutboxMessage] = []
    async with data.transaction() as session:
        fresh = await projects.get_project(session, project.id)
        assert fresh is not None
        done = fresh.status in OPEN_STATUSES
        if done:
            queued = await close_in(session, context, fresh, reason, actor)
    if not done:
        await answer_query(query, content.render(texts.ALREADY_CLOSED, reference=reference))
        return
    kick(context, queued)
    await answer_query(query, content.render(texts.CLOSE_DONE, reference=reference))
    await show_closed(context, fresh, reason, actor)
    await refresh_panel(context, query, project.id)


def _orientation_keys(content: Content) -> dict[str, list[str]]:
    """The answers /orientation_test takes, each by its question's name (and its code)."""
    extra = content.lists.get("orientation_keys", {})
    return {
        key: [str(extra[key])] if key in extra else [question_label(content, key)]
        for key in (*IDEA_FIELDS, "idea_length")
    }


def _split_pairs(text: str, keys: dict[str, list[str]]) -> tuple[str, list[tuple[str, str, str]]]:
    """'Avancement=Le projet se structure Personnes=3' into (words before, [(key, typed, value)]):
    each '=' ends a question's name, found as the last words before it that name one."""
    segments = text.split("=")
    before = ""
    pairs: list[tuple[str, str, str]] = []
    for i, segment in enumerate(segments[:-1]):
        words = segment.split()
        cut = next(
            (
                k
                for k in range(len(words))
                if len(match_names(" ".join(words[k:]), keys) or []) == 1
            ),
            None,
        )
        if cut is None:
            raise ValueError(segment.strip() or "=")
        head, typed = " ".join(words[:cut]), " ".join(words[cut:])
        if i == 0:
            before = head
        else:
            pairs[-1] = (*pairs[-1][:2], head)
        pairs.append(((match_names(typed, keys) or [""])[0], typed, ""))
    if pairs:
        pairs[-1] = (*pairs[-1][:2], segments[-1].strip())
    return (text if not pairs else before), pairs


def _parse_orientation_args(content: Content, text: str) -> tuple[str, dict[str, Any]] | str:
    """Answers typed as 'question=answer' with the questionnaire's words (or codes), after an
    optional path; returns what was not understood on error."""
    try:
        before, pairs = _split_pairs(text, _orientation_keys(content))
    except ValueError as exc:
        return str(exc)
    path = "idea"
    if before.strip():
        found = match_names(before, {p: [content.label("paths", p)] for p in PATHS})
        if found is None or len(found) != 1:
            return before
        path = found[0]
    answers: dict[str, Any] = {}
    idea = content.questionnaires["idea"]
    for key, typed, value in pairs:
        if key in ("team_size", "jobs", "idea_length"):
            if not (value.isascii() and value.isdigit()) or int(value) > 10_000:
                return typed
            if key == "idea_length":
                answers["idea"] = "x" * int(value)
            else:
                answers[key] = int(value)
        elif key == "idea":
            answers[key] = value
        else:
            choices = {code: [label] for code, label in idea.question(key).choices.items()}
            chosen = match_names(value, choices)
            if chosen is None or (key != "needs" and len(chosen) != 1):
                return typed
            answers[key] = chosen if key == "needs" else chosen[0]
    return path, answers


async def orientation_test(update: Update, context: Context) -> None:
    """/orientation_test key=value...: where would such a project go, and why (nothing stored)."""
    data = context.bot_data
    content = data.content
    if not context.args:
        keys = ", ".join(names[0] for names in _orientation_keys(content).values())
        await reply(update, content.render(texts.ORIENTATION_USAGE, keys=keys))
        return
    parsed = _parse_orientation_args(content, " ".join(context.args))
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
        command("orientation_test", orientation_test),
        button(buttons.CLAIM, on_claim),
        button(buttons.REDIRECT_MENU, on_redirect_menu),
        button(buttons.REDIRECT, on_redirect),
        button(buttons.CLOSE_MENU, on_close_menu),
        button(buttons.CLOSE, on_close),
        button(buttons.CARD_BACK, on_card_back),
    ]
