"""The cosmetic-fault press shared by the per-family cases (tests/e2e/test_cosmetic_faults*.py).

A case sets up one button of one family, says who presses it and what a person would notice
once it is done. The press then runs with the first answerCallbackQuery, editMessageReplyMarkup
and editMessageText failing (time-out, or 500), pressed twice before the bot handles the first.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from pes21_bot.buttons import Button
from pes21_bot.concurrency import PerChatUpdateProcessor
from pes21_bot.db.models import Project
from pes21_bot.fake_telegram import BotMessage, FakeUser, FaultKind
from pes21_bot.services import accompaniment
from pes21_bot.services.people import UserInfo
from tests.e2e.outbox_helpers import apologies, count, drained
from tests.harness import Harness
from tests.volunteers.helpers import CAMILLE, seed_project

COSMETIC = ("answerCallbackQuery", "editMessageReplyMarkup", "editMessageText")
SENDS = ("sendMessage", "sendDocument")

Check = Callable[[], Awaitable[None]]


@dataclass
class Press:
    """Who presses what (on which message), and what must hold once, afterwards."""

    user: FakeUser
    data: str
    message_id: int | None
    check: Check
    watched: tuple[FakeUser, ...] = ()


Setup = Callable[[Harness], Awaitable[Press]]


@dataclass(frozen=True)
class Case:
    """One button of a family and how to reach it."""

    family: Button
    setup: Setup


def data_of(message: BotMessage, label: str) -> str:
    """The callback data of the message's button with this label."""
    for row in message.inline_buttons:
        for found in row:
            if found.get("text") == label:
                return str(found["callback_data"])
    raise AssertionError(f"no button {label!r} on {message.describe()}")


def on(user: FakeUser, message: BotMessage, label: str, check: Check, *watched: FakeUser) -> Press:
    """The press of a labelled button of a message."""
    return Press(user, data_of(message, label), message.message_id, check, watched)


def shows(bot: Harness, user: FakeUser, text: str) -> Check:
    """A check: the person is shown this text once more than now (edited in place or sent)."""
    before = count(bot, user, text)

    async def check() -> None:
        shown = count(bot, user, text)
        assert shown == before + 1, f"{text!r} shown {shown - before} times:\n" + "\n".join(
            m.describe() for m in bot.api.messages(user.id)
        )

    return check


def both(*checks: Check) -> Check:
    """A check made of several."""

    async def check() -> None:
        for one in checks:
            await one()

    return check


async def hello(user: FakeUser) -> int:
    """Give the user a bot message to press on (a forged button rides on it)."""
    user.send_command("/aide")
    return (await user.expect("Voici ce que")).message_id


def labels_of(bot: Harness, user: FakeUser, message_id: int) -> list[str]:
    """The button labels a message shows now."""
    return [b for row in bot.api.bot_message(user.id, message_id).buttons for b in row]


Reach = Callable[[Harness], Awaitable[tuple[FakeUser, BotMessage]]]
Answered = Callable[[Harness, str, object], Check]


def toggling(reach: Reach) -> Setup:
    """A case: "Financement" ticked on the needs question that `reach` leads to."""

    async def setup(bot: Harness) -> Press:
        user, needs = await reach(bot)

        async def check() -> None:
            labels = labels_of(bot, user, needs.message_id)
            assert "Financement" not in labels, labels  # ticked once, not ticked then unticked

        return on(user, needs, "Financement", check)

    return setup


def validating(reach: Reach, answered: Answered, after: str) -> Setup:
    """A case: the needs question that `reach` leads to, ticked then validated."""

    async def setup(bot: Harness) -> Press:
        user, needs = await reach(bot)
        user.press("Financement", message=needs)
        ticked = await user.next_message()
        check = both(answered(bot, "needs", ["funding"]), shows(bot, user, after))
        return on(user, ticked, "✔️ Valider", check)

    return setup


def sent(bot: Harness) -> list[tuple[str, str]]:
    """Every delivered message, as (chat, text or caption), in order."""
    return [
        (str(c.params.get("chat_id")), str(c.params.get("text") or c.params.get("caption") or ""))
        for c in bot.api.calls
        if c.method in SENDS and c.status == 200
    ]


async def press_with_faults(bot: Harness, case: Case, kind: FaultKind) -> None:
    """Set up the case, fail the cosmetics of the first press, press twice, check once."""
    press = await case.setup(bot)
    assert case.family.parse(press.data) is not None, f"{press.data!r} is not {case.family}"
    await drained(bot)
    before = len(sent(bot))
    for method in COSMETIC:
        bot.api.inject_fault(method, kind)
    first = press.user.press_raw(press.data, message_id=press.message_id)
    second = press.user.press_raw(press.data, message_id=press.message_id)
    await bot.button_answer(second)  # the second press is answered, whatever became of the first
    await handled(bot)  # what a handler does after answering its press counts too
    await drained(bot)
    await press.check()
    assert apologies(bot, press.user, *press.watched) == []
    failed = [c for c in bot.api.calls_to("answerCallbackQuery") if c.status in (0, 500)]
    assert len(failed) == 1  # the fault did hit the first press
    assert first["callback_query"]["id"] != second["callback_query"]["id"]
    twice = [sent for sent, times in Counter(sent(bot)[before:]).items() if times > 1]
    assert twice == [], f"sent twice: {twice}"


async def handled(bot: Harness, within: float = 5.0) -> None:
    """Wait until the bot has finished handling every update it fetched."""
    assert bot.app is not None
    processor = bot.app.update_processor
    assert isinstance(processor, PerChatUpdateProcessor)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    await bot.settle()
    while not processor.idle:
        assert loop.time() < deadline, "updates still being handled"
        await asyncio.sleep(0.01)  # polling a condition, not waiting for time to pass


def fault_test(cases: dict[str, Case]) -> Callable[[Harness, str, FaultKind], Awaitable[None]]:
    """The parametrized test of a dict of cases: each one with a time-out, and with a 500."""

    @pytest.mark.parametrize("kind", ["timeout", "500"])
    @pytest.mark.parametrize("case", list(cases))
    async def test(sqlite_bot: Harness, case: str, kind: FaultKind) -> None:
        await press_with_faults(sqlite_bot, cases[case], kind)

    return test


async def accompanying(bot: Harness) -> Project:
    """A project claimed by Camille whose accompaniment started today."""
    project = await seed_project(bot, owner_id=CAMILLE)
    async with bot.session_factory.begin() as session:
        fresh = await session.get(Project, project.id)
        assert fresh is not None
        now = bot.clock.now()
        await accompaniment.start(session, fresh, UserInfo(CAMILLE, "Camille"), now.date(), now)
        return fresh
