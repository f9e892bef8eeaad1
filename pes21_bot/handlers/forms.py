"""The short forms (a review, an accompaniment step, a volunteer profile) as forms of the engine.

A person fills at most one at a time; its draft is a FormDraft row. What storing a complete
form does is a completion hook per kind, given by app.py (see :func:`short_form_flow`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from pes21_bot import buttons
from pes21_bot.content import Content, Html, Question
from pes21_bot.context import Context
from pes21_bot.db.models import FormDraft
from pes21_bot.domain.form_spec import FormSpec
from pes21_bot.domain.forms import FORMS
from pes21_bot.handlers import form_engine
from pes21_bot.handlers.form_engine import END, FILLING, Draft, Flow, today
from pes21_bot.handlers.ui import reply, user_info
from pes21_bot.messages.render import format_value
from pes21_bot.services import forms as form_service
from pes21_bot.services.people import ensure_person, find_person
from pes21_bot.texts import volunteers as t

# What feature modules use to open a form and to return its conversation state.
__all__ = ["END", "FILLING", "begin", "format_answer", "load_draft", "short_form_flow", "today"]

logger = logging.getLogger(__name__)

# A completion may reopen the form (a date refused against the others): it returns its state.
Completer = Callable[[Update, Context, FormDraft, dict[str, Any]], Awaitable[int | None]]

format_answer = format_value


@dataclass
class ShortFormFlow(Flow):
    """Forms declared in domain/forms.py, stored answer by answer in a FormDraft."""

    completers: Mapping[str, Completer] = field(default_factory=dict)  # by form kind

    async def load(self, session: AsyncSession, telegram_id: int) -> Draft | None:
        """The form this user is filling in."""
        person = await find_person(session, telegram_id)
        if person is None:
            return None
        row = await form_service.current_draft(session, person.id)
        return None if row is None else Draft.of(row, row.kind)

    async def store(
        self, session: AsyncSession, draft: Draft, question: Question, value: Any, context: Context
    ) -> None:
        """Store one answer in the draft row."""
        now = context.bot_data.clock.now()
        row = await form_service.set_answer(session, draft.id, question.id, value, now)
        if row is not None:
            draft.answers = row.answers

    async def forget(
        self, session: AsyncSession, draft: Draft, question: Question, context: Context
    ) -> None:
        """Forget one answer."""
        now = context.bot_data.clock.now()
        row = await form_service.forget_answer(session, draft.id, question.id, now)
        if row is not None:
            draft.answers = row.answers

    def spec(self, content: Content, draft: Draft) -> FormSpec:
        """The form of this kind."""
        return FORMS[draft.kind]

    def prompt(self, content: Content, spec: FormSpec, question: Question) -> str:
        """The prompt's text key (forms.<kind>.<id>)."""
        return content.render(t.PROMPTS[(spec.kind, question.id)])

    def label(self, content: Content, question: Question) -> str:
        """The recap label's text key (forms.labels.<id>)."""
        return content.render(t.LABELS[question.id])

    def recap_text(self, content: Content, spec: FormSpec, lines: Html) -> Html:
        """The recap titled with the form's name."""
        title = content.render(t.TITLES[spec.kind])
        return content.render(t.FORM_RECAP, title=title, lines=lines)

    async def finish(
        self, update: Update, context: Context, draft: Draft, *, pressed: bool = False
    ) -> int:
        """Take the draft (once, even on a double press), then run the kind's completion."""
        async with context.bot_data.transaction() as session:
            taken = await form_service.take_draft(session, draft.id)
        if pressed:
            await form_engine.answer_press(update)
        if not taken:
            return END
        answers = FORMS[draft.kind].clean(draft.answers)
        reopened = await self.completers[draft.kind](update, context, draft.row, answers)
        return reopened if reopened is not None else END

    async def abandon(self, update: Update, context: Context, draft: Draft) -> int:
        """Drop the form being filled in."""
        async with context.bot_data.transaction() as session:
            await form_service.take_draft(session, draft.id)
        await reply(update, context.bot_data.content.render(t.FORM_CANCELLED))
        return END

    async def finished_text(self, update: Update, context: Context, draft_id: int) -> Html | None:
        """A second 'Enregistrer': the form is already done."""
        return context.bot_data.content.render(t.FORM_ALREADY_DONE)


def short_form_flow(completers: Mapping[str, Completer]) -> ShortFormFlow:
    """The flow of every short form, with what completing each kind does."""
    missing = set(FORMS) - set(completers)
    if missing:
        raise ValueError(f"forms without a completion: {sorted(missing)}")
    return _flow(completers)


def _flow(completers: Mapping[str, Completer]) -> ShortFormFlow:
    return ShortFormFlow(
        buttons.SHORT_FORM,
        FILLING,
        t.FORM_SAVE,
        t.FORM_TIMEOUT,
        recap_value_max=300,
        completers=dict(completers),
    )


# Opening and resuming never complete a form, so they need no completion hooks.
_OPENER = _flow({})


async def load_draft(context: Context, telegram_id: int) -> FormDraft | None:
    """The form this user is filling in, if any."""
    draft = await form_engine.load(context, _OPENER, telegram_id)
    return None if draft is None else draft.row


async def begin(
    update: Update,
    context: Context,
    kind: str,
    target_id: int | None,
    preset: dict[str, Any] | None = None,
) -> int:
    """Open a form (replacing any other unfinished one) and ask its first question."""
    data = context.bot_data
    now = data.clock.now()
    async with data.transaction() as session:
        person = await ensure_person(session, user_info(update), now)
        row = await form_service.open_draft(
            session, person.id, kind, target_id, dict(preset or {}), now
        )
        await session.flush()
    return await ask(update, context, row)


async def ask(update: Update, context: Context, row: FormDraft) -> int:
    """Ask the next question of an open form (or show its recap)."""
    return await form_engine.ask(update, context, _OPENER, Draft.of(row, row.kind), complete=False)
