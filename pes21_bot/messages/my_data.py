"""/mes_donnees: what is kept about a person, as a French summary they can read."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from pes21_bot import texts
from pes21_bot.content import Content, Html
from pes21_bot.domain.fields import display_phone
from pes21_bot.messages.render import answer_lines
from pes21_bot.messages.splitting import split_message

# An answer is shown whole: the summary is everything kept, not a preview.
ANSWER_LIMIT = 3000


def long_day(content: Content, day: date) -> str:
    """A date in words: 1 décembre 2026."""
    return f"{day.day} {content.label('months', str(day.month))} {day.year}"


def _day(content: Content, stored: str | None, zone: tzinfo) -> str:
    if not stored:
        return content.render(texts.EMPTY_VALUE)
    moment = datetime.fromisoformat(stored)
    return long_day(content, moment.astimezone(zone).date() if moment.tzinfo else moment.date())


def _latest_answer(projects: list[dict[str, Any]], key: str) -> str | None:
    for project in reversed(projects):
        value = (project.get("answers") or {}).get(key)
        if value:
            return str(value)
    return None


def _project_block(content: Content, project: dict[str, Any], zone: tzinfo) -> str:
    questionnaire = content.questionnaires.get(project["path"])
    answers = project.get("answers") or {}
    lines = answer_lines(content, questionnaire, answers, ANSWER_LIMIT) if questionnaire else ""
    path = content.label("paths", project["path"])
    if project.get("reference"):
        head = content.render(
            texts.MY_DATA_PROJECT,
            reference=project["reference"],
            path=path,
            status=content.label("project_status", project["status"]),
            date=_day(content, project.get("submitted_at") or project.get("created_at"), zone),
        )
    else:
        head = content.render(
            texts.MY_DATA_DRAFT, path=path, date=_day(content, project.get("created_at"), zone)
        )
    return f"{head}\n{lines}" if lines else head


def summary_messages(content: Content, export: dict[str, Any], zone: tzinfo) -> list[str]:
    """The summary of an export_data() dict, cut to Telegram's message size."""
    person = export["person"]
    projects: list[dict[str, Any]] = export["projects"]
    telegram_name = " ".join(n for n in (person["first_name"], person["last_name"]) if n)
    empty = content.render(texts.EMPTY_VALUE)
    blocks: list[str] = [
        content.render(
            texts.MY_DATA_SUMMARY,
            name=_latest_answer(projects, "name") or telegram_name or empty,
            email=_latest_answer(projects, "email") or empty,
            phone=display_phone(_latest_answer(projects, "phone") or "") or empty,
            since=_day(content, person["first_contact"], zone),
            consent=_day(content, person["consent_at"], zone),
            projects=len(projects),
        )
    ]
    blocks += [_project_block(content, project, zone) for project in projects]
    if export["volunteer"] is not None:
        done = sum(1 for review in export["reviews"] if review["logged_by_you"])
        blocks.append(
            content.render(
                texts.MY_DATA_VOLUNTEER,
                since=_day(content, export["volunteer"]["enrolled_at"], zone),
                reviews=done,
            )
        )
    written = export.get("messages") or []
    if written:
        last = _day(content, written[-1]["written_at"], zone)
        blocks.append(content.render(texts.MY_DATA_MESSAGES, count=len(written), date=last))
    answers = export.get("answers_received") or []
    if answers:
        last = _day(content, answers[-1]["written_at"], zone)
        blocks.append(content.render(texts.MY_DATA_ANSWERS, count=len(answers), date=last))
    registrations = export.get("registrations") or []
    if registrations:
        lines = [content.render(texts.MY_DATA_REGISTRATIONS)]
        lines += [
            content.render(
                texts.MY_DATA_REGISTRATION,
                event=r["event"],
                date=_day(content, r["starts_at"], zone),
                state=content.label("registration_states", r["state"]),
            )
            for r in registrations
        ]
        blocks.append("\n".join(lines))
    blocks.append(content.render(texts.MY_DATA_FILE_OFFER))
    return [Html(part) for part in split_message(blocks)]
