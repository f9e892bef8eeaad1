"""The outbox: a submitted dossier always reaches staff, once, whatever Telegram answers."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any, cast

import pytest
from telegram.ext import CallbackContext

from pes21_bot import buttons
from pes21_bot.context import Context
from pes21_bot.db.models import OutboxMessage, Project
from pes21_bot.fake_telegram import ApiError, FakeUser
from pes21_bot.jobs.outbox import deliver, sweep
from pes21_bot.services import events, intake, outbox
from pes21_bot.services.people import UserInfo
from tests.e2e.outbox_helpers import apologies, cards, count, drained, rows, send_cards
from tests.e2e.test_group_buttons import GROUP, group_bot  # noqa: F401 - fixture
from tests.harness import Harness
from tests.volunteers.helpers import CAMILLE, IDEA_ANSWERS, seed_project

CONFIRMATION = "Votre dossier est enregistré"
CLAIM = "✋ Je prends"


async def ready_to_send(bot: Harness, user: FakeUser) -> int:
    """A holder whose draft has every answer: only "Envoyer" is left. Returns the draft id."""
    async with bot.session_factory.begin() as session:
        draft = await intake.begin(
            session, UserInfo(user.id, user.first_name), "idea", None, bot.clock.now()
        )
        draft.answers = dict(IDEA_ANSWERS)
        return draft.id


def live_claims(bot: Harness, chat_id: int, reference: str) -> int:
    """Messages of a chat showing this project with a live "Je prends" button."""
    return sum(
        reference in (m.text or "") and CLAIM in str(m.buttons) for m in bot.api.messages(chat_id)
    )


async def test_failed_sends_are_retried_and_each_delivered_once(bot: Harness) -> None:
    holder, camille = bot.holder(), bot.staff("Camille")
    draft = await ready_to_send(bot, holder)
    bot.api.inject_fault("sendMessage", "500", chat_id=CAMILLE)
    bot.api.inject_fault("sendMessage", "429", chat_id=holder.id, retry_after=1)
    holder.press_raw(buttons.RECAP.pack(draft, "send"))
    await holder.expect(CONFIRMATION)
    card = await camille.expect("PES-2026-0001")
    await drained(bot)
    assert count(bot, holder, CONFIRMATION) == 1
    assert count(bot, camille, "PES-2026-0001") == 1
    assert [(c.chat_id, c.message_id) for c in await cards(bot, draft)] == [
        (CAMILLE, card.message_id)
    ]
    assert {r.state for r in await rows(bot)} == {outbox.SENT}
    assert apologies(bot, holder, camille) == []


async def test_a_send_that_keeps_failing_waits_for_the_sweep(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder, camille = bot.holder(), bot.staff("Camille")
    draft = await ready_to_send(bot, holder)
    bot.api.inject_fault("sendMessage", "500", times=3, chat_id=CAMILLE)
    holder.press_raw(buttons.RECAP.pack(draft, "send"))
    await holder.expect(CONFIRMATION)  # the card's failures hold nothing else
    await drained(bot)
    (card_row,) = [r for r in await rows(bot) if r.kind == outbox.CARD]
    assert (card_row.state, card_row.attempts) == (outbox.PENDING, 1)
    assert bot.app is not None
    assert await deliver(bot.app) == 0  # not due yet
    bot.clock.advance(timedelta(seconds=10))
    assert await deliver(bot.app) == 1
    await camille.expect("PES-2026-0001")
    assert count(bot, camille, "PES-2026-0001") == 1


async def test_rows_left_by_a_crash_are_sent_by_the_sweep(bot: Harness) -> None:
    camille = bot.staff("Camille")
    bot.holder()
    project = await seed_project(bot, owner_id=None)
    now = bot.clock.now()
    async with bot.session_factory.begin() as session:
        fresh = await session.get(Project, project.id)
        assert fresh is not None
        # Committed with the change, never kicked: the process died right after the commit.
        outbox.add_card(session, fresh, CAMILLE, now)
        stuck = outbox.add_message(session, CAMILLE, "Message en cours d'envoi", now)
        await session.flush()
        stuck.state, stuck.claimed_by, stuck.claimed_at = outbox.SENDING, "dead", now
    assert bot.app is not None
    assert await deliver(bot.app) == 1  # the card; the claimed row is still leased
    await camille.expect(project.reference or "")
    bot.clock.advance(outbox.LEASE + timedelta(seconds=1))
    assert await deliver(bot.app) == 1
    await camille.expect("Message en cours d'envoi")
    assert await deliver(bot.app) == 0


async def test_an_unreachable_group_falls_back_to_the_programme_staff(
    group_bot: Harness,  # noqa: F811 - the fixture
) -> None:
    bot = group_bot
    bot.api.group(GROUP, "Équipe Bénéfices'Créa")
    bot.api.inject_fault("sendMessage", "403", chat_id=GROUP)
    bot.holder()
    project = await seed_project(bot, owner_id=None)
    await send_cards(bot, project)
    await bot.staff("Camille").expect(project.reference or "")
    states = {r.chat_id: r.state for r in await rows(bot)}
    assert states == {GROUP: outbox.UNDELIVERABLE, CAMILLE: outbox.SENT}


async def test_a_card_delivered_despite_a_timeout_is_brought_up_to_date(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    holder, camille = bot.holder(), bot.staff("Camille")
    draft = await ready_to_send(bot, holder)
    bot.api.inject_fault("sendMessage", "late", chat_id=CAMILLE)  # delivered, answer lost
    holder.press_raw(buttons.RECAP.pack(draft, "send"))
    await holder.expect(CONFIRMATION)
    ghost = await camille.expect("PES-2026-0001")
    resent = await camille.expect("PES-2026-0001")
    await drained(bot)
    assert [c.message_id for c in await cards(bot, draft)] == [resent.message_id]
    # Camille presses the older copy: the claim counts once, and that copy is now followed too.
    press = camille.press_raw(buttons.CLAIM.pack(draft), message_id=ghost.message_id)
    assert "est à vous" in await bot.button_answer(press)
    await bot.until(
        lambda: all(
            "Pris en charge par" in (bot.api.bot_message(CAMILLE, m).text or "")
            for m in (ghost.message_id, resent.message_id)
        ),
        "both copies to show the owner",
    )
    assert live_claims(bot, CAMILLE, "PES-2026-0001") == 0
    assert sorted(c.message_id for c in await cards(bot, draft)) == sorted(
        [ghost.message_id, resent.message_id]
    )
    again = camille.press_raw(buttons.CLAIM.pack(draft), message_id=ghost.message_id)
    assert "Camille" in await bot.button_answer(again)  # already taken, by her
    assert await bot.count_events(events.CLAIMED) == 1
    await holder.expect("est pris en charge par")
    assert apologies(bot, holder, camille) == []


async def test_with_one_send_in_five_faulted_every_dossier_reaches_staff_once(
    sqlite_bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = sqlite_bot
    camille = bot.staff("Camille")
    holders = [bot.holder(6000 + i, f"Porteur{i}") for i in range(12)]
    drafts = [await ready_to_send(bot, h) for h in holders]
    rng = random.Random(21)
    original = bot.api._apply_fault

    def faulty(method: str, params: dict[str, Any]) -> bool:
        if method == "sendMessage" and rng.random() < 0.2:
            kind = rng.choice(["429", "500", "late"])
            if kind == "429":
                raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            if kind == "500":
                raise ApiError(500, "Internal Server Error")
            return True
        return original(method, params)

    monkeypatch.setattr(bot.api, "_apply_fault", faulty)
    for holder, draft in zip(holders, drafts, strict=True):
        holder.press_raw(buttons.RECAP.pack(draft, "send"))
    await bot.settle()
    await drained(bot, within=15.0)
    monkeypatch.setattr(bot.api, "_apply_fault", original)
    faulted = [c.status for c in bot.api.calls_to("sendMessage") if c.status != 200]
    assert {0, 429, 500} <= set(faulted), faulted  # late, flood and server errors all happened
    assert bot.app is not None
    for _ in range(6):  # what the quick retries left: the periodic sweep, clock moved on
        bot.clock.advance(timedelta(minutes=5))
        await deliver(bot.app)
    submitted = [p for p in await bot.projects() if p.reference is not None]
    assert len(submitted) == len(holders)
    for project in submitted:
        recorded = await cards(bot, project.id)
        assert [c.chat_id for c in recorded] == [CAMILLE], project.reference
        assert live_claims(bot, CAMILLE, project.reference or "") >= 1
    unsent = [r for r in await rows(bot) if r.state != outbox.SENT]
    assert unsent == []
    for holder in holders:
        assert count(bot, holder, CONFIRMATION) >= 1
    assert apologies(bot, camille, *holders) == []
    # Every copy of every card acts once: press them all, each project is claimed once and no
    # copy is left with a live "Je prends".
    for message in [m for m in bot.api.messages(CAMILLE) if CLAIM in str(m.buttons)]:
        project_id = next(p.id for p in submitted if (p.reference or "") in (message.text or ""))
        await bot.button_answer(
            camille.press_raw(buttons.CLAIM.pack(project_id), message.message_id)
        )
    await bot.settle()
    assert await bot.count_events(events.CLAIMED) == len(holders)
    await bot.until(
        lambda: all(live_claims(bot, CAMILLE, p.reference or "") == 0 for p in submitted),
        "no live claim button",
    )


async def test_outbox_rows_of_an_erased_person_are_dropped(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    now = bot.clock.now()
    async with bot.session_factory.begin() as session:
        outbox.add_message(session, holder.id, "Bonne nouvelle", now + timedelta(hours=1))
        row = await session.get(OutboxMessage, 1)
        assert row is not None
        row.due_at = now + timedelta(hours=1)
    holder.send_command("/supprimer")
    await holder.expect("effacer")
    holder.press_raw(buttons.ERASE.pack("yes"))
    await holder.expect("effacées")
    (row,) = await rows(bot)
    assert (row.state, row.payload) == (outbox.FAILED, {})


async def test_one_chat_gets_its_messages_in_order_and_old_rows_are_purged(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    now = bot.clock.now()
    async with bot.session_factory.begin() as session:
        for number in range(1, 6):
            outbox.add_message(session, holder.id, f"Message n°{number}", now)
    assert bot.app is not None
    assert await deliver(bot.app) == 5
    texts = [m.text for m in bot.api.messages(holder.id)]
    assert texts == [f"Message n°{n}" for n in range(1, 6)]
    assert all(r.payload == {} for r in await rows(bot))  # what was said is not kept twice
    bot.clock.advance(timedelta(days=31))
    await sweep(cast(Context, CallbackContext(bot.app)))
    assert await rows(bot) == []
