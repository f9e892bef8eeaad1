"""Helpers shared by the fake Telegram Bot API tests."""

from __future__ import annotations

from typing import Any

from pes21_bot.fake_telegram import ApiResponse, FakeBotApi, UploadedFile

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


class FakeClock:
    """Manually advanced monotonic clock."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


async def call(
    api: FakeBotApi,
    method: str,
    token: str | None = None,
    files: dict[str, UploadedFile] | None = None,
    **params: Any,
) -> ApiResponse:
    """Call the core directly."""
    return await api.handle(token or api.token, method, params, files)


async def ok(api: FakeBotApi, method: str, **params: Any) -> Any:
    """Call the core and return the result, failing on any error."""
    response = await call(api, method, **params)
    assert response.status == 200, response.payload
    return response.payload["result"]


async def error(api: FakeBotApi, method: str, status: int = 400, **params: Any) -> str:
    """Call the core expecting an error with ``status``; return its description."""
    response = await call(api, method, **params)
    assert response.status == status, response.payload
    assert response.payload["ok"] is False
    assert response.payload["error_code"] == status
    description: str = response.payload["description"]
    return description
