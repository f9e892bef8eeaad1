"""The Word activity report: its button under /rapport, and the document sent to a chat.

Sent from /rapport (`/rapport 2025 document`) and from the button; the figures are read on a
thread of their own (read_apart) and the document is built off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta

from telegram import Chat, InlineKeyboardMarkup
from telegram.constants import ParseMode

from pes21_bot import buttons
from pes21_bot.config import Config
from pes21_bot.content import Content, Html
from pes21_bot.db.session import SessionFactory, read_apart
from pes21_bot.domain.periods import Period
from pes21_bot.domain.scope import Scope
from pes21_bot.messages.markup import keyboard
from pes21_bot.services import activity_report, report_document
from pes21_bot.texts import report_document as t
from pes21_bot.texts import stats as stats_texts

logger = logging.getLogger(__name__)

# The word after /rapport's period that asks for the document directly.
DOCUMENT_OPTION = "document"
TEMPLATE = report_document.ROOT / "contenus" / report_document.TEMPLATE_NAME


def _packed(day: date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def _unpacked(value: int) -> date | None:
    try:
        return date(value // 10_000, value // 100 % 100, value % 100)
    except ValueError:
        return None


def word_keyboard(content: Content, period: Period) -> InlineKeyboardMarkup:
    """ "📄 Rapport en Word" for this period."""
    data = buttons.REPORT_DOCUMENT.pack(_packed(period.start), _packed(period.last_day))
    return keyboard([[(content.render(t.BUTTON), data)]])


def button_period(data: str | None) -> Period | None:
    """The period a "📄 Rapport en Word" button was made for; None when forged or stale."""
    parts = buttons.REPORT_DOCUMENT.parse(data)
    if parts is None:
        return None
    start, last = _unpacked(parts.first), _unpacked(parts.last)
    if start is None or last is None or last < start:
        return None
    return Period(start, last + timedelta(days=1))


def file_name(period: Period) -> str:
    """rapport-activite-2025.docx, or with the first and last days of a custom period."""
    if period.year is not None:
        return f"rapport-activite-{period.year}.docx"
    return f"rapport-activite-{period.start.isoformat()}_{period.last_day.isoformat()}.docx"


def _caption(content: Content, period: Period, scope: Scope) -> Html:
    scope_text = (
        content.render(stats_texts.SCOPE_ALL)
        if scope.everything
        else content.render(
            stats_texts.SCOPE_SOME,
            programmes=", ".join(content.label("stat_programmes", p) for p in scope.programmes),
        )
    )
    return content.render(
        t.CAPTION, period=report_document.period_title(content, period), scope=scope_text
    )


async def send_word_report(
    chat: Chat,
    factory: SessionFactory,
    config: Config,
    content: Content,
    scope: Scope,
    period: Period,
    now: datetime,
) -> None:
    """Tell the chat it is coming, gather /rapport's figures, build the .docx and send it."""
    await chat.send_message(content.render(t.WORKING), parse_mode=ParseMode.HTML)
    report = await read_apart(
        factory, lambda session: activity_report.gather(session, config, period, scope, now)
    )
    today = now.astimezone(config.tz).date()
    payload = await asyncio.to_thread(
        report_document.build, TEMPLATE, content, config, report, today
    )
    await chat.send_document(
        document=payload,
        filename=file_name(period),
        caption=_caption(content, period, scope),
        parse_mode=ParseMode.HTML,
    )
    logger.info("word report sent (%d bytes)", len(payload))
