"""The "✉️ Écrire à l'équipe" button a holder with a submitted dossier is offered."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from pes21_bot import buttons
from pes21_bot.content import Content
from pes21_bot.messages.markup import keyboard
from pes21_bot.texts import notify as t


def write_row(content: Content) -> list[tuple[str, str]]:
    """The button's row (which dossier is asked next when there are several)."""
    return [(content.render(t.WRITE_BUTTON), buttons.WRITE_TEAM.pack(0))]


def write_markup(content: Content) -> InlineKeyboardMarkup:
    """The button alone."""
    return keyboard([write_row(content)])
