"""Text keys of the hand-over when someone leaves the team or a programme (passation.yaml)."""

from __future__ import annotations

from pes21_bot.texts import key

# To someone taken off the team who still presses, replies or asks about a dossier.
NO_LONGER_TEAM = key("handover.no_longer_team")
# To the holder, once per hand-over: who follows their dossier now (first name only).
HOLDER_TOLD = key("handover.holder_told", "reference", "name")
# The admin's confirmation: a header, then one line per person who received dossiers.
HANDED_HEADER = key("handover.handed_header")
HANDED_LINE = key("handover.handed_line", "name", "references")
# To the other admins, when nobody of the programme was left to take the dossiers.
ADMINS_NOTICE = key("handover.admins_notice", "name", "references")
# A staff member stops following a programme (/equipe): to the admin, and to whoever takes over.
PROGRAMME_LOST = key("handover.programme_lost", "name", "programme", "count")
HEIR_PROGRAMME_LOST = key("handover.heir_programme_lost", "name", "programme", "references")
