"""The kinds of alert and the log tag that raises one: plain data, safe for services to import."""

from __future__ import annotations

from typing import Any

ERRORS = "errors"
BACKUP_FAILED = "backup_failed"
REMINDER_GIVEN_UP = "reminder_given_up"
CARD_UNDELIVERABLE = "card_undeliverable"


def alert_extra(alert: str, /, **params: str | int) -> dict[str, Any]:
    """`extra=` for a log record that raises an alert (params: the text's placeholders)."""
    return {"alert": alert, "alert_params": params}
