"""Post-accompaniment reviews: /bilan, the reminder's buttons, /mes_bilans, DLA proposals."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from pes21_bot import access, buttons, texts
from pes21_bot.context import Context
from pes21_bot.db.models import FormDraft, OutboxMessage, Person, Project, Review
from pes21_bot.domain.jobs import job_lines, total
from pes21_bot.domain.vocabulary import ReviewState
from pes21_bot.handlers import forms
from pes21_bot.handlers.access import button, command, may_act, refuse
from pes21_bot.handlers.ui import (
    answer_query,
    edit_or_send,
    kick,
    repeated_press,
    reply,
    user_info,
)
from pes21_bot.messages.delivery import (
    queue_cards,
    queue_in_charge,
    queue_owners_reassigned,
)
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.render import fr_date
from pes21_bot.messages.reviews import COMMENT_MAX, contact_text, dla_proposal
from pes21_bot.services import outbox, projects, reviews
from pes21_bot.services import volunteers as volunteer_service
from pes21_bot.services.people import display_name, find_person
from pes21_bot.texts import volunteers as t

logger = logging.getLogger(__name__)

MAX_LISTED = 30
# Buttons and commands of a review share one rule: the assignee or staff of the programme.
REVIEW_RULE = access.BUTTONS[buttons.REVIEW.prefix]


async def _fetch(
    context: Context, review_id: int | None, telegram_id: int
) -> tuple[Review, Project, Person] | None:
    """A review, its project and the user, whatever the user may do with it."""
    if review_id is None:
        return None
    async with context.bot_data.session_factory() as session:
        review = await reviews.get_review(session, review_id)
        person = await find_person(session, telegram_id)
        project = await projects.get_project(session, review.project_id) if review else None
    if review is None or project is None or person is None:
        return None
    return review, project, person


async def _load(
    context: Context, review_id: int | None, telegram_id: int
) -> tuple[Review, Project, Person] | None:
    """A review the user may act on (assignee, or staff of the project's programme)."""
    found = await _fetch(context, review_id, telegram_id)
    if found is None or not await may_act(context, REVIEW_RULE, telegram_id, found[1], found[0]):
        return None
    return found


async def _declined_by(context: Context, review_id: int, telegram_id: int) -> str | None:
    """The reference of a review this user declined (it went to someone else), if so."""
    found = await _fetch(context, review_id, telegram_id)
    if found is None or found[2].id not in found[0].details.get("declined_by", []):
        return None
    return found[1].reference or ""


async def start_review(update: Update, context: Context, review_id: int | None) -> int:
    """Open the review form (or resume it) after showing who to contact."""
    assert update.effective_user is not None
    content = context.bot_data.content
    found = await _load(context, review_id, update.effective_user.id)
    if found is None:
        await refuse(REVIEW_RULE, update, context)
        return forms.END
    review, project, _ = found
    if review.state != ReviewState.OPEN:
        await reply(update, content.render(t.REVIEW_NOT_OPEN, reference=project.reference or ""))
        return forms.END
    draft = await forms.load_draft(context, update.effective_user.id)
    if draft is not None and draft.kind == "review" and draft.target_id == review.id:
        return await forms.ask(update, context, draft)
    await reply(
        update,
        content.render(
            t.REVIEW_START,
            reference=project.reference or "",
            number=review.number,
            contact=contact_text(content, project, review),
        ),
    )
    return await forms.begin(update, context, "review", review.id)


async def review_command(update: Update, context: Context) -> int:
    """/bilan [PES-2026-0042]: log a review (the only one open, or choose among them)."""
    assert update.effective_user is not None
    data = context.bot_data
    content = data.content
    user_id = update.effective_user.id
    async with data.transaction() as session:
        person = await find_person(session, user_id)
        found = await volunteer_service.active_volunteer(session, user_id)
        if found is not None:
            await volunteer_service.touch(session, found[0], found[1], data.clock.now())
        if context.args and person is not None:
            project = await projects.find_by_reference(session, context.args[0][:30])
            allowed = project is not None and access.staff_may(
                access.COMMANDS["bilan"], data.config, user_id, project.programme
            )
            todo = (
                [(r, project) for r in await reviews.open_reviews_of_project(session, project.id)]
                if project is not None and allowed
                else []
            )
        else:
            todo = (await reviews.reviews_of(session, person.id))[0] if person else []
    if not todo:
        await reply(update, content.render(t.REVIEW_NONE))
        return forms.END
    if len(todo) == 1:
        return await start_review(update, context, todo[0][0].id)
    rows = [
        [
            (
                content.render(
                    t.REVIEW_CHOICE,
                    reference=project.reference or "",
                    number=review.number,
                    date=fr_date(review.due_at, data.config.tz),
                ),
                buttons.REVIEW.pack("go", review.id),
            )
        ]
        for review, project in todo[:MAX_LISTED]
    ]
    await reply(update, content.render(t.REVIEW_CHOOSE), keyboard(rows))
    return forms.END


async def on_review_button(update: Update, context: Context) -> int | None:
    """'Saisir le bilan', 'Reporter d'une semaine', 'Je ne peux pas'."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    parts = buttons.REVIEW.parse(query.data)
    content = context.bot_data.content
    if parts is not None and parts.action == "go" and await repeated_press(update, context):
        return None  # the form's question is already on its way
    if parts is None:
        await answer_query(query, content.render(texts.STALE_BUTTON))
        return forms.END
    action, review_id = parts.action, parts.target
    found = await _load(context, review_id, update.effective_user.id)
    if found is None:
        declined = await _declined_by(context, review_id, update.effective_user.id)
        if declined is not None and action == "decline":  # a second press: already done
            await answer_query(query)
            await edit_or_send(query, content.render(t.REVIEW_DECLINED, reference=declined))
            return forms.END
        await refuse(REVIEW_RULE, update, context)
        return forms.END
    if action == "go":
        state = await start_review(update, context, review_id)
        await answer_query(query)
        return state
    review, project, person = found
    reference = project.reference or ""
    if review.state != ReviewState.OPEN:
        await answer_query(query)
        await edit_or_send(query, content.render(t.REVIEW_NOT_OPEN, reference=reference))
        return forms.END
    data = context.bot_data
    now = data.clock.now()
    if action == "snooze":
        async with data.transaction() as session:
            fresh = await reviews.get_review(session, review.id)
            assert fresh is not None
            until = reviews.snoozed_until(fresh, now) or await reviews.snooze(
                session, data.config, fresh, person, now
            )
        await answer_query(query)
        await edit_or_send(
            query,
            content.render(
                t.REVIEW_SNOOZED, reference=reference, date=fr_date(until, data.config.tz)
            ),
        )
        return forms.END
    async with data.transaction() as session:
        fresh = await reviews.get_review(session, review.id)
        assert fresh is not None
        assignee = await reviews.decline(session, data.config, fresh, person, now)
        queued = await queue_owners_reassigned(
            session,
            context,
            display_name(data.config, person),
            [reviews.Reassigned(fresh, project, assignee)],
            person,
        )
    kick(context, queued)
    await answer_query(query)
    await edit_or_send(query, content.render(t.REVIEW_DECLINED, reference=reference))
    return forms.END


async def _complete_review(
    update: Update, context: Context, draft: FormDraft, answers: dict[str, Any]
) -> None:
    """Store the review, tell the staff owner, and propose the DLA when asked."""
    assert update.effective_user is not None
    data = context.bot_data
    content = data.content
    found = await _load(context, draft.target_id, update.effective_user.id)
    if found is None:
        await refuse(REVIEW_RULE, update, context)
        return
    _, _, person = found
    queued: list[OutboxMessage] = []
    async with data.transaction() as session:
        completed = await reviews.complete(session, found[0].id, answers, person, data.clock.now())
        if completed is not None:
            spec = forms.FORMS["review"]
            text = content.render(
                t.OWNER_REVIEW_DONE,
                reference=completed.project.reference or "",
                number=completed.review.number,
                name=display_name(data.config, person),
                situation=forms.format_answer(content, spec.questions[2], answers.get("situation")),
                satisfaction=answers.get("satisfaction") or "",
                jobs=total(job_lines(answers)),
            )
            queued = await queue_in_charge(session, context, completed.project, text, person)
        if completed is not None and completed.dla_proposed:
            queued += await _queue_dla_proposal(
                session, context, completed.review, completed.project, person, answers
            )
    if completed is None:
        await reply(update, content.render(t.REVIEW_NOT_OPEN, reference=found[1].reference or ""))
        return
    kick(context, queued)
    project, review = completed.project, completed.review
    reference = project.reference or ""
    await reply(update, content.render(t.REVIEW_SAVED, reference=reference, number=review.number))
    if completed.dla_proposed:
        await reply(update, content.render(t.REVIEW_DLA_SENT))


def review_completers() -> dict[str, forms.Completer]:
    """What storing a review form does (wired by app.py)."""
    return {"review": _complete_review}


async def _queue_dla_proposal(
    session: AsyncSession,
    context: Context,
    review: Review,
    project: Project,
    person: Person,
    answers: dict[str, Any],
) -> list[OutboxMessage]:
    data = context.bot_data
    content = data.content
    comment = str(answers.get("comment") or content.render(texts.EMPTY_VALUE))
    text, rows = dla_proposal(content, review, project, display_name(data.config, person), comment)
    chats = await projects.recipients(session, data.config, "dla", forms.today(context))
    return [
        outbox.add_message(session, chat_id, text, data.clock.now(), buttons=rows)
        for chat_id in chats
    ]


async def on_dla_button(update: Update, context: Context) -> None:
    """DLA staff accept (a DLA project is created and routed) or decline a review's proposal."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    data = context.bot_data
    content = data.content
    parts = buttons.DLA.parse(query.data)
    if parts is None:
        await answer_query(query, content.render(texts.STALE_BUTTON))
        return
    rule = access.BUTTONS[buttons.DLA.prefix]
    if not access.staff_may(rule, data.config, update.effective_user.id, None):
        await refuse(rule, update, context)
        return
    review_id = parts.target
    async with data.session_factory() as session:
        review = await reviews.get_review(session, review_id)
        origin = await projects.get_project(session, review.project_id) if review else None
    if review is None or origin is None:
        await answer_query(query, content.render(texts.STALE_BUTTON))
        return
    reference = origin.reference or ""
    need = content.render(
        t.DLA_NEED,
        reference=reference,
        comment=str(review.details.get("answers", {}).get("comment") or "")[:COMMENT_MAX],
    )
    async with data.transaction() as session:
        result = await reviews.decide_dla(
            session,
            data.config,
            review_id,
            parts.action == "yes",
            user_info(update),
            data.clock.now(),
            need,
        )
        queued = await queue_cards(session, context, result) if isinstance(result, Project) else []
    kick(context, queued)
    await answer_query(query)
    if result is False:
        await edit_or_send(query, content.render(t.DLA_ALREADY, reference=reference))
    elif result is None or result is True:
        await edit_or_send(query, content.render(t.DLA_DECLINED, reference=reference))
    else:
        await edit_or_send(
            query,
            content.render(
                t.DLA_ACCEPTED, reference=reference, new_reference=result.reference or ""
            ),
        )


async def my_reviews(update: Update, context: Context) -> None:
    """/mes_bilans: reviews to do and done."""
    assert update.effective_user is not None
    data = context.bot_data
    content = data.content
    user_id = update.effective_user.id
    async with data.session_factory() as session:
        person = await find_person(session, user_id)
        todo, done = await reviews.reviews_of(session, person.id) if person else ([], [])
    if not todo and not done:
        await reply(update, content.render(t.MINE_EMPTY))
        return
    lines: list[str] = []
    for header, rows, moment in (
        (t.MINE_TODO, todo, "due_at"),
        (t.MINE_DONE, done, "done_at"),
    ):
        if not rows:
            continue
        lines.append(content.render(header))
        lines += [
            content.render(
                t.MINE_LINE,
                reference=project.reference or "",
                number=review.number,
                date=fr_date(getattr(review, moment), data.config.tz),
            )
            for review, project in rows[:MAX_LISTED]
        ]
    await reply(update, "\n".join(lines))


def review_handlers() -> list[Any]:
    """Review commands and buttons that are not part of a form."""
    return [
        command("mes_bilans", my_reviews),
        button(buttons.DLA, on_dla_button),
    ]


def review_form_entries() -> list[Any]:
    """Handlers that open the review form: part of the forms conversation."""
    return [
        command("bilan", review_command),
        button(buttons.REVIEW, on_review_button),
    ]
