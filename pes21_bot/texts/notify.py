"""Text keys of the notices to the team and of the holder's messages to it (echanges.yaml)."""

from __future__ import annotations

from pes21_bot.texts import key

# A button under a notice about a dossier: its panel.
OPEN_DOSSIER = key("notify.open_dossier")

# A team member the bot cannot write to (never opened it, or blocked it).
STAFF_UNREACHABLE = key("notify.staff_unreachable", "name", "telegram_id", "reference", "link")
CARDS_CAUGHT_UP = key("notify.cards_caught_up", "count")

# "Écrire à l'équipe": a holder's message about a submitted dossier.
WRITE_BUTTON = key("holder_write.button")
WRITE_NUDGE = key("holder_write.nudge")
WRITE_CHOOSE = key("holder_write.choose")
WRITE_CHOICE = key("holder_write.choice", "reference", "programme")
WRITE_INTRO = key("holder_write.intro", "reference", "reader")
WRITE_READER_OWNER = key("holder_write.reader_owner", "name")
WRITE_READER_TEAM = key("holder_write.reader_team", "programme")
WRITE_SENT = key("holder_write.sent", "reference", "reader")
WRITE_NONE = key("holder_write.none")
WRITE_BUSY = key("holder_write.busy")
WRITE_FORWARDED = key("holder_write.forwarded", "reference", "name", "text")
