"""Text keys of /sauvegarde and of the admins' alerts (texts in contenus/exploitation.yaml)."""

from __future__ import annotations

from pes21_bot.texts import key

BACKUP_STARTED = key("backup.started")
BACKUP_DONE = key("backup.done", "name", "size", "kept", "removed")
BACKUP_FAILED = key("backup.failed", "reason")
BACKUP_BUSY = key("backup.busy")

ALERT_ERRORS = key("alerts.errors", "count", "error", "place", "minutes")
ALERT_BACKUP_FAILED = key("alerts.backup_failed", "reason")
ALERT_REMINDER_GIVEN_UP = key("alerts.reminder_given_up", "attempts", "kind")
ALERT_CARD_UNDELIVERABLE = key("alerts.card_undeliverable", "reference")
