"""The welcoming volunteer's mission on the accueil-en-amont dossier they hold.

They record the first exchange (a short form) and propose an orientation, which the
programme's staff accept or refuse with a button (services/orientation.py).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from pes21_bot import access, buttons, texts
from pes21_bot.content import Html
from pes21_bot.context import Context
from pes21_bot.db.models import (
    FormDraft,
    OrientationProposal,
    OutboxMessage,
    Person,
    Project,
    ProjectCard,
)
from pes21_bot.domain.vocabulary import OPEN_STATUSES, PROGRAMMES, VOLUNTEER_PROGRAMME, Programme
from pes21_bot.handlers import forms
from pes21_bot.handlers.access import button, pressed_project, project_checked, refuse
from pes21_bot.handlers.ui import (
    answer_query,
    edit_or_send,
    kick,
    repeated_press,
    reply,
    set_markup,
    user_info,
)
from pes21_bot.messages.delivery import (
    EMERGENCE_REASON,
    actor_name,
    close_in,
    emergence_in,
    queue_to,
    redirect_in,
    show_closed,
    show_left_behind,
)
from pes21_bot.messages.dossier import back_markup
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.render import fr_day, shorten
from pes21_bot.services import orientation, outbox, projects
from pes21_bot.services.people import ensure_person
from pes21_bot.texts import volunteers as t

logger = logging.getLogger(__name__)

FORM = "first_exchange"
NOTES_SHOWN = 600
NO_TARGET = "-"


async def on_exchange(update: Update, context: Context) -> int | None:
    """'Premier échange': the short form (date, way of contact, what was said)."""
    if await repeated_press(update, context):
        return None  # the form's question is already asked
    target = await pressed_project(update, context, buttons.MISSION_EXCHANGE)
    if target is None:
        return forms.END
    project, _ = target
    state = await forms.begin(update, context, FORM, project.id)
    assert update.callback_query is not None
    await answer_query(update.callback_query)
    return state


async def _complete_exchange(
    update: Update, context: Context, draft: FormDraft, answers: dict[str, Any]
) -> None:
    project = await project_checked(update, context, buttons.MISSION_EXCHANGE, draft.target_id)
    if project is None:
        return
    data = context.bot_data
    now = data.clock.now()
    async with data.transaction() as session:
        person = await ensure_person(session, user_info(update), now)
        projects.record_first_exchange(session, project, person, answers, now)
    content = data.content
    await reply(
        update,
        content.render(t.MISSION_EXCHANGE_SAVED, reference=project.reference or ""),
        back_markup(content, project, in_place=False),
    )


async def on_orient(update: Update, context: Context) -> None:
    """'Proposer une orientation' and its sub-menus: other programmes, reasons to close."""
    if await repeated_press(update, context):
        return
    target = await pressed_project(update, context, buttons.MISSION_ORIENT)
    if target is None:
        return
    project, (menu,) = target
    assert update.callback_query is not None
    await answer_query(update.callback_query)
    content = context.bot_data.content
    reference = project.reference or ""

    def propose(choice: str, value: str) -> str:
        return buttons.MISSION_PROPOSE.pack(project.id, choice, value)

    if menu == "other":
        text = content.render(t.MISSION_ORIENT_PROGRAMME, reference=reference)
        rows = [
            [(content.programme_name(p), propose(orientation.REDIRECT, p))]
            for p in PROGRAMMES
            if p not in (VOLUNTEER_PROGRAMME, Programme.BENEFICES_CREA)
        ]
    elif menu == "close":
        text = content.render(t.MISSION_ORIENT_REASON, reference=reference)
        rows = [
            [(label, propose(orientation.CLOSE, reason))]
            for reason, label in content.lists["close_reasons"].items()
        ]
    else:
        text = content.render(t.MISSION_ORIENT_CHOOSE, reference=reference)
        rows = [
            [
                (
                    content.render(t.MISSION_ORIENT_BENEFICES),
                    propose(orientation.REDIRECT, Programme.BENEFICES_CREA),
                )
            ],
            [
                (
                    content.render(t.MISSION_ORIENT_EMERGENCE),
                    propose(orientation.EMERGENCE, NO_TARGET),
                )
            ],
            [
                (
                    content.render(t.MISSION_ORIENT_OTHER),
                    buttons.MISSION_ORIENT.pack(project.id, "other"),
                )
            ],
            [
                (
                    content.render(t.MISSION_ORIENT_CLOSE),
                    buttons.MISSION_ORIENT.pack(project.id, "close"),
                )
            ],
        ]
    await reply(update, text, keyboard(rows))


def _valid_target(context: Context, choice: str, target: str) -> bool:
    if choice == orientation.REDIRECT:
        return target in PROGRAMMES and target != VOLUNTEER_PROGRAMME
    if choice == orientation.CLOSE:
        return target in context.bot_data.content.lists["close_reasons"]
    return True


async def on_propose(update: Update, context: Context) -> None:
    """An orientation chosen: recorded, and the programme's staff asked to decide."""
    target = await pressed_project(update, context, buttons.MISSION_PROPOSE)
    if target is None:
        return
    project, (choice, value) = target
    choice, value = str(choice), str(value)
    query = update.callback_query
    assert query is not None
    data = context.bot_data
    content = data.content
    reference = project.reference or ""
    if not _valid_target(context, choice, value):
        await answer_query(query, content.render(texts.STALE_BUTTON))
        return
    now = data.clock.now()
    queued: list[OutboxMessage] = []
    async with data.transaction() as session:
        volunteer = await ensure_person(session, user_info(update), now)
        fresh = await projects.get_project(session, project.id)
        assert fresh is not None
        proposal = await orientation.propose(
            session, fresh, volunteer, choice, None if value == NO_TARGET else value, now
        )
        if proposal is not None:
            text = await _proposal_text(session, context, fresh, proposal, volunteer)
            markup: list[list[tuple[str, str]]] = [
                [
                    (content.render(t.MISSION_ACCEPT), _decide(proposal, "accept")),
                    (content.render(t.MISSION_REFUSE), _decide(proposal, "refuse")),
                ]
            ]
            queued = [
                outbox.add_message(session, chat_id, text, now, buttons=markup, project_id=fresh.id)
                for chat_id in orientation.deciders(data.config)
            ]
    if proposal is None:
        await answer_query(query, content.render(t.MISSION_ALREADY_PENDING, reference=reference))
        return
    kick(context, queued)
    await answer_query(query)
    await set_markup(query, None)
    await reply(update, content.render(t.MISSION_PROPOSED, reference=reference))


def _decide(proposal: OrientationProposal, action: str) -> str:
    return buttons.MISSION_DECIDE.pack(proposal.id, action)


async def _proposal_text(
    session: AsyncSession,
    context: Context,
    project: Project,
    proposal: OrientationProposal,
    volunteer: Person | None,
) -> Html:
    """What staff read: who proposes what, and the first exchange if one was recorded."""
    content = context.bot_data.content
    if proposal.choice == orientation.REDIRECT:
        choice = content.render(
            t.MISSION_CHOICE_REDIRECT, programme=content.programme_name(proposal.programme or "")
        )
    elif proposal.choice == orientation.CLOSE:
        choice = content.render(
            t.MISSION_CHOICE_CLOSE, reason=content.label("close_reasons", proposal.reason or "")
        )
    else:
        choice = content.render(t.MISSION_CHOICE_EMERGENCE)
    exchange = await projects.first_exchange(session, project.id)
    if exchange is None:
        exchange_text = content.render(t.MISSION_NO_EXCHANGE)
    else:
        exchange_text = content.render(
            t.MISSION_EXCHANGE_LINE,
            date=fr_day(date.fromisoformat(exchange.data["on"])),
            way=content.label("first_contact_ways", str(exchange.data["way"])),
            notes=shorten(str(exchange.data["notes"]), NOTES_SHOWN),
        )
    return content.render(
        t.MISSION_TO_STAFF,
        reference=project.reference or "",
        volunteer=(volunteer.first_name if volunteer else None) or "?",
        choice=choice,
        exchange=exchange_text,
    )


async def on_decide(update: Update, context: Context) -> None:
    """'Accepter' / 'Refuser' on a proposal: applied once; the volunteer is told."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    data = context.bot_data
    content = data.content
    values = buttons.MISSION_DECIDE.parse(query.data)
    rule = access.BUTTONS[buttons.MISSION_DECIDE.prefix]
    user_id = update.effective_user.id
    if not access.staff_may(rule, data.config, user_id, None):
        logger.warning("refused orientation decision for user %s", user_id)
        await refuse(rule, update, context)
        return
    async with data.session_factory() as session:
        proposal = await orientation.get(session, values.project) if values else None
        before = await projects.get_project(session, proposal.project_id) if proposal else None
    if values is None or proposal is None or before is None:
        await answer_query(query, content.render(texts.STALE_BUTTON))
        return
    if proposal.state != orientation.PENDING:
        await answer_query(query, content.render(t.MISSION_ALREADY_DECIDED))
        return
    accept = values.action == "accept"
    actor = user_info(update)
    reference = before.reference or ""
    now = data.clock.now()
    queued: list[OutboxMessage] = []
    old_cards: list[ProjectCard] = []
    async with data.transaction() as session:
        decider = await ensure_person(session, actor, now)
        fresh = await projects.get_project(session, before.id)
        still_held = (
            fresh is not None
            and fresh.programme == VOLUNTEER_PROGRAMME
            and fresh.status in OPEN_STATUSES
            and fresh.owner_id == proposal.volunteer_id
        )
        decided = (
            await orientation.decide(session, proposal.id, accept, decider, now)
            if still_held or not accept
            else None
        )
        if decided is not None and fresh is not None:
            if accept and decided.choice == orientation.REDIRECT and decided.programme:
                old_cards, queued = await redirect_in(
                    session, context, fresh, decided.programme, actor
                )
            elif accept and decided.choice == orientation.CLOSE and decided.reason:
                queued = await close_in(session, context, fresh, decided.reason, actor)
            elif accept and decided.choice == orientation.EMERGENCE:
                queued = await emergence_in(session, context, fresh, actor)
            volunteer = (await projects.people_by_id(session, {decided.volunteer_id or 0})).get(
                decided.volunteer_id or 0
            )
            name = actor_name(data.config, actor)
            told = t.MISSION_ACCEPTED if accept else t.MISSION_REFUSED
            queued += queue_to(
                session, context, volunteer, content.render(told, decider=name, reference=reference)
            )
            text = await _proposal_text(session, context, fresh, decided, volunteer)
    if decided is None or fresh is None:
        changed = not still_held and accept
        key = t.MISSION_CHANGED if changed else t.MISSION_ALREADY_DECIDED
        await answer_query(query, content.render(key, reference=reference))
        return
    kick(context, queued)
    await answer_query(query, content.render(t.MISSION_DECISION_DONE))
    outcome = t.MISSION_DECIDED_ACCEPTED if accept else t.MISSION_DECIDED_REFUSED
    await edit_or_send(query, Html(f"{text}\n\n{content.render(outcome, decider=name)}"))
    if accept and decided.choice == orientation.REDIRECT and decided.programme:
        await show_left_behind(context, before, old_cards, actor, decided.programme)
    elif accept and decided.choice == orientation.CLOSE and decided.reason:
        await show_closed(context, fresh, decided.reason, actor)
    elif accept and decided.choice == orientation.EMERGENCE:
        await show_closed(context, fresh, EMERGENCE_REASON, actor)


def mission_completers() -> dict[str, forms.Completer]:
    """What storing the first exchange form does (wired by app.py)."""
    return {FORM: _complete_exchange}


def mission_handlers() -> list[Any]:
    """The mission's buttons that do not open a form."""
    return [
        button(buttons.MISSION_ORIENT, on_orient),
        button(buttons.MISSION_PROPOSE, on_propose),
        button(buttons.MISSION_DECIDE, on_decide),
    ]


def mission_form_entries() -> list[Any]:
    """'Premier échange' opens a form: part of the forms conversation."""
    return [button(buttons.MISSION_EXCHANGE, on_exchange)]
