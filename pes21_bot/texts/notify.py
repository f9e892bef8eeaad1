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

# The relay (handlers/relay.py): a holder's messages after submission and the team's answers.
TOPIC_NAME = key("relay.topic_name", "reference")
RELAY_LABEL_IN = key("relay.label_in", "name", "reference")
RELAY_HINT_IN = key("relay.hint_in")
RELAY_HINT_GROUP = key("relay.hint_group")
RELAY_LABEL_OUT = key("relay.label_out", "name", "reference")
RELAY_CONTACT = key("relay.contact", "name", "phone")
RELAY_REPLY_BUTTON = key("relay.reply_button")
RELAY_TOLD = key("relay.told", "reference", "reader")
RELAY_CHOOSE = key("relay.choose")
RELAY_CHOSEN = key("relay.chosen", "reference")
RELAY_EXPIRED = key("relay.expired")
RELAY_UNSUPPORTED = key("relay.unsupported")
RELAY_ANSWER_INTRO = key("relay.answer_intro", "name", "reference")
RELAY_ANSWER_SENT = key("relay.answer_sent", "name", "reference")
RELAY_REFUSED = key("relay.refused")
RELAY_CLOSED = key("relay.closed")
RELAY_UNDELIVERED = key("relay.undelivered", "reference")
RELAY_VIEW_BUTTON = key("relay.view_button")
RELAY_VIEW_HEADER = key("relay.view_header", "reference", "count")
RELAY_VIEW_EMPTY = key("relay.view_empty")
RELAY_VIEW_IN = key("relay.view_in", "date", "name", "text")
RELAY_VIEW_OUT = key("relay.view_out", "date", "name", "text")
RELAY_VIEW_UNDELIVERED = key("relay.view_undelivered", "date")
RELAY_ERASED = key("relay.erased")
