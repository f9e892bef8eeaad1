"""Error types shared by the fake Bot API core and its transports."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]


class ApiError(Exception):
    """A Bot API error answer (``{"ok": false, ...}``) raised inside the core."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        """Return the JSON error body Telegram would send."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """Build a 400 error whose description starts with ``Bad Request: ``."""
    return ApiError(400, f"Bad Request: {detail}")


class SimulatedTimeout(Exception):
    """Raised by the core when an injected ``timeout`` fault hits a call."""


@dataclass
class ApiResponse:
    """The HTTP status and JSON body the core produced for one call."""

    status: int
    payload: JSONDict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.status == 200

    def body(self) -> bytes:
        """Return the UTF-8 encoded JSON body."""
        return json.dumps(self.payload, ensure_ascii=False).encode("utf-8")
