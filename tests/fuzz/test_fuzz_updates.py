"""Random sequences of updates from several people, through the fake Bot API (Hypothesis).

One bot runs for the whole test; each example sends a sequence of updates (texts of every
kind, every command with random arguments and out of turn, real, forged, other people's and
replayed buttons, media, contacts, locations, edits, channel posts, group messages, blocking)
and then checks what a person or the team would notice: no error logged, every call valid for
the Bot API, every button answered, no Python leftovers in a message, a consistent database.

A few hundred examples in `make test`; `make fuzz` runs 10,000 (PES21_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
import traceback
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from pes21_bot import buttons
from pes21_bot.access import all_commands
from pes21_bot.clock import FakeClock
from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.db.models import Person, Project, Reminder
from pes21_bot.fake_telegram import FakeBotApi, FakeUser
from pes21_bot.fake_telegram.errors import ApiResponse
from pes21_bot.fake_telegram.limits import Limits
from tests.harness import Harness, running_bot

EXAMPLES = int(os.environ.get("PES21_FUZZ_EXAMPLES", "200"))
HOLDERS = 3
FIRST_HOLDER_ID = 6_000_000
GROUP_ID = -100_777
CHANNEL_ID = -100_888
SETTLE_TIMEOUT = 10.0
GONE_MESSAGE_ID = 999_999_999

# What must never reach a person: Python reprs, a missing value, an unfilled placeholder.
LEFTOVERS = re.compile(r"\bNone\b|<[\w.]+ object at 0x|\{[a-z_]+\}|datetime\.|\['|\{'")
# Bot API refusals that are not the bot's fault and that it handles quietly.
BENIGN = ("message is not modified", "query is too old", "bot was blocked", "message to edit")

SPECIAL_TEXTS = [
    "",
    "x" * 4096,
    "é" * 4096,
    "😀👍🏽👨‍👩‍👧",
    "مرحبا بالعالم",
    "שלום",
    "\u202eevil\u202c",
    "\x00\x01\x07\x1b[31m",
    "line\r\nbreak\ttab",
    "<b>gras</b> <a href='x'>lien</a> &amp; &lt;",
    '=HYPERLINK("http://x","y")',
    "+33 6 12 34 56 78",
    "21000",
    "Dijon",
    "3",
    "-1",
    "1e309",
    "moi@example.org",
    "oui",
    "/",
    "@pes21_test_bot",
]
texts = st.one_of(
    st.sampled_from(SPECIAL_TEXTS),
    st.text(max_size=200).filter(lambda t: not LEFTOVERS.search(t)),
)
# The prefixes the bot's button handlers listen to (every family of the registry, and a few
# first fields), so forged data reaches them: digits of other scripts too ("²" crashed int()).
HANDLED_PREFIXES = (
    *(f"{family.prefix}:" for family in buttons.FAMILIES),
    "m:idea:",
    "c:idea:yes:",
    "c:idea:no:",
)
callback_data = st.one_of(
    st.text(max_size=64).filter(lambda t: 0 < len(t.encode()) <= 64),
    st.builds(
        lambda prefix, rest: (prefix + rest)[:64],
        st.sampled_from(HANDLED_PREFIXES),
        st.text(alphabet="0123456789abcdefxyz:-_²٣", max_size=40),
    ),
)


@dataclass(frozen=True)
class Act:
    """One thing a person (or Telegram) does."""

    kind: str
    who: int  # index into the people of the test
    text: str = ""
    number: int = 0


people_index = st.integers(min_value=0, max_value=HOLDERS + 1)  # holders, staff, admin
acts = st.one_of(
    st.builds(Act, st.just("text"), people_index, texts),
    st.builds(Act, st.just("command"), people_index, texts, st.integers(0, 10_000)),
    st.builds(Act, st.just("press"), people_index, st.just(""), st.integers(0, 50)),
    st.builds(Act, st.just("forged"), people_index, callback_data),
    st.builds(Act, st.just("foreign"), people_index, st.just(""), st.integers(0, 50)),
    st.builds(Act, st.just("replay"), people_index, st.just(""), st.integers(0, 50)),
    st.builds(
        Act,
        st.sampled_from(
            [
                "sticker",
                "photo",
                "document",
                "contact",
                "foreign_contact",
                "location",
                "voice",
                "edited",
                "channel",
                "group_text",
                "group_command",
                "group_press",
                "block",
                "unblock",
            ]
        ),
        people_index,
        texts,
        st.integers(0, 10_000),
    ),
)


class _Errors(logging.Handler):
    """Collects ERROR records (an unhandled exception reaches the error handler, which logs)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def errors() -> Iterator[_Errors]:
    """ERROR log records of the bot while the test runs."""
    handler = _Errors()
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)


class Fuzzer:
    """Turns acts into updates and remembers what the checks need."""

    def __init__(self, bot: Harness) -> None:
        self.bot = bot
        self.api = bot.api
        self.people: list[FakeUser] = []
        self.examples = 0
        self.group = self.api.group(GROUP_ID, title="Café ESS")
        self.commands = sorted(all_commands())
        self.pressed: list[tuple[int, int, str]] = []  # chat, message id, data
        self.refusals: list[tuple[str, str]] = []
        original = self.api.handle

        async def recording(token: str, method: str, params: Any, files: Any = None) -> ApiResponse:
            response = await original(token, method, params, files)
            if response.status >= 400:
                description = str(response.payload.get("description", ""))
                self.refusals.append((method, description))
            return response

        self.api.handle = recording  # type: ignore[method-assign]

    def new_people(self) -> None:
        """New holders for each example (the team stays): examples replay the same way."""
        self.examples += 1
        first = FIRST_HOLDER_ID + self.examples * 10
        holders = [self.bot.holder(first + i, first_name=f"P{i}") for i in range(HOLDERS)]
        self.people = [*holders, self.bot.staff("Karim"), self.bot.admin()]
        self.pressed.clear()

    def _latest(self, chat_id: int) -> int:
        """The bot's latest message in a chat, else one Telegram shows as inaccessible."""
        shown = [m.message_id for m in self.api.messages(chat_id) if not m.deleted]
        return shown[-1] if shown else GONE_MESSAGE_ID

    def _buttons(self, chat_id: int) -> list[tuple[int, str]]:
        found = []
        for message in self.api.messages(chat_id):
            if message.deleted:
                continue
            for row in message.inline_buttons:
                for button in row:
                    if "callback_data" in button:
                        found.append((message.message_id, str(button["callback_data"])))
        return found

    def _enqueue_raw(self, payload: dict[str, Any]) -> None:
        self.api._enqueue(payload)

    def _message(self, user: FakeUser, chat: dict[str, Any], **content: Any) -> dict[str, Any]:
        return {
            "message_id": 900_000 + len(self.pressed) + int(time.monotonic() * 1000) % 100_000,
            "from": user.as_dict(),
            "chat": chat,
            "date": int(time.time()),
            **content,
        }

    def play(self, act: Act) -> None:
        """Send the update(s) of one act."""
        user = self.people[act.who]
        private = {"id": user.id, "type": "private", "first_name": user.first_name}
        kind = act.kind
        if kind == "text":
            user.send_text(act.text)
        elif kind == "command":
            name = self.commands[act.number % len(self.commands)]
            if act.number % 7 == 0:
                name = "inconnue"
            user.send_command(name, act.text.replace("\n", " ")[:100])
        elif kind in ("press", "replay", "foreign"):
            owner = user
            if kind == "foreign":
                owner = self.people[(act.who + 1 + act.number) % len(self.people)]
            buttons = self._buttons(owner.id)
            if not buttons:
                user.send_command("start")
                return
            message_id, data = buttons[act.number % len(buttons)]
            mine = [(m, d) for chat, m, d in self.pressed if chat == user.id]
            if kind == "replay" and mine:  # Telegram only sends presses on the bot's messages
                message_id, data = mine[act.number % len(mine)]
            # Pressing "someone else's" button: the data, on one's own latest message.
            user.press_raw(data, message_id if owner is user else self._latest(user.id))
            self.pressed.append((user.id, message_id, data))
        elif kind == "forged":
            user.press_raw(act.text, self._latest(user.id))
        elif kind == "sticker":
            user.send_sticker()
        elif kind == "photo":
            user.send_photo(caption=act.text[:1000] or None)
        elif kind == "document":
            user.send_document("dossier.xlsx", act.text.encode("utf-8", "replace") or b"PK")
        elif kind == "contact":
            user.send_contact("+33612345678")
        elif kind == "foreign_contact":
            user.send_contact("0612345678", first_name="Autre", user_id=None)
        elif kind == "location":
            location = {"latitude": 47.32, "longitude": 5.04}
            self._enqueue_raw({"message": self._message(user, private, location=location)})
        elif kind == "voice":
            user.send_voice()
        elif kind == "edited":
            edited = self._message(user, private, text=act.text or "modifié")
            edited["edit_date"] = int(time.time())
            self._enqueue_raw({"edited_message": edited})
        elif kind == "channel":
            channel = {"id": CHANNEL_ID, "type": "channel", "title": "Annonces"}
            post = self._message(user, channel, text=act.text or "annonce")
            del post["from"]
            self._enqueue_raw({"channel_post": post})
        elif kind == "group_text":
            user.send_text(act.text or "bonjour", chat=self.group)
        elif kind == "group_command":
            name = self.commands[act.number % len(self.commands)]
            user.send_command(name, chat=self.group)
        elif kind == "group_press":
            buttons = self._buttons(user.id)
            data = buttons[act.number % len(buttons)][1] if buttons else "m:idea"
            user.press_raw(data, self._latest(GROUP_ID), chat=self.group)
        elif kind == "block":
            user.block_bot()
        elif kind == "unblock":
            user.unblock_bot()

    async def settle(self) -> None:
        """Wait until every update was fetched and handled."""
        app = self.bot.app
        assert app is not None
        await self.api.wait_idle(timeout=SETTLE_TIMEOUT)
        deadline = asyncio.get_running_loop().time() + SETTLE_TIMEOUT
        while app.update_queue.qsize() or app.update_processor.current_concurrent_updates:
            assert asyncio.get_running_loop().time() < deadline, "updates still being handled"
            await asyncio.sleep(0.001)  # polls a condition; no time is waited for


def _described(record: logging.LogRecord) -> str:
    """The message, the exception and the project's frame it came from."""
    text = f"{record.name}: {record.getMessage()}"
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        frames = [
            f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} {f.name}"
            for f in traceback.extract_tb(error.__traceback__)
            if "pes21_bot" in f.filename
        ]
        text += f" {error!r} at {frames[-3:]}"
    return text


async def _check_database(bot: Harness) -> None:
    async with bot.session_factory() as session:
        duplicated = await session.execute(
            select(Project.reference)
            .where(Project.reference.is_not(None))
            .group_by(Project.reference)
            .having(func.count() > 1)
        )
        assert duplicated.all() == [], "a reference given to two dossiers"
        unreferenced = await session.execute(
            select(Project.id).where(
                Project.status.not_in(("draft", "abandoned")), Project.reference.is_(None)
            )
        )
        assert unreferenced.all() == [], "a submitted dossier without its reference"
        orphans = await session.execute(
            select(Project.id).where(Project.status == "draft", Project.holder_id.is_(None))
        )
        assert orphans.all() == [], "a draft owned by nobody"
        erased = await session.execute(
            select(Reminder.id)
            .join(Person, Person.id == Reminder.recipient_id)
            .where(Person.erased_at.is_not(None), Reminder.state == "pending")
        )
        assert erased.all() == [], "a reminder for an erased person"


@pytest.fixture
async def fuzzed(
    config: Config, content: Content, sqlite_db_url: str, clock: FakeClock
) -> AsyncIterator[Fuzzer]:
    """One bot for every example, without the pacing of sends (it only slows the test)."""
    # No flood control: 429s are tested on their own, and pacing would only slow examples.
    api = FakeBotApi(
        token="123456:TEST-TOKEN",
        bot_username="pes21_test_bot",
        limits=Limits(flood_control=False),
    )
    async with running_bot(config, content, sqlite_db_url, clock, api, rate_limiter=False) as bot:
        yield Fuzzer(bot)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    # One bot for every example on purpose: the state left by one sequence is the next one's
    # starting point, as with real people.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
    derandomize=EXAMPLES < 1000,  # the same examples in every `make test` run
)
@given(sequence=st.lists(acts, min_size=1, max_size=12))
async def test_random_updates_never_break_the_bot(
    fuzzed: Fuzzer, errors: _Errors, sequence: list[Act]
) -> None:
    fuzzer = fuzzed
    api = fuzzer.api
    calls_before = len(api.calls)
    errors.records.clear()
    fuzzer.refusals.clear()
    queries_before = set(fuzzer.api._callbacks)
    fuzzer.new_people()
    for act in sequence:
        fuzzer.play(act)
    await fuzzer.settle()

    logged = [_described(r) for r in errors.records]
    assert logged == [], logged
    violations = [
        (method, text)
        for method, text in fuzzer.refusals
        if not any(b in text.lower() for b in BENIGN) and not text.startswith("Forbidden")
    ]
    assert violations == [], violations
    new_queries = set(api._callbacks) - queries_before
    unanswered = new_queries - set(api.callback_answers)
    assert not unanswered, [api._callbacks[q]["data"] for q in unanswered]
    for call in api.calls[calls_before:]:
        for key in ("text", "caption"):
            shown = str(call.params.get(key) or "")
            assert not LEFTOVERS.search(shown), (call.method, shown)
    await _check_database(fuzzer.bot)
