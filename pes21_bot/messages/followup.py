"""The follow-up blocks of /stats and /rapport: delays kept, first answers, satisfaction."""

from __future__ import annotations

from pes21_bot.content import Content, Html
from pes21_bot.domain.followup import RATINGS, FollowUpFigures, SurveyFigures
from pes21_bot.domain.french_format import fr_decimal, fr_int, fr_percent, plural
from pes21_bot.domain.scope import Scope
from pes21_bot.domain.vocabulary import PROGRAMMES
from pes21_bot.texts import stats as stats_texts
from pes21_bot.texts import waiting as t

ALL = "*"


def delay_text(content: Content, hours: float | None) -> Html:
    """A median delay: hours under a day, else days ("—" without any)."""
    if hours is None:
        return content.render(stats_texts.DELAY_NONE)
    if hours < 1:
        return content.render(stats_texts.DELAY_UNDER_HOUR)
    if hours < 24:
        return content.render(stats_texts.DELAY_HOURS, hours=fr_decimal(hours))
    days = hours / 24
    return content.render(stats_texts.DELAY_DAYS, days=fr_decimal(days), s=plural(round(days, 1)))


def _name(content: Content, programme: str) -> str:
    return content.label("stat_programmes", programme)


def distribution_text(content: Content, survey: SurveyFigures) -> str:
    """ "1 : 0 · 2 : 1 · …": the answers per rating, every rating shown."""
    return " · ".join(
        content.render(
            t.SURVEY_RATING_ITEM, rating=str(r), count=fr_int(survey.distribution.get(r, 0))
        )
        for r in RATINGS
    )


def _survey_line(content: Content, programme: str, survey: SurveyFigures) -> Html:
    return content.render(
        t.FOLLOWUP_SURVEY,
        programme=_name(content, programme),
        answers=survey.answers,
        average=fr_decimal(survey.average or 0.0),
        distribution=distribution_text(content, survey),
        yes=fr_int(survey.recommend_yes),
        recommend=fr_int(survey.recommend_answers),
    )


def _ordered(scope: Scope) -> list[str]:
    return [p for p in PROGRAMMES if p in scope.programmes]


def stats_block(content: Content, figures: FollowUpFigures, scope: Scope) -> list[Html]:
    """/stats' block: per programme, claims within the announced delay and the median delay to
    the first answer; the survey's answers; then the median over every programme."""
    lines = [content.render(t.FOLLOWUP_HEADER)]
    for programme in _ordered(scope):
        delays = figures.delays.get(programme)
        answer = figures.first_answer_hours.get(programme)
        if delays is not None or answer is not None:
            known = delays.known if delays else 0
            within = delays.within if delays else 0
            lines.append(
                content.render(
                    t.FOLLOWUP_DELAYS,
                    programme=_name(content, programme),
                    within=fr_int(within),
                    known=known,
                    share=fr_percent(within, known),
                    delay=delay_text(content, answer),
                )
            )
        survey = figures.surveys.get(programme)
        if survey is not None and survey.answers:
            lines.append(_survey_line(content, programme, survey))
    if len(lines) == 1:
        lines.append(content.render(t.FOLLOWUP_NONE))
    overall = figures.first_answer_hours.get(ALL)
    lines.append(content.render(t.FOLLOWUP_FIRST_ANSWER, delay=delay_text(content, overall)))
    return lines


def report_block(
    content: Content, figures: FollowUpFigures, scope: Scope, period: str
) -> list[Html]:
    """/rapport's block: the satisfaction survey's answers, average and spread per programme."""
    lines = [content.render(t.REPORT_SURVEY_HEADER, period=period)]
    for programme in _ordered(scope):
        survey = figures.surveys.get(programme)
        if survey is not None and survey.answers:
            lines.append(_survey_line(content, programme, survey))
    if len(lines) == 1:
        lines.append(content.render(t.REPORT_SURVEY_NONE))
    return lines
