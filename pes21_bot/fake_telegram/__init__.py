"""Fake Telegram Bot API (Bot API 10.0) for tests, the terminal simulator and benchmarks.

The real ``telegram.ext.Application`` runs against it with real polling (getUpdates). One
transport-independent core, two transports, everything in the caller's event loop:

* ``api = FakeBotApi(token="123456:TEST-TOKEN", bot_username="pes21_test_bot",
  limits=Limits(...), clock=time.monotonic)`` validates every call against the vendored spec
  (unknown method 404, unknown/missing/mistyped parameter 400, wrong token 401) and enforces
  Telegram limits: text 1-4096 characters after entity parsing, caption <= 1024, HTML /
  MarkdownV2 parse errors, callback_data 1-64 bytes and one action per inline button, flood
  control on send-type methods (429 + retry_after: 30/s overall, 1/s with a burst of 5 per
  private chat, 20/min per group; ``Limits(flood_control=False)`` switches it off).
* In-process transport: ``ApplicationBuilder().token(api.token).request(FakeRequest(api))
  .get_updates_request(FakeRequest(api))``. An injected timeout raises ``TimedOut`` at once.
* HTTP transport (127.0.0.1 only): ``server = FakeBotApiServer(api)``,
  ``base_url = await server.start()``, then ``ApplicationBuilder().token(api.token)
  .base_url(base_url).base_file_url(server.base_file_url)``; ``await server.stop()``. The bot
  may run in the same loop or in another process. An injected timeout holds the request
  ``timeout_hold`` seconds (default 30, aborted on client disconnect or server stop) and then
  closes the connection without answering.

Acting as users: ``user = api.user(42, "Alice")`` (private chat id == user id),
``group = api.group(-100, "Board")``. ``user.send_text``, ``send_command``,
``send_contact``, ``send_photo``, ``send_sticker``, ``send_voice``, ``send_document``,
``press`` (inline button by text or callback_data), ``press_raw`` (forged callback),
``block_bot`` / ``unblock_bot`` each enqueue one update and return the Update dict.

Reading the bot: ``await user.next_message()`` (next unread bot message or edit, as a
``BotMessage`` snapshot), ``await user.expect("text")``, ``user.unread()``, ``user.messages``
/ ``api.messages(chat_id)`` (transcript: current text, ``raw_text``, ``parse_mode``,
``reply_markup``, ``buttons``, ``button_data()``, ``document`` / ``photo`` bytes, ``history``
of edits, ``deleted``), ``api.add_listener(callback)``. Bookkeeping: ``await api.wait_idle()``
(every update fetched and confirmed; handlers may still be running), ``api.calls`` /
``api.calls_to(method)`` / ``await api.wait_for_call(method)``, ``api.get_commands(scope,
language_code)``, ``api.callback_answers``. Faults: ``api.inject_fault(method,
"429" | "500" | "timeout" | "403", times=1, retry_after=1, chat_id=None)``; a timed-out call
is not executed; ``method=None`` matches every method except getUpdates.

Everything must be used from the single event loop that runs the core.
"""

from pes21_bot.fake_telegram.core import FakeBotApi
from pes21_bot.fake_telegram.errors import ApiError, ApiResponse, SimulatedTimeout
from pes21_bot.fake_telegram.formatting import EntityParseError, ParsedText, parse_text
from pes21_bot.fake_telegram.limits import SEND_METHODS, FloodControl, Limits, TokenBucket
from pes21_bot.fake_telegram.models import (
    ApiCall,
    BotMessage,
    Fault,
    FaultKind,
    MessageVersion,
    StoredFile,
)
from pes21_bot.fake_telegram.request import FakeRequest
from pes21_bot.fake_telegram.server import FakeBotApiServer
from pes21_bot.fake_telegram.spec import BotApiSpec, UploadedFile, load_spec
from pes21_bot.fake_telegram.users import OWN, FakeGroup, FakeUser

__all__ = [
    "OWN",
    "SEND_METHODS",
    "ApiCall",
    "ApiError",
    "ApiResponse",
    "BotApiSpec",
    "BotMessage",
    "EntityParseError",
    "FakeBotApi",
    "FakeBotApiServer",
    "FakeGroup",
    "FakeRequest",
    "FakeUser",
    "Fault",
    "FaultKind",
    "FloodControl",
    "Limits",
    "MessageVersion",
    "ParsedText",
    "SimulatedTimeout",
    "StoredFile",
    "TokenBucket",
    "UploadedFile",
    "load_spec",
    "parse_text",
]
