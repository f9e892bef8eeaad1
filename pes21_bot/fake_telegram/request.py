"""In-process transport: a PTB ``BaseRequest`` that calls the fake core directly."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import unquote, urlsplit

from telegram._utils.types import ODVInput
from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from pes21_bot.fake_telegram.core import FakeBotApi
from pes21_bot.fake_telegram.errors import ApiResponse, SimulatedTimeout
from pes21_bot.fake_telegram.spec import UploadedFile

_NOT_FOUND = ApiResponse(404, {"ok": False, "error_code": 404, "description": "Not Found"})


def split_bot_url(path: str) -> tuple[str, str] | None:
    """Extract (token, method) from a ``.../bot<token>/<method>`` URL path."""
    segments = [unquote(s) for s in path.split("/") if s]
    if len(segments) < 2:
        return None
    token_segment, method = segments[-2], segments[-1]
    token = token_segment[3:] if token_segment.startswith("bot") else token_segment
    return token, method


def split_file_url(path: str) -> tuple[str, str] | None:
    """Extract (token, file_path) from a ``.../file/bot<token>/<file_path>`` URL path."""
    marker = "/file/bot"
    index = path.find(marker)
    if index == -1:
        return None
    rest = unquote(path[index + len(marker) :])
    token, _, file_path = rest.partition("/")
    return (token, file_path) if file_path else None


class FakeRequest(BaseRequest):
    """PTB request object routing every Bot API call to a :class:`FakeBotApi` in this loop.

    Usage: ``ApplicationBuilder().token(api.token).request(FakeRequest(api))
    .get_updates_request(FakeRequest(api))``. An injected ``timeout`` fault raises
    :class:`telegram.error.TimedOut` immediately (the call is not executed).
    """

    def __init__(self, api: FakeBotApi, read_timeout: float | None = 5.0) -> None:
        self.api = api
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        """Default read timeout reported to PTB (long polls add their own timeout)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Decode PTB's request, run it through the fake core and return (status, body)."""
        path = urlsplit(url).path
        if method == "GET":
            file_ref = split_file_url(path)
            if file_ref is not None:
                content = self.api.download(*file_ref)
                return (200, content) if content is not None else (404, _NOT_FOUND.body())
        target = split_bot_url(path)
        if target is None:
            return 404, _NOT_FOUND.body()
        params: dict[str, Any] = {}
        files: dict[str, UploadedFile] = {}
        if request_data is not None:
            # Round-trip through JSON so the core never keeps references to PTB objects.
            params = json.loads(json.dumps(request_data.parameters))
            for name, (filename, part, mime_type) in request_data.multipart_data.items():
                raw = part if isinstance(part, bytes) else part.read()
                files[name] = UploadedFile(filename=filename, content=raw, mime_type=mime_type)
        timeout = self._read_timeout if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout
        try:
            if target[1].lower() == "getupdates":  # a long poll ends with its own time-out
                response = await self.api.handle(target[0], target[1], params, files)
            else:
                # Shielded: past the client's read time-out the call still completes, as on
                # Telegram (the bot sees a time-out, the message is delivered all the same).
                call = asyncio.ensure_future(self.api.handle(target[0], target[1], params, files))
                response = await asyncio.wait_for(asyncio.shield(call), timeout)  # type: ignore[arg-type]
        except SimulatedTimeout as exc:
            raise TimedOut(f"Timed out: {exc}") from exc
        except TimeoutError as exc:
            raise TimedOut("Timed out: no answer within the read time-out") from exc
        return response.status, response.body()
