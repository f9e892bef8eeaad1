"""Issue 18: one chat's flood never holds the others; acknowledgements in time; no false alarms."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from pes21_bot import buttons
from pes21_bot.app import build_application
from pes21_bot.clock import FakeClock
from pes21_bot.concurrency import ACK_WINDOW, Pace, PerChatUpdateProcessor
from pes21_bot.config import Config, Fairness
from pes21_bot.content import Content
from pes21_bot.domain.vocabulary import Programme
from pes21_bot.fake_telegram import FakeRequest, FakeUser
from pes21_bot.handlers import welcome
from pes21_bot.heartbeat import POLLING, Heartbeats
from pes21_bot.jobs.outbox import deliver
from pes21_bot.services import events
from pes21_bot.services.bursts import FREE_PER_MINUTE
from pes21_bot.watchdog import Watchdog
from tests.e2e.flows import expect_question, start_path, submit_idea
from tests.e2e.outbox_helpers import APOLOGY, apologies, count, drained
from tests.e2e.test_outbox import ready_to_send
from tests.e2e.test_relay import relay_events
from tests.harness import OTHER_HOLDER_ID, Harness, running_bot
from tests.volunteers.helpers import CAMILLE

TOO_FAST = "plus vite que je ne peux répondre"
PRIVATE_ONLY = "écrivez-moi en privé"
PACED_GROUP, OTHER_GROUP = -100601, -100602


def processor(bot: Harness) -> PerChatUpdateProcessor:
    """The running bot's update processor."""
    assert bot.app is not None
    found = bot.app.update_processor
    assert isinstance(found, PerChatUpdateProcessor)
    return found


def stalled_nudges(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Free text (the menu nudge) waits until the returned event is set: a slow chat."""
    release = asyncio.Event()
    original = welcome.nudge

    async def slow(*args: object) -> None:
        await release.wait()
        await original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(welcome, "nudge", slow)
    return release


def frozen(bot: Harness, start: float = 1000.0) -> list[float]:
    """Freeze the processor's clock; the returned cell moves it."""
    moment = [start]
    processor(bot).now = lambda: moment[0]
    return moment


def too_fast_notices(user: FakeUser) -> int:
    """How many "too fast" notices this person got."""
    return sum(TOO_FAST in (m.text or "") for m in user.messages)


async def test_a_chat_waiting_for_itself_holds_no_slot_and_its_backlog_is_bounded(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    processor(bot).slots = 2  # two places for everyone, as 64 are under a flood
    release = stalled_nudges(monkeypatch)
    flooder, other = bot.holder(), bot.holder(OTHER_HOLDER_ID, "Inès")
    queued = processor(bot).pace.max_queued_per_chat
    for n in range(queued + 5):
        flooder.send_text(f"message {n}")
    await bot.settle()
    other.send_command("/aide")
    await other.expect("Voici ce que")  # while the flooder's chat is stuck
    await flooder.expect(TOO_FAST)  # what went beyond its backlog, said once
    release.set()
    await bot.settle()
    await bot.until(lambda: processor(bot).idle, "the flooder's backlog to be handled")
    assert too_fast_notices(flooder) == 1
    assert len(flooder.messages) == queued + 1  # each message taken answered, plus the notice
    assert apologies(bot, flooder, other) == []


async def test_a_person_beyond_the_pace_is_told_once_a_minute(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    moment = frozen(bot)
    holder = bot.holder()
    pace = 5  # a config.yaml asking for 5 a minute (the harness lifts the pace otherwise)
    processor(bot).pace = Pace(max_queued_per_chat=100, per_person_per_minute=pace)
    for _ in range(pace + 3):
        holder.send_command("/aide")
    await holder.expect(TOO_FAST)
    await bot.until(lambda: processor(bot).idle, "the commands to be handled")
    assert sum("Voici ce que" in (m.text or "") for m in holder.messages) == pace
    press = holder.press_raw("zz|1")  # a press beyond the pace still stops its spinner
    assert "Trop d'appuis" in await bot.button_answer(press)
    moment[0] += 61  # a minute later: taken again
    holder.send_command("/aide")
    await holder.expect("Voici ce que")
    assert too_fast_notices(holder) == 1


async def test_the_pace_is_read_from_config_yaml(sqlite_bot: Harness) -> None:
    fairness = Fairness(messages_per_minute=7, queued_per_chat=3)
    config = sqlite_bot.config.model_copy(update={"fairness": fairness})
    app = build_application(
        config,
        sqlite_bot.content,
        sqlite_bot.session_factory,
        token=sqlite_bot.api.token,
        request=FakeRequest(sqlite_bot.api),
        get_updates_request=FakeRequest(sqlite_bot.api),
    )
    built = app.update_processor
    assert isinstance(built, PerChatUpdateProcessor)
    assert built.pace == Pace(max_queued_per_chat=3, per_person_per_minute=7)


async def test_a_strangers_group_is_left_and_a_team_members_kept(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    stranger, camille = bot.holder(), bot.staff("Camille")
    theirs, ours = bot.api.group(-100501, "Chez moi"), bot.api.group(-100502, "Équipe Camille")
    stranger.add_bot(theirs)
    camille.add_bot(ours)
    await bot.settle()
    await bot.until(lambda: processor(bot).idle, "the additions to be handled")
    await bot.api.wait_for_call("leaveChat")
    assert bot.api.bot_left(theirs.chat_id) and not bot.api.bot_left(ours.chat_id)
    assert len(bot.api.calls_to("leaveChat")) == 1


async def test_an_acknowledgement_does_not_wait_behind_another_chats_429(bot: Harness) -> None:
    slowed, presser = bot.holder(), bot.holder(OTHER_HOLDER_ID, "Inès")
    bot.api.inject_fault("sendMessage", "429", retry_after=2, chat_id=slowed.id)
    slowed.send_command("/aide")
    await bot.api.wait_for_call("sendMessage")  # refused: its chat now waits 2 s
    press = presser.press_raw("zz|1")
    await bot.button_answer(press)
    assert slowed.messages == []  # the acknowledgement came first
    await slowed.expect("Voici ce que")


async def test_a_press_handled_past_telegrams_window_is_not_acknowledged(
    sqlite_bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = sqlite_bot
    moment = frozen(bot)
    release = stalled_nudges(monkeypatch)
    holder = bot.holder()
    holder.send_text("bonjour")  # the chat is busy with this one
    press = holder.press_raw("zz|1")
    await bot.settle()
    moment[0] += ACK_WINDOW + 1
    release.set()
    await holder.expect("")  # the nudge
    await bot.until(lambda: processor(bot).idle, "the press to be handled")
    query_id = press["callback_query"]["id"]
    assert [
        c
        for c in bot.api.calls_to("answerCallbackQuery")
        if c.params.get("callback_query_id") == query_id
    ] == []


async def test_a_failed_answer_is_retried_and_no_false_alarm(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    await start_path(holder, "💡 J'ai une idée de projet")
    bot.api.inject_fault("sendMessage", "500", times=2, chat_id=holder.id)
    holder.send_text("Zoé Martin")
    question = await expect_question(holder)
    assert "Question 2/" in (question.text or "")
    assert apologies(bot, holder) == []


@pytest.fixture
async def broken_database_bot(
    config: Config, content: Content, sqlite_db_url: str, clock: FakeClock
) -> AsyncIterator[tuple[Harness, Callable[[], None]]]:
    """A running bot whose database can be made to fail."""
    async with running_bot(config, content, sqlite_db_url, clock) as harness:
        assert harness.app is not None
        data = harness.app.bot_data

        original = data.session_factory

        class Stopped:
            """A session factory whose every connection is refused."""

            kw = original.kw

            def __call__(self) -> object:
                # What asyncpg raises when PostgreSQL is stopped (not wrapped by SQLAlchemy).
                raise ConnectionRefusedError(111, "Connect call failed")

        def fail() -> None:
            data.session_factory = Stopped()

        yield harness, fail


async def test_one_failing_update_gets_one_apology(
    broken_database_bot: tuple[Harness, Callable[[], None]],
) -> None:
    bot, fail = broken_database_bot
    holder = bot.holder()
    fail()
    holder.send_command("/suivi")
    await holder.expect(APOLOGY)
    await bot.until(lambda: processor(bot).idle, "the update to be handled")
    assert len(apologies(bot, holder)) == 1


async def test_a_slow_telegram_answer_is_not_delivered_twice(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder, camille = bot.holder(), bot.staff("Camille")
    draft = await ready_to_send(bot, holder)
    # Telegram takes longer than a reply's usual read time-out to confirm the card.
    bot.api.inject_fault("sendMessage", "slow", retry_after=6, chat_id=CAMILLE)
    holder.press_raw(buttons.RECAP.pack(draft, "send"))
    await camille.expect("PES-2026-0001", timeout=10)
    await drained(bot, within=10)
    sends = bot.api.calls_to("sendMessage")
    await bot.until(lambda: all(c.status is not None for c in sends), "the slow send", 10)
    assert count(bot, camille, "PES-2026-0001") == 1


async def test_after_the_watchdog_ended_a_stuck_run_the_admins_are_told_once(
    sqlite_bot: Harness, tmp_path: Path
) -> None:
    bot = sqlite_bot
    folder = tmp_path / "etat"
    moment, exits = [0.0], list[int]()
    guard = Watchdog(folder, {POLLING: 300.0}, lambda: True, lambda: moment[0], exits.append)
    moment[0] = 400.0
    assert guard.check() and exits  # no beat for 400 s: the run is ended, and marked
    bot.heartbeats = Heartbeats(folder, bot.clock)
    await bot.restart()
    admin = bot.admin()
    alert = await admin.expect("redémarré après un blocage")
    assert "6 minutes" in (alert.text or "")
    await bot.restart()
    await bot.settle()
    await bot.api.wait_for_call("getUpdates", count=len(bot.api.calls_to("getUpdates")) + 1)
    assert sum("redémarré" in (m.text or "") for m in admin.messages) == 1


async def test_a_holders_burst_reaches_the_team_bundled_and_every_message_is_kept(
    bot: Harness,
) -> None:
    holder, camille = bot.holder(), bot.staff("Camille")
    await submit_idea(holder)
    await camille.expect("PES-2026-0001")
    burst = [f"précision numéro {n}" for n in range(10)]
    for text in burst:
        holder.send_text(text)
    holder.send_command("/aide")  # answered once every message before it was handled
    await holder.expect("Voici ce que")
    await camille.expect(burst[FREE_PER_MINUTE - 1])  # the first few, one by one
    await drained(bot)
    assert bot.app is not None
    assert await deliver(bot.app) == 0  # the rest waits for its minute
    bot.clock.advance(timedelta(minutes=1))
    assert await deliver(bot.app) == 1
    bundle = await camille.expect("regroupés")
    assert all(text in (bundle.text or "") for text in burst[FREE_PER_MINUTE:])
    relayed = [m for m in camille.messages if "précision" in (m.text or "")]
    assert len(relayed) == FREE_PER_MINUTE + 1
    assert relayed[-1].buttons[0] == ["↩️ Répondre"]  # answered like any relayed message
    stored = [e for e in await relay_events(bot) if e.kind == events.HOLDER_MESSAGE]
    assert [e.data["text"] for e in stored] == burst


@pytest.fixture
async def two_groups_bot(
    config: Config, content: Content, app_db_url: str, clock: FakeClock
) -> AsyncIterator[Harness]:
    """The bot with two programmes' team groups."""
    programmes = dict(config.programmes)
    for programme, group in [
        (Programme.BENEFICES_CREA, PACED_GROUP),
        (Programme.ACCUEIL_AMONT, OTHER_GROUP),
    ]:
        programmes[programme] = programmes[programme].model_copy(update={"group_chat_id": group})
    grouped = config.model_copy(update={"programmes": programmes})
    async with running_bot(grouped, content, app_db_url, clock) as harness:
        yield harness


async def test_a_groups_429_delays_only_that_groups_messages(two_groups_bot: Harness) -> None:
    bot = two_groups_bot
    paced = bot.api.group(PACED_GROUP, "Équipe Bénéfices'Créa")
    other = bot.api.group(OTHER_GROUP, "Équipe Accueil amont")
    camille, holder = bot.staff("Camille"), bot.holder()
    # Telegram's per-group pace: this group must wait 2 s before its next message.
    bot.api.inject_fault("sendMessage", "429", retry_after=2, chat_id=PACED_GROUP)
    camille.send_command("/aide", chat=paced)
    await bot.api.wait_for_call("sendMessage")  # refused: only this group now waits
    camille.send_command("/aide", chat=other)
    holder.send_command("/aide")
    await other.expect(PRIVATE_ONLY)
    await holder.expect("Voici ce que")
    assert paced.messages == []  # the other chats were answered before it
    await paced.expect(PRIVATE_ONLY)
    assert len(paced.messages) == 1
