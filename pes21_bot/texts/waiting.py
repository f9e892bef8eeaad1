"""Text keys of "nobody left waiting" and of the satisfaction survey (satisfaction.yaml)."""

from __future__ import annotations

from pes21_bot.texts import key

# To the holder, once: nobody claimed the dossier within the delay they were told.
HOLDER_WAITING = key("holder_waiting.notice", "reference", "programme", "days")
