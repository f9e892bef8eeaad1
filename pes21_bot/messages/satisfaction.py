"""The satisfaction survey's invitation, sent by the reminder dispatcher."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from pes21_bot import buttons
from pes21_bot.content import Content, Html
from pes21_bot.db.models import Project
from pes21_bot.messages.markup import keyboard
from pes21_bot.texts import waiting as t


def invitation(content: Content, project: Project) -> tuple[Html, InlineKeyboardMarkup]:
    """To the holder: a few optional questions about the accompaniment that ended."""
    text = content.render(
        t.SURVEY_INVITATION,
        reference=project.reference or "",
        programme=content.programme_name(project.programme or ""),
    )
    markup = keyboard(
        [
            [(content.render(t.SURVEY_GO), buttons.SURVEY.pack("go", project.id))],
            [(content.render(t.SURVEY_NO), buttons.SURVEY.pack("no", project.id))],
        ]
    )
    return text, markup
