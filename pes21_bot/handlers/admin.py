"""Admin and staff figures: /stats, /rapport, /export and /graphique.

Admins see every programme and may export personal columns; staff see their own programmes
only and never personal columns; anyone else is refused.
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

from pes21_bot import texts
from pes21_bot.content import Content, Html
from pes21_bot.context import Context
from pes21_bot.db.session import read_apart
from pes21_bot.domain.report import (
    Period,
    PeriodError,
    ProgrammeFigures,
    ReportFigures,
    Scope,
    Stats,
    chart_buckets,
    fr_change,
    fr_decimal,
    fr_int,
    fr_percent,
    html_to_markdown,
    parse_export_args,
    parse_period,
    plural,
    split_message,
)
from pes21_bot.domain.vocabulary import CREATION_PROGRAMMES
from pes21_bot.handlers.access import command
from pes21_bot.handlers.ui import reply
from pes21_bot.labels import value_label
from pes21_bot.messages import agenda as agenda_messages
from pes21_bot.messages import followup as followup_messages
from pes21_bot.messages.followup import delay_text
from pes21_bot.messages.render import fr_day
from pes21_bot.services import exports, stats
from pes21_bot.texts import stats as t

logger = logging.getLogger(__name__)

# Telegram bots may upload files up to 50 MB.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


# --- Access and arguments ------------------------------------------------------------------


async def _scope_or_refuse(update: Update, context: Context) -> Scope | None:
    assert update.effective_user is not None
    scope = stats.scope_for(context.bot_data.config, update.effective_user.id)
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
    update: Update, context: Context, command: str
) -> tuple[Scope, Period] | None:
    """Who may see what, and the period asked for; a refusal or a usage text otherwise."""
    scope = await _scope_or_refuse(update, context)
    if scope is None:
        return None
    today = _today(context)
    try:
        return scope, parse_period(list(context.args or []), today)
    except PeriodError as error:
        await reply(update, _period_error(context.bot_data.content, error, command, today))
        return None


def _period_label(content: Content, period: Period) -> Html:
    if period.year is not None:
        return content.render(t.PERIOD_YEAR, year=period.year)
    return content.render(t.PERIOD_RANGE, start=fr_day(period.start), end=fr_day(period.last_day))


def _report_period(content: Content, period: Period) -> Html:
    if period.year is not None:
        return content.render(t.REPORT_PERIOD_YEAR, year=period.year)
    return content.render(
        t.REPORT_PERIOD_RANGE, start=fr_day(period.start), end=fr_day(period.last_day)
    )


def _programme(content: Content, programme: str) -> str:
    return content.label("stat_programmes", programme)


# --- /stats --------------------------------------------------------------------------------


def _details(content: Content, counts: dict[str, int], kind: str) -> str:
    """ "CDI : 1, CDD : 2": each stored code by its French label, the largest first."""
    items = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(
        content.render(
            t.DETAIL_ITEM, label=value_label(content, kind, name) if name else "?", count=fr_int(n)
        )
        for name, n in items
    )


def _job_details(content: Content, item: ProgrammeFigures) -> str:
    """By contract, then by working time where it was recorded: "CDI : 1, CDD : 2 ; ..."."""
    parts = [_details(content, item.jobs, "contract")]
    if item.job_times:
        parts.append(_details(content, item.job_times, "time"))
    return " ; ".join(parts)


def _programme_lines(content: Content, item: ProgrammeFigures, result: Stats) -> list[str]:
    lines: list[str] = [
        content.render(t.PROGRAMME_HEADER, programme=_programme(content, item.programme)),
        content.render(
            t.PROGRAMME_FLOW,
            welcomed=fr_int(item.welcomed),
            oriented=fr_int(item.oriented),
            claimed=fr_int(item.claimed),
            accompanied=fr_int(item.accompanied),
            delay=delay_text(content, item.median_claim_hours),
        ),
    ]
    if item.structures:
        lines.append(
            content.render(
                t.PROGRAMME_STRUCTURES,
                total=fr_int(item.structures_total),
                detail=_details(content, item.structures, "legal_form"),
            )
        )
    if item.jobs:
        lines.append(
            content.render(
                t.PROGRAMME_JOBS,
                total=fr_int(item.jobs_total),
                detail=_job_details(content, item),
            )
        )
    if (
        item.reviews_done
        or item.reviews_overdue
        or item.reviews_cancelled
        or item.volunteer_hours
        or item.volunteer_km
    ):
        lines.append(
            content.render(
                t.PROGRAMME_REVIEWS,
                done=fr_int(item.reviews_done),
                overdue=fr_int(item.reviews_overdue),
                cancelled=fr_int(item.reviews_cancelled),
                hours=fr_decimal(item.volunteer_hours),
                km=fr_decimal(item.volunteer_km),
            )
        )
    dla = result.report.dla
    if item.programme == "dla" and any(vars(dla).values()):
        lines.append(
            content.render(
                t.PROGRAMME_DLA,
                welcomed=fr_int(dla.welcomed),
                diagnostics=fr_int(dla.diagnostics),
                individual=fr_int(dla.individual_engineering),
                collective=fr_int(dla.collective_engineering),
                follow_ups=fr_int(dla.follow_ups),
                beneficiaries=fr_int(dla.beneficiaries),
                jobs=fr_int(dla.jobs_consolidated),
            )
        )
    return lines


def _funnel_lines(content: Content, result: Stats) -> list[str]:
    funnel = result.funnel
    steps = [
        ("started", funnel.started),
        ("consent", funnel.consent_given),
        ("completed", funnel.completed),
        ("claimed", funnel.claimed),
        ("accompanied", funnel.accompanied),
        ("created", funnel.created),
    ]
    lines: list[str] = [content.render(t.FUNNEL_HEADER)]
    for index, (step, count) in enumerate(steps):
        # Shares are of the questionnaires started, the top of the funnel.
        share = f" ({fr_percent(count, funnel.started)})" if index and funnel.started else ""
        lines.append(
            content.render(
                t.FUNNEL_STEP,
                step=content.label("stat_funnel", step),
                count=fr_int(count),
                share=share,
            )
        )
    lines.append(content.render(t.MEDIAN, delay=delay_text(content, result.median_claim_hours)))
    return lines


def _comparison_lines(content: Content, result: Stats) -> list[str]:
    lines: list[str] = [
        content.render(
            t.COMPARISON_HEADER,
            start=fr_day(result.previous_start),
            end=fr_day(result.previous_last_day),
        )
    ]
    for name in ("welcomed", "claimed", "accompanied", "structures", "jobs"):
        current = getattr(result.totals, name)
        previous = getattr(result.previous, name)
        change = fr_change(current, previous)
        if change is None:
            change = content.render(t.COMPARISON_NEW) if current else ""
        lines.append(
            content.render(
                t.COMPARISON_LINE,
                figure=content.label("stat_totals", name),
                current=fr_int(current),
                previous=fr_int(previous),
                change=f", {change}" if change else "",
            )
        )
    return lines


def _breakdown_lines(content: Content, result: Stats) -> list[str]:
    total = result.totals.welcomed
    lines: list[str] = [
        content.render(t.BREAKDOWN_HEADER, period=_period_label(content, result.period))
    ]

    def line(label: str, count: int) -> str:
        return content.render(
            t.BREAKDOWN_LINE, label=label, count=fr_int(count), percent=fr_percent(count, total)
        )

    unknown = content.label("stat_labels", "unknown")
    lines.append(content.render(t.SECTORS_HEADER))
    lines += [
        line(value_label(content, "sector", s) if s else unknown, n) for s, n in result.sectors
    ]
    territory = result.territory
    lines.append(content.render(t.TERRITORY_HEADER))
    lines += [line(name, n) for name, n in territory.communes]
    for label, count in (
        ("other_communes", territory.other_communes),
        ("outside_cote_dor", territory.outside_cote_dor),
        ("unknown", territory.unknown),
    ):
        if count:
            lines.append(line(content.label("stat_labels", label), count))
    lines.append(content.render(t.SOURCES_HEADER))
    no_source = content.label("stat_labels", "no_source")
    for row in result.sources:
        if result.scope.everything:
            lines.append(
                content.render(
                    t.SOURCE_LINE,
                    source=value_label(content, "source", row.source) if row.source else no_source,
                    contacts=fr_int(row.first_contacts),
                    welcomed=fr_int(row.welcomed),
                )
            )
        else:
            lines.append(
                content.render(
                    t.SOURCE_LINE_STAFF,
                    source=value_label(content, "source", row.source) if row.source else no_source,
                    welcomed=fr_int(row.welcomed),
                )
            )
    if not total:
        lines = [lines[0], content.render(t.BREAKDOWN_EMPTY)]
    return lines


def stats_messages(content: Content, result: Stats) -> list[str]:
    """The /stats answer: figures, funnel and comparison; then where projects come from."""
    scope = result.scope
    scope_text = (
        content.render(t.SCOPE_ALL)
        if scope.everything
        else content.render(
            t.SCOPE_SOME, programmes=", ".join(_programme(content, p) for p in scope.programmes)
        )
    )
    first: list[str] = [
        content.render(
            t.HEADER,
            period=_period_label(content, result.period),
            in_progress=content.render(t.IN_PROGRESS) if result.in_progress else "",
            scope=scope_text,
        )
    ]
    active = [p for p in result.programmes if not p.is_empty]
    if not active and not result.funnel.started and not result.funnel.consent_given:
        first.append(content.render(t.EMPTY))
    for item in active:
        first += _programme_lines(content, item, result)
    first += _funnel_lines(content, result)
    first += agenda_messages.stats_block(content, result.report.agenda)
    first += followup_messages.stats_block(content, result.report.followup, scope)
    first += _comparison_lines(content, result)
    return split_message(first) + split_message(_breakdown_lines(content, result))


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


# --- /rapport ------------------------------------------------------------------------------


def _collective_structures(content: Content, count: int) -> str:
    """ " (16 structures)" after the collective engineering actions, when there are some."""
    if not count:
        return ""
    return content.render(t.REPORT_DLA_COLLECTIVE_STRUCTURES, count=fr_int(count), s=plural(count))


def report_text(content: Content, report: ReportFigures, period: Period, scope: Scope) -> str:
    """The "En 2025, …" blocks of the activity report, as Telegram HTML."""
    when = _report_period(content, period)

    def count_line(key: Any, count: int) -> Html:
        return content.render(key, count=fr_int(count), s=plural(count))

    lines: list[str] = [content.render(t.REPORT_TITLE, period=_period_label(content, period))]
    if scope.sees(*CREATION_PROGRAMMES):
        creation = report.creation
        lines += [
            content.render(t.REPORT_CREATION_HEADER, period=when),
            count_line(t.REPORT_CREATION_WELCOMED, creation.welcomed),
            count_line(t.REPORT_CREATION_ACCOMPANIED, creation.accompanied),
            count_line(t.REPORT_CREATION_STRUCTURES, creation.structures),
            count_line(t.REPORT_CREATION_JOBS, creation.jobs),
        ]
    if scope.sees("dla"):
        dla = report.dla
        lines += [
            content.render(t.REPORT_DLA_HEADER, period=when),
            count_line(t.REPORT_DLA_WELCOMED, dla.welcomed),
            count_line(t.REPORT_DLA_DIAGNOSTICS, dla.diagnostics),
            content.render(
                t.REPORT_DLA_ENGINEERING,
                individual=fr_int(dla.individual_engineering),
                si=plural(dla.individual_engineering),
                collective=fr_int(dla.collective_engineering),
                sc=plural(dla.collective_engineering),
            )
            + _collective_structures(content, dla.collective_structures),
            count_line(t.REPORT_DLA_FOLLOW_UPS, dla.follow_ups),
            count_line(t.REPORT_DLA_BENEFICIARIES, dla.beneficiaries),
            count_line(t.REPORT_DLA_JOBS, dla.jobs_consolidated),
        ]
    if scope.sees("generateur"):
        lines += [
            content.render(t.REPORT_GENERATEUR_HEADER, period=when),
            count_line(t.REPORT_TERRITORIES, report.territories_accompanied),
        ]
    if scope.sees("crdva"):
        lines += [
            content.render(t.REPORT_CRDVA_HEADER, period=when),
            count_line(t.REPORT_CRDVA_WELCOMED, report.crdva_welcomed),
        ]
    volunteers = report.volunteers
    lines += [
        content.render(t.REPORT_VOLUNTEERS_HEADER, period=when),
        count_line(t.REPORT_VOLUNTEERS_ACTIVE, volunteers.active),
    ]
    if scope.sees("accueil_amont"):
        lines.append(count_line(t.REPORT_VOLUNTEERS_UPSTREAM, volunteers.upstream_welcomed))
    lines += [
        count_line(t.REPORT_VOLUNTEERS_REVIEWS, volunteers.reviews_done),
        content.render(
            t.REPORT_VOLUNTEERS_HOURS,
            hours=fr_decimal(volunteers.hours),
            s=plural(volunteers.hours),
        ),
        content.render(t.REPORT_VOLUNTEERS_KM, km=fr_decimal(volunteers.km)),
        *agenda_messages.report_block(content, report.agenda, when),
        *followup_messages.report_block(content, report.followup, scope, when),
        content.render(t.REPORT_NOT_COUNTED),
    ]
    return "\n".join(lines)


def _file_period(period: Period) -> str:
    if period.year is not None:
        return str(period.year)
    return f"{period.start.isoformat()}_{period.last_day.isoformat()}"


async def report_command(update: Update, context: Context) -> None:
    """/rapport [period]: the activity-report blocks, as a message and as a Markdown file."""
    asked = await _scope_and_period(update, context, "rapport")
    if asked is None:
        return
    scope, period = asked
    data = context.bot_data
    config = data.config
    report = await read_apart(
        data.session_factory,
        lambda session: stats.compute_report(session, config, period, scope, data.clock.now()),
    )
    text = report_text(data.content, report, period, scope)
    for part in split_message([text]):
        await reply(update, part)
    chat = update.effective_chat
    assert chat is not None
    await chat.send_document(
        document=html_to_markdown(text).encode("utf-8"),
        filename=f"rapport-{_file_period(period)}.md",
        caption=data.content.render(t.REPORT_FILE_CAPTION),
        parse_mode=ParseMode.HTML,
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
            period=_period_label(content, period),
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
        chart = exports.chart_data(content, buckets, counts, scope.programmes, funnel)
        return counts, exports.render_chart(chart)

    counts, png = await read_apart(data.session_factory, draw)
    chat = update.effective_chat
    assert chat is not None
    await chat.send_photo(
        photo=png,
        filename=f"graphique-{_file_period(period)}.png",
        caption=content.render(
            t.CHART_CAPTION,
            period=_period_label(content, period),
            total=fr_int(sum(sum(c.values()) for c in counts)),
        ),
        parse_mode=ParseMode.HTML,
    )


def admin_handlers() -> list[Any]:
    """The four figure commands, private chats only."""
    return [
        command("stats", stats_command),
        command("rapport", report_command),
        command("export", export_command),
        command("graphique", chart_command),
    ]
