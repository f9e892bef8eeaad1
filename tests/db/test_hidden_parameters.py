"""SQL errors never print the bound values (names, phone numbers) into the logs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from pes21_bot.db.models import Project
from pes21_bot.db.session import SessionFactory

PHONE = "+33698765432"
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def _project(reference: str) -> Project:
    return Project(
        reference=reference,
        path="idea",
        answers={"name": "Zoé Martin", "phone": PHONE},
        created_at=NOW,
        updated_at=NOW,
    )


async def test_integrity_error_on_a_row_with_a_phone_logs_no_phone(
    session_factory: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A duplicate reference fails; the logged error names the statement, not the values."""
    async with session_factory.begin() as session:
        session.add(_project("2026-0001"))
    logger = logging.getLogger("pes21_bot.handlers.common")
    error: IntegrityError | None = None
    try:
        async with session_factory.begin() as session:
            session.add(_project("2026-0001"))
    except IntegrityError as exc:
        # What the bot's error handler does with a failing update.
        logger.error("error while handling update 1", exc_info=exc)
        error = exc
    assert error is not None, "the duplicate reference was refused"
    assert "INSERT INTO projects" in str(error)
    assert "hidden due to hide_parameters" in str(error)
    assert caplog.records, "the error was logged"
    assert PHONE not in caplog.text
    assert "Zoé" not in caplog.text
