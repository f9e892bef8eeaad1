"""A Bot API connection wrapped by another, which watches each round: the base of the polling
connection's heartbeat (heartbeat.py) and its outage log lines (reachability.py)."""

from __future__ import annotations

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData


class WrappedRequest(BaseRequest):
    """Send through the wrapped connection; subclasses watch the rounds with the three hooks."""

    __slots__ = ("_inner",)

    def __init__(self, inner: BaseRequest) -> None:
        self._inner = inner

    @property
    def read_timeout(self) -> float | None:
        """The wrapped request's read timeout (PTB adds it to getUpdates' own)."""
        return self._inner.read_timeout

    async def initialize(self) -> None:
        """Open the wrapped connection."""
        await self._inner.initialize()

    async def shutdown(self) -> None:
        """Close the wrapped connection."""
        await self._inner.shutdown()

    def before_round(self) -> None:
        """Called as a round starts."""

    def round_failed(self, error: NetworkError) -> None:
        """Called when a round got no answer for lack of network (the error is raised after)."""

    def round_answered(self) -> None:
        """Called when a round got Telegram's answer."""

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
        """Send through the wrapped request, telling the hooks how the round went."""
        self.before_round()
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
        except NetworkError as error:  # TimedOut included; the token is never in the message
            self.round_failed(error)
            raise
        self.round_answered()
        return result
