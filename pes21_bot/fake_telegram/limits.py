"""Telegram limits enforced by the fake: sizes and flood control (token buckets)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]

#: Methods that deliver a new message and therefore count against flood limits.
SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendMediaGroup",
        "sendPaidMedia",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendChecklist",
        "sendDice",
        "sendSticker",
        "sendInvoice",
        "sendGame",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
    }
)


# getFile: "For the moment, bots can download files of up to 20MB in size" (Bot API).
GET_FILE_MAX_BYTES = 20 * 1024 * 1024


@dataclass
class Limits:
    """Limits enforced by :class:`FakeBotApi`; rates are tokens per second."""

    flood_control: bool = True
    global_rate: float = 30.0
    global_burst: int = 30
    private_chat_rate: float = 1.0
    private_chat_burst: int = 5
    group_chat_rate: float = 20.0 / 60.0
    group_chat_burst: int = 20
    max_text_length: int = 4096
    max_caption_length: int = 1024
    max_callback_data_bytes: int = 64
    max_upload_bytes: int = 50 * 1024 * 1024
    # Seconds after a press when answerCallbackQuery is refused as "query is too old" (None: never).
    callback_answer_window: float | None = 15.0


class TokenBucket:
    """A token bucket refilled continuously at ``rate`` tokens per second up to ``burst``."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.updated = now

    def _refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(float(self.burst), self.tokens + (now - self.updated) * self.rate)
            self.updated = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 when available now)."""
        self._refill(now)
        if self.tokens >= 1.0 - 1e-9:
            return 0.0
        return (1.0 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        """Consume one token (call only after :meth:`wait_time` returned 0)."""
        self._refill(now)
        self.tokens -= 1.0


class FloodControl:
    """Global, per-private-chat and per-group token buckets for send-type methods."""

    def __init__(self, limits: Limits, clock: Clock) -> None:
        self.limits = limits
        self.clock = clock
        self._global: TokenBucket | None = None
        self._chats: dict[int, TokenBucket] = {}

    def reset(self) -> None:
        """Refill every bucket."""
        self._global = None
        self._chats.clear()

    def admit(self, chat_id: int, is_private: bool) -> int | None:
        """Consume a token for a send to ``chat_id``; return retry_after seconds if refused."""
        if not self.limits.flood_control:
            return None
        now = self.clock()
        lim = self.limits
        if self._global is None:
            self._global = TokenBucket(lim.global_rate, lim.global_burst, now)
        chat_bucket = self._chats.get(chat_id)
        if chat_bucket is None:
            if is_private:
                chat_bucket = TokenBucket(lim.private_chat_rate, lim.private_chat_burst, now)
            else:
                chat_bucket = TokenBucket(lim.group_chat_rate, lim.group_chat_burst, now)
            self._chats[chat_id] = chat_bucket
        wait = max(chat_bucket.wait_time(now), self._global.wait_time(now))
        if wait > 0:
            return max(1, math.ceil(wait - 1e-9))
        chat_bucket.take(now)
        self._global.take(now)
        return None
