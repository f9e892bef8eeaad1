"""The holder's satisfaction survey: "✍️ Répondre" opens a short form, "Non merci" closes it."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler

from pes21_bot import buttons, texts
from pes21_bot.context import Context
from pes21_bot.db.models import FormDraft
from pes21_bot.domain.forms import SATISFACTION
from pes21_bot.handlers import forms
from pes21_bot.handlers.access import button
from pes21_bot.handlers.ui import answer_query, repeated_press, reply, set_markup
from pes21_bot.services import satisfaction
from pes21_bot.texts import waiting as t

SURVEY_FORM = SATISFACTION.kind


async def on_survey(update: Update, context: Context) -> int | None:
    """The invitation's buttons: the form, or "no thanks" recorded (once, the holder's only)."""
    if await repeated_press(update, context):
        return None  # answered by the first press (the form asked, or "no thanks" stored)
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    data = context.bot_data
    content = data.content
    parts = buttons.SURVEY.parse(query.data)
    if parts is None:
        await answer_query(query, content.render(texts.STALE_BUTTON))
        return forms.END
    await answer_query(query)
    action, project_id = parts.action, parts.target
    user_id = update.effective_user.id
    if action == "no":
        async with data.transaction() as session:
            done = await satisfaction.record(session, user_id, project_id, None, data.clock.now())
        await set_markup(query)
        await reply(update, content.render(t.SURVEY_DECLINED if done else t.SURVEY_GONE))
        return forms.END
    async with data.session_factory() as session:
        found = await satisfaction.survey_project(session, user_id, project_id)
    if found is None:
        await set_markup(query)
        await reply(update, content.render(t.SURVEY_GONE))
        return forms.END
    busy = await forms.load_draft(context, user_id)
    if busy is not None and busy.kind != SURVEY_FORM:  # another form being typed is kept
        await reply(update, content.render(t.SURVEY_BUSY))
        return forms.END
    await set_markup(query)
    await reply(update, content.render(t.SURVEY_INTRO))
    return await forms.begin(update, context, SURVEY_FORM, project_id)


async def _complete(
    update: Update, context: Context, draft: FormDraft, answers: dict[str, Any]
) -> None:
    """Store the answers as one event (once per dossier), then thank the holder."""
    assert update.effective_user is not None and draft.target_id is not None
    data = context.bot_data
    async with data.transaction() as session:
        done = await satisfaction.record(
            session, update.effective_user.id, draft.target_id, answers, data.clock.now()
        )
    await reply(update, data.content.render(t.SURVEY_THANKS if done else t.SURVEY_GONE))


def survey_completers() -> dict[str, forms.Completer]:
    """What completing the survey does (wired by app.py)."""
    return {SURVEY_FORM: _complete}


def survey_form_entries() -> list[BaseHandler[Update, Context, Any]]:
    """The invitation's buttons (entries of the forms' conversation)."""
    return [button(buttons.SURVEY, on_survey)]
