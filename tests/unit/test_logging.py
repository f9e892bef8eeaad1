"""The bot token never appears in a log line, even inside a URL or a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from pes21_bot.logsetup import RedactSecrets, configure_logging

TOKEN = "123456:AAH-very-secret"


@pytest.fixture(autouse=True)
def _restore_root_logger() -> Iterator[None]:
    """configure_logging replaces the root handlers: put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_token_is_redacted_from_messages_args_and_tracebacks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(TOKEN)
    log = logging.getLogger("pes21_bot.test")
    log.info("POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    try:
        raise RuntimeError(f"failed https://api.telegram.org/bot{TOKEN}/sendMessage")
    except RuntimeError:
        log.exception("boom")
    logging.getLogger("httpx").info("HTTP Request: POST .../bot%s/getMe", TOKEN)
    err = capsys.readouterr().err
    assert TOKEN not in err
    assert "bot***/getUpdates" in err and "bot***/sendMessage" in err
    assert "HTTP Request" not in err  # request lines are silenced altogether


def test_filter_without_secret_leaves_records_alone() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    assert RedactSecrets([""]).filter(record)
    assert record.getMessage() == "hello you"
