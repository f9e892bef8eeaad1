"""Logging that never shows the bot token."""

from __future__ import annotations

import logging


class RedactSecrets(logging.Filter):
    """Replace secrets in every log record (message, arguments, exception text) with ***."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        if not self._secrets:
            return True
        record.msg = self._clean(record.getMessage())
        record.args = None
        if record.exc_info:
            # Formatters reuse a cached exc_text, so the traceback is printed redacted while
            # exc_info stays for any other handler (error reporting, tests).
            record.exc_text = self._clean(logging.Formatter().formatException(record.exc_info))
        return True


def configure_logging(token: str | None, level: int = logging.INFO) -> None:
    """Plain log lines on stderr; HTTP client request lines (which carry the URL) kept quiet."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets([token or ""]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "tornado.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
