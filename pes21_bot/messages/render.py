"""Turning stored projects and answers into French text (no sending here)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import Any

from pes21_bot import texts
from pes21_bot.config import Config
from pes21_bot.content import Content, Html, Question, Questionnaire
from pes21_bot.db.models import Project
from pes21_bot.domain.fields import display_phone
from pes21_bot.domain.form_spec import is_visible
from pes21_bot.domain.visibility import EVERYTHING, Field, shown_answers
from pes21_bot.domain.vocabulary import REDIRECTED_CARD
from pes21_bot.texts import volunteers as tv

SUMMARY_VALUE_MAX = 400


def fr_date(moment: datetime | None, zone: tzinfo) -> str:
    """A date as French people write it: 26/11/2026."""
    return moment.astimezone(zone).strftime("%d/%m/%Y") if moment else "—"


def fr_day(day: date) -> str:
    """A calendar date: 08/12/2026."""
    return day.strftime("%d/%m/%Y")


def fr_datetime(moment: datetime, zone: tzinfo) -> str:
    """Date and time: 26/11/2026 14:05."""
    return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")


def choices_of(content: Content, question: Question) -> Mapping[str, str]:
    """Values and labels of a choice question: its own, or a list of contenus/.

    A review's needs are the intake's list plus the DLA ones.
    """
    if question.choices or question.choice_list is None:
        return question.choices
    if question.choice_list == "review_needs":
        needs = content.questionnaires["idea"].question("needs").choices
        return {**needs, **content.lists["review_extra_needs"]}
    return content.lists[question.choice_list]


def format_value(content: Content, question: Question, value: Any) -> str:
    """A stored answer as the person would read it (not yet escaped)."""
    if value is None or value == [] or value == "":
        return content.render(texts.EMPTY_VALUE)
    if question.type == "choice":
        return choices_of(content, question).get(str(value), str(value))
    if question.type == "multi_choice":
        labels = choices_of(content, question)
        return ", ".join(labels.get(v, v) for v in value)
    if question.type == "yes_no":
        return content.render(texts.YES if value == "yes" else texts.NO)
    if question.type == "date":
        return fr_day(date.fromisoformat(value))
    if question.type == "phone":
        return display_phone(str(value))
    if question.type == "decimal":
        return content.render(tv.FORM_HOURS, hours=f"{value:g}".replace(".", ","))
    return str(value)


def shorten(text: str, limit: int) -> str:
    """Cut a long text on a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def answer_lines(
    content: Content, questionnaire: Questionnaire, answers: dict[str, Any], limit: int
) -> Html:
    """One 'Label : value' line per visible answered question (values escaped here)."""
    lines = []
    for question in questionnaire.questions:
        if question.id in answers and is_visible(question, answers):
            value = shorten(format_value(content, question, answers[question.id]), limit)
            lines.append(content.render(texts.RECAP_LINE, label=question.label, value=value))
    return Html("\n".join(lines))


def maturity_text(content: Content, config: Config, score: int | None, criteria: list[str]) -> Html:
    """Score, verdict and one line per criterion that fired."""
    if score is None:
        return Html("")
    settings = config.qualification
    reasons = Html(
        "\n".join(
            content.render(
                texts.CARD_REASON,
                points=settings.weights.get(name, 0),
                explanation=content.label("criteria", name),
            )
            for name in criteria
        )
    )
    verdict = texts.MATURE if score >= settings.mature_threshold else texts.NOT_MATURE
    return content.render(
        texts.CARD_MATURITY,
        score=score,
        threshold=settings.mature_threshold,
        verdict=content.render(verdict),
        reasons=reasons,
    )


def card_text(
    content: Content,
    config: Config,
    project: Project,
    status_line: Html | None = None,
    moved: bool = False,
    fields: frozenset[Field] = EVERYTHING,
) -> Html:
    """The card staff see for a project, titled by its state, with an optional status line.

    ``moved``: this copy belongs to a programme the project was redirected away from.
    ``fields``: what its reader may see of the answers (domain/visibility.py).
    """
    questionnaire = content.questionnaires[project.path]
    text = content.render(
        texts.CARD,
        title=content.label("card_titles", REDIRECTED_CARD if moved else project.status),
        reference=project.reference or "",
        programme=content.programme_name(project.programme or ""),
        path=content.label("paths", project.path),
        summary=answer_lines(
            content, questionnaire, shown_answers(project.answers, fields), SUMMARY_VALUE_MAX
        ),
        maturity=maturity_text(content, config, project.score, project.criteria or []),
    ).rstrip()
    return Html(f"{text}\n\n{status_line}" if status_line else text)
