""" "📄 Rapport en Word" under /rapport: the activity report of that period as a .docx."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update

from pes21_bot import access, buttons, texts
from pes21_bot.context import Context
from pes21_bot.handlers.access import button
from pes21_bot.handlers.ui import answer_query, repeated_press
from pes21_bot.messages import report_document
from pes21_bot.texts import report_document as t

logger = logging.getLogger(__name__)


async def on_word_report(update: Update, context: Context) -> None:
    """Build the period's Word report for the presser's scope (their programmes) and send it."""
    if await repeated_press(update, context):
        return  # the first press is already building it
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    data = context.bot_data
    content = data.content
    period = report_document.button_period(query.data)
    scope = access.figures_scope(access.COMMANDS["rapport"], data.config, update.effective_user.id)
    if period is None or scope is None:
        logger.warning("stale or refused word report button from %s", update.effective_user.id)
        await answer_query(
            query, content.render(t.STALE if scope is not None else texts.NOT_ALLOWED)
        )
        return
    await answer_query(query)
    chat = update.effective_chat
    assert chat is not None
    await report_document.send_word_report(
        chat, data.session_factory, data.config, content, scope, period, data.clock.now()
    )


def report_document_handlers() -> list[Any]:
    """The button under /rapport."""
    return [button(buttons.REPORT_DOCUMENT, on_word_report)]
