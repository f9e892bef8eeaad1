"""One log line when Telegram stops answering the polling loop, one when it answers again.

PTB's polling retries quietly on timeouts (and with a traceback per try on other network
errors): the volunteer reading `docker compose logs` saw nothing of an outage, or a flood.
The getUpdates connection is wrapped: its first failure after a success logs a warning, its
first success after failures logs how long Telegram was away.
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram.error import NetworkError
from telegram.request import BaseRequest

from pes21_bot.clock import Clock, SystemClock
from pes21_bot.wrapped_request import WrappedRequest

logger = logging.getLogger(__name__)


class ReachabilityRequest(WrappedRequest):
    """The polling connection, logging Telegram's outages once each way."""

    __slots__ = ("_clock", "_lost_at")

    def __init__(self, inner: BaseRequest, clock: Clock | None = None) -> None:
        super().__init__(inner)
        self._clock = clock or SystemClock()
        self._lost_at: datetime | None = None

    @property
    def unreachable(self) -> bool:
        """Whether the last round failed for lack of network."""
        return self._lost_at is not None

    def round_failed(self, error: NetworkError) -> None:
        """The first failure after a success logs a warning (never the token: not in it)."""
        if self._lost_at is None:
            self._lost_at = self._clock.now()
            logger.warning(
                "Telegram injoignable, le bot réessaie / Telegram unreachable, retrying (%s)",
                type(error).__name__,
            )

    def round_answered(self) -> None:
        """The first success after failures logs how long Telegram was away."""
        if self._lost_at is not None:
            away = int((self._clock.now() - self._lost_at).total_seconds())
            self._lost_at = None
            logger.warning(
                "Telegram de nouveau joignable après %d s / Telegram reachable again after %d s",
                away,
                away,
            )
