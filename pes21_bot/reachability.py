"""One log line when Telegram stops answering the polling loop, one when it answers again.

PTB's polling retries quietly on timeouts (and with a traceback per try on other network
errors): the volunteer reading `docker compose logs` saw nothing of an outage, or a flood.
The getUpdates connection is wrapped: its first failure after a success logs a warning, its
first success after failures logs how long Telegram was away.
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from pes21_bot.clock import Clock, SystemClock

logger = logging.getLogger(__name__)


class ReachabilityRequest(BaseRequest):
    """The polling connection, logging Telegram's outages once each way."""

    __slots__ = ("_clock", "_inner", "_lost_at")

    def __init__(self, inner: BaseRequest, clock: Clock | None = None) -> None:
        self._inner = inner
        self._clock = clock or SystemClock()
        self._lost_at: datetime | None = None

    @property
    def read_timeout(self) -> float | None:
        """The wrapped request's read timeout (PTB adds it to getUpdates' own)."""
        return self._inner.read_timeout

    @property
    def unreachable(self) -> bool:
        """Whether the last round failed for lack of network."""
        return self._lost_at is not None

    async def initialize(self) -> None:
        """Open the wrapped connection."""
        await self._inner.initialize()

    async def shutdown(self) -> None:
        """Close the wrapped connection."""
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send through the wrapped request, noting whether Telegram answered."""
        try:
            result = await self._inner.do_request(
                url,
                method,
                request_data=request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        except NetworkError as exc:  # TimedOut included; the token is never in the message
            if self._lost_at is None:
                self._lost_at = self._clock.now()
                logger.warning(
                    "Telegram injoignable, le bot réessaie / Telegram unreachable, retrying (%s)",
                    type(exc).__name__,
                )
            raise
        if self._lost_at is not None:
            away = int((self._clock.now() - self._lost_at).total_seconds())
            self._lost_at = None
            logger.warning(
                "Telegram de nouveau joignable après %d s / Telegram reachable again after %d s",
                away,
                away,
            )
        return result
