"""Text keys of the team by chat (/equipe, staff invitations) and of retention (equipe.yaml)."""

from __future__ import annotations

from pes21_bot.texts import key

# Retention (the admins' daily notice)
RETENTION_DONE = key("retention.done", "count", "s")
RETENTION_NOTICE = key("retention.notice", "count", "s", "date", "years")
