"""French text of the figures: the /stats messages and the /rapport blocks (Telegram HTML)."""

from __future__ import annotations

from typing import Any

from pes21_bot.content import Content, Html
from pes21_bot.domain.figures import ProgrammeFigures, ReportFigures, Stats
from pes21_bot.domain.french_format import fr_change, fr_decimal, fr_int, fr_percent, plural
from pes21_bot.domain.periods import Period
from pes21_bot.domain.scope import Scope
from pes21_bot.domain.vocabulary import CREATION_PROGRAMMES
from pes21_bot.labels import value_label
from pes21_bot.messages import agenda as agenda_messages
from pes21_bot.messages import followup as followup_messages
from pes21_bot.messages.followup import delay_text
from pes21_bot.messages.render import fr_day
from pes21_bot.messages.splitting import split_message
from pes21_bot.texts import stats as t


def period_label(content: Content, period: Period) -> Html:
    """'2025' or 'du 01/01/2025 au 30/06/2025', as /stats headers read."""
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
            started=fr_int(item.accompanied_started),
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


def _creation_lines(content: Content, result: Stats) -> list[str]:
    """The report's Bénéfices'Créa block, both creation programmes together, under its name."""
    creation = result.report.creation
    if not all(result.scope.sees(p) for p in CREATION_PROGRAMMES) or not any(
        vars(creation).values()
    ):
        return []
    return [
        content.render(
            t.CREATION_TOTAL,
            welcomed=fr_int(creation.welcomed),
            accompanied=fr_int(creation.accompanied),
            started=fr_int(creation.accompanied_started),
            structures=fr_int(creation.structures),
            jobs=fr_int(creation.jobs),
        )
    ]


def _funnel_lines(content: Content, result: Stats) -> list[str]:
    funnel = result.funnel
    lines: list[str] = [content.render(t.FUNNEL_HEADER)]
    for index, (step, count) in enumerate(funnel.steps()):
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
        content.render(t.BREAKDOWN_HEADER, period=period_label(content, result.period))
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
            period=period_label(content, result.period),
            in_progress=content.render(t.IN_PROGRESS) if result.in_progress else "",
            scope=scope_text,
        )
    ]
    active = [p for p in result.programmes if not p.is_empty]
    if not active and not result.funnel.started and not result.funnel.consent_given:
        first.append(content.render(t.EMPTY))
    for item in active:
        first += _programme_lines(content, item, result)
    first += _creation_lines(content, result)
    first += _funnel_lines(content, result)
    first += agenda_messages.stats_block(content, result.report.agenda)
    first += followup_messages.stats_block(content, result.report.followup, scope)
    first += _comparison_lines(content, result)
    return split_message(first) + split_message(_breakdown_lines(content, result))


# --- /rapport ------------------------------------------------------------------------------


def _collective_structures(content: Content, count: int) -> str:
    """ " (16 structures)" after the collective engineering actions, when there are some."""
    if not count:
        return ""
    return content.render(t.REPORT_DLA_COLLECTIVE_STRUCTURES, count=fr_int(count), s=plural(count))


def _creation_scope(content: Content, scope: Scope) -> list[str]:
    """Under the Bénéfices'Créa header: the block holds both creation programmes."""
    if all(scope.sees(p) for p in CREATION_PROGRAMMES):
        return [content.render(t.REPORT_CREATION_SCOPE)]
    return []


def _started(content: Content, accompanied: int, started: int) -> str:
    """ ", dont 24 démarrés dans la période" after the accompaniments running in the period."""
    if not accompanied:
        return ""
    return content.render(t.REPORT_STARTED_IN_PERIOD, count=fr_int(started))


def report_text(content: Content, report: ReportFigures, period: Period, scope: Scope) -> str:
    """The "En 2025, …" blocks of the activity report, as Telegram HTML."""
    when = _report_period(content, period)

    def count_line(key: Any, count: int) -> Html:
        return content.render(key, count=fr_int(count), s=plural(count))

    lines: list[str] = [content.render(t.REPORT_TITLE, period=period_label(content, period))]
    if scope.sees(*CREATION_PROGRAMMES):
        creation = report.creation
        lines += [
            content.render(t.REPORT_CREATION_HEADER, period=when),
            *_creation_scope(content, scope),
            count_line(t.REPORT_CREATION_WELCOMED, creation.welcomed),
            count_line(t.REPORT_CREATION_ACCOMPANIED, creation.accompanied)
            + _started(content, creation.accompanied, creation.accompanied_started),
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
            count_line(t.REPORT_TERRITORIES, report.territories_accompanied)
            + _started(content, report.territories_accompanied, report.territories_started),
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


def file_period(period: Period) -> str:
    """'2025', or '2025-01-01_2025-06-30', for the names of the files sent."""
    if period.year is not None:
        return str(period.year)
    return f"{period.start.isoformat()}_{period.last_day.isoformat()}"
