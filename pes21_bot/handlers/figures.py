"""The figure commands: /stats, /rapport, /export and /graphique, for admins and staff.

Admins see every programme and may export personal columns; staff see their own programmes
only and never personal columns; anyone else is refused. The French text is built in
pes21_bot.messages.figures.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ParseMode

from pes21_bot import access, texts
from pes21_bot.content import Content, Html
from pes21_bot.context import Context
from pes21_bot.db.session import read_apart
from pes21_bot.domain.french_format import fr_int
from pes21_bot.domain.periods import (
    Period,
    PeriodError,
    chart_buckets,
    parse_export_args,
    parse_period,
)
from pes21_bot.domain.scope import Scope
from pes21_bot.handlers.access import command
from pes21_bot.handlers.ui import reply
from pes21_bot.messages import report_document
from pes21_bot.messages.figures import file_period, period_label, report_text, stats_messages
from pes21_bot.messages.markdown import html_to_markdown
from pes21_bot.messages.splitting import split_message
from pes21_bot.services import chart, exports, stats
from pes21_bot.texts import stats as t

logger = logging.getLogger(__name__)

# Telegram bots may upload files up to 50 MB.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


# --- Access and arguments ------------------------------------------------------------------


async def _scope_or_refuse(update: Update, context: Context) -> Scope | None:
    assert update.effective_user is not None
    user_id = update.effective_user.id
    scope = access.figures_scope(access.COMMANDS["stats"], context.bot_data.config, user_id)
    if scope is None:
        logger.warning("refused statistics command for user %s", update.effective_user.id)
        await reply(update, context.bot_data.content.render(texts.NOT_ALLOWED))
    return scope


def _today(context: Context) -> date:
    data = context.bot_data
    return data.clock.now().astimezone(data.config.tz).date()


def _period_error(content: Content, error: PeriodError, command: str, today: date) -> Html:
    if error.reason == "reversed":
        return content.render(t.REVERSED, command=command)
    if error.reason == "future":
        return content.render(t.FUTURE, command=command, year=today.year)
    if command == "export":
        return content.render(t.EXPORT_USAGE)
    return content.render(t.USAGE, command=command)


async def _scope_and_period(
    update: Update, context: Context, command: str, args: list[str] | None = None
) -> tuple[Scope, Period] | None:
    """Who may see what, and the period asked for; a refusal or a usage text otherwise."""
    scope = await _scope_or_refuse(update, context)
    if scope is None:
        return None
    today = _today(context)
    try:
        return scope, parse_period(list(context.args or []) if args is None else args, today)
    except PeriodError as error:
        await reply(update, _period_error(context.bot_data.content, error, command, today))
        return None


async def stats_command(update: Update, context: Context) -> None:
    """/stats [year | first-day last-day]: the figures of a period by programme."""
    asked = await _scope_and_period(update, context, "stats")
    if asked is None:
        return
    scope, period = asked
    data = context.bot_data
    config, now = data.config, data.clock.now()
    result = await read_apart(
        data.session_factory,
        lambda session: stats.compute_stats(session, config, period, scope, now),
    )
    for text in stats_messages(data.content, result):
        await reply(update, text)


async def report_command(update: Update, context: Context) -> None:
    """/rapport [period] [document]: the activity-report blocks, as a message and as a Markdown
    file with "📄 Rapport en Word"; with `document`, the Word report at once."""
    args = list(context.args or [])
    word = [a for a in args if a.casefold() == report_document.DOCUMENT_OPTION]
    asked = await _scope_and_period(update, context, "rapport", [a for a in args if a not in word])
    if asked is None:
        return
    scope, period = asked
    data = context.bot_data
    config = data.config
    chat = update.effective_chat
    assert chat is not None
    if word:
        await report_document.send_word_report(
            chat, data.session_factory, config, data.content, scope, period, data.clock.now()
        )
        return
    report = await read_apart(
        data.session_factory,
        lambda session: stats.compute_report(session, config, period, scope, data.clock.now()),
    )
    text = report_text(data.content, report, period, scope)
    for part in split_message([text]):
        await reply(update, part)
    await chat.send_document(
        document=html_to_markdown(text).encode("utf-8"),
        filename=f"rapport-{file_period(period)}.md",
        caption=data.content.render(t.REPORT_FILE_CAPTION),
        parse_mode=ParseMode.HTML,
        reply_markup=report_document.word_keyboard(data.content, period),
    )


# --- /export -------------------------------------------------------------------------------


async def export_command(update: Update, context: Context) -> None:
    """/export [period] [csv] [anonyme]: the period's tables as XLSX, or CSV files in a zip."""
    scope = await _scope_or_refuse(update, context)
    if scope is None:
        return
    data = context.bot_data
    content = data.content
    today = _today(context)
    try:
        request = parse_export_args(list(context.args or []), today)
    except PeriodError as error:
        await reply(update, _period_error(content, error, "export", today))
        return
    # Personal columns are for admins only, and only when they did not ask for "anonyme".
    personal = scope.everything and not request.anonymous
    period = request.period
    extension = "zip" if request.file_format == "csv" else "xlsx"
    name = exports.export_name(
        period.start, period.last_day, period.year, extension, anonymous=not personal
    )
    chat = update.effective_chat
    assert chat is not None
    await reply(update, content.render(t.EXPORT_WORKING))
    with tempfile.TemporaryDirectory(prefix="pes21-export-") as folder:
        target = Path(folder) / name
        config, now = data.config, data.clock.now()
        write = exports.write_csv_zip if request.file_format == "csv" else exports.write_xlsx

        async def build(session: AsyncSession) -> None:
            result = await stats.compute_stats(session, config, period, scope, now)
            window = stats.window_of(period, config)
            exporter = exports.Exporter(session, config, content, window, scope, personal)
            await write(content, exporter.tables(result), target)

        await read_apart(data.session_factory, build)
        if target.stat().st_size > MAX_UPLOAD_BYTES:
            await reply(update, content.render(t.EXPORT_TOO_BIG))
            return
        caption = content.render(
            t.EXPORT_CAPTION,
            period=period_label(content, period),
            format=request.file_format.upper(),
            personal=content.render(t.EXPORT_PERSONAL if personal else t.EXPORT_ANONYMOUS),
        )
        with target.open("rb") as handle:
            await chat.send_document(
                document=handle, filename=name, caption=caption, parse_mode=ParseMode.HTML
            )
    logger.info("export %s sent (personal columns: %s)", name, personal)


# --- /graphique ----------------------------------------------------------------------------


async def chart_command(update: Update, context: Context) -> None:
    """/graphique [period]: projects welcomed per month by programme, and the funnel (PNG)."""
    asked = await _scope_and_period(update, context, "graphique")
    if asked is None:
        return
    scope, period = asked
    data = context.bot_data
    content = data.content
    buckets = chart_buckets(period)
    config = data.config

    async def draw(session: AsyncSession) -> tuple[list[dict[str, int]], bytes]:
        counts = await stats.welcomed_per_bucket(session, config, buckets, scope)
        funnel = await stats.compute_funnel(session, config, period, scope)
        data_of_chart = chart.chart_data(content, buckets, counts, scope.programmes, funnel)
        return counts, chart.render_chart(data_of_chart)

    counts, png = await read_apart(data.session_factory, draw)
    chat = update.effective_chat
    assert chat is not None
    await chat.send_photo(
        photo=png,
        filename=f"graphique-{file_period(period)}.png",
        caption=content.render(
            t.CHART_CAPTION,
            period=period_label(content, period),
            total=fr_int(sum(sum(c.values()) for c in counts)),
        ),
        parse_mode=ParseMode.HTML,
    )


def figure_handlers() -> list[Any]:
    """The four figure commands, private chats only."""
    return [
        command("stats", stats_command),
        command("rapport", report_command),
        command("export", export_command),
        command("graphique", chart_command),
    ]
