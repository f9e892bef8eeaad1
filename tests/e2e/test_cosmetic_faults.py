"""A time-out or a 5xx on a button's acknowledgement or edits, and a double press, change nothing.

For every button family: the first answerCallbackQuery, editMessageReplyMarkup and
editMessageText of the press fail (time-out, or 500), and the button is pressed twice before the
bot handles the first press. The state change is recorded once, nobody sees an apology, and no
message is sent twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from pes21_bot import buttons
from pes21_bot.db.models import Person, Project
from pes21_bot.fake_telegram import FakeUser
from pes21_bot.services import events
from tests.e2e.outbox_helpers import apologies, count, drained, send_cards
from tests.harness import HOLDER_ID, Harness
from tests.volunteers.helpers import (
    CAMILLE,
    end_by_service,
    events_of,
    review,
    seed_project,
    seed_volunteer,
)

REMI = 3001
COSMETIC = ("answerCallbackQuery", "editMessageReplyMarkup", "editMessageText")


@dataclass
class Press:
    """Who presses what (on which message), and what must hold once, afterwards."""

    user: FakeUser
    data: str
    message_id: int | None
    check: Callable[[], Awaitable[None]]
    watched: tuple[FakeUser, ...] = ()


async def _hello(bot: Harness, user: FakeUser) -> int:
    """Give the user a bot message to press on (a forged button rides on it)."""
    user.send_command("/aide")
    return (await user.expect("Voici ce que")).message_id


async def _card(bot: Harness) -> tuple[Project, int]:
    bot.holder()
    project = await seed_project(bot, owner_id=None)
    await send_cards(bot, project)
    card = await bot.staff("Camille").expect(project.reference or "")
    return project, card.message_id


async def _project(bot: Harness, project_id: int) -> Project:
    async with bot.session_factory() as session:
        found = await session.get(Project, project_id)
        assert found is not None
        return found


async def claim(bot: Harness) -> Press:
    project, card = await _card(bot)
    holder = bot.holder()

    async def check() -> None:
        assert (await _project(bot, project.id)).status == "claimed"
        assert await bot.count_events(events.CLAIMED) == 1
        assert count(bot, holder, "est pris en charge par") == 1

    return Press(bot.staff("Camille"), buttons.CLAIM.pack(project.id), card, check, (holder,))


async def close(bot: Harness) -> Press:
    project, card = await _card(bot)
    holder = bot.holder()

    async def check() -> None:
        assert (await _project(bot, project.id)).status == "closed"
        assert await bot.count_events(events.CLOSED) == 1
        assert count(bot, holder, "est clos") == 1

    return Press(
        bot.staff("Camille"), buttons.CLOSE.pack(project.id, "duplicate"), card, check, (holder,)
    )


async def redirect(bot: Harness) -> Press:
    project, card = await _card(bot)
    holder, karim = bot.holder(), bot.staff("Karim")

    async def check() -> None:
        assert (await _project(bot, project.id)).programme == "dla"
        assert await bot.count_events(events.REDIRECTED) == 1
        assert count(bot, karim, project.reference or "") == 1
        assert count(bot, holder, "maintenant confié") == 1

    return Press(
        bot.staff("Camille"), buttons.REDIRECT.pack(project.id, "dla"), card, check, (holder, karim)
    )


async def card_menu(bot: Harness) -> Press:
    project, card = await _card(bot)

    async def check() -> None:
        assert (await _project(bot, project.id)).status == "routed"

    return Press(bot.staff("Camille"), buttons.REDIRECT_MENU.pack(project.id), card, check)


async def _reviews(bot: Harness) -> tuple[int, FakeUser]:
    project = await seed_project(bot)
    await seed_volunteer(bot, REMI, "Rémi")
    await seed_volunteer(bot, 3002, "Sara")
    scheduled = await end_by_service(bot, project, date(2026, 3, 10))
    return scheduled[0].id, bot.api.user(REMI)


async def snooze(bot: Harness) -> Press:
    review_id, remi = await _reviews(bot)
    message = await _hello(bot, remi)

    async def check() -> None:
        assert len(await events_of(bot, events.REVIEW_SNOOZED)) == 1

    return Press(remi, buttons.REVIEW.pack("snooze", review_id), message, check)


async def decline(bot: Harness) -> Press:
    review_id, remi = await _reviews(bot)
    message = await _hello(bot, remi)
    camille = bot.staff("Camille")

    async def check() -> None:
        assert len(await events_of(bot, events.REVIEW_DECLINED)) == 1
        assert (await review(bot, review_id)).assignee_id != (await _person(bot, REMI)).id
        assert count(bot, camille, "ne peut plus être fait par Rémi") == 1

    return Press(remi, buttons.REVIEW.pack("decline", review_id), message, check, (camille,))


async def _person(bot: Harness, telegram_id: int) -> Person:
    async with bot.session_factory() as session:
        result = await session.execute(select(Person).where(Person.telegram_id == telegram_id))
        return result.scalar_one()


async def remove_volunteer(bot: Harness) -> Press:
    sara = await seed_volunteer(bot, 3002, "Sara")
    admin = bot.admin()
    admin.send_command("/retirer")
    message = await admin.expect("Qui souhaitez-vous retirer")
    volunteer = bot.api.user(3002)

    async def check() -> None:
        assert len(await events_of(bot, events.VOLUNTEER_REMOVED)) == 1
        assert count(bot, volunteer, "participation comme bénévole") == 1

    return Press(
        admin, buttons.REMOVE_CONFIRM.pack(sara.id, "yes"), message.message_id, check, (volunteer,)
    )


async def erase(bot: Harness) -> Press:
    holder = bot.holder()
    await seed_project(bot, owner_id=CAMILLE)
    holder.send_command("/supprimer")
    message = await holder.expect("effacer")

    async def check() -> None:
        async with bot.session_factory() as session:
            found = await session.execute(select(Person).where(Person.telegram_id == HOLDER_ID))
            assert found.scalar_one_or_none() is None
        assert count(bot, camille, "a été effacé à la demande") == 1

    camille = bot.staff("Camille")
    return Press(holder, buttons.ERASE.pack("yes"), message.message_id, check, (camille,))


async def welcome_menu(bot: Harness) -> Press:
    holder = bot.holder()
    holder.send_command("/start")
    message = await holder.expect("Bienvenue")

    async def check() -> None:
        async with bot.session_factory() as session:
            found = await session.execute(select(Person).where(Person.telegram_id == HOLDER_ID))
            assert found.scalar_one_or_none() is None  # the FAQ stores nothing

    return Press(holder, buttons.MENU.pack("faq", "-"), message.message_id, check)


FAMILIES = {
    "claim": claim,
    "close": close,
    "redirect": redirect,
    "card_menu": card_menu,
    "review_snooze": snooze,
    "review_decline": decline,
    "remove_volunteer": remove_volunteer,
    "erase": erase,
    "welcome_menu": welcome_menu,
}


@pytest.mark.parametrize("kind", ["timeout", "500"])
@pytest.mark.parametrize("family", list(FAMILIES))
async def test_failed_cosmetics_and_double_press_change_state_once(
    sqlite_bot: Harness, family: str, kind: str
) -> None:
    bot = sqlite_bot
    press = await FAMILIES[family](bot)
    await drained(bot)
    for method in COSMETIC:
        bot.api.inject_fault(method, kind)  # type: ignore[arg-type]
    first = press.user.press_raw(press.data, message_id=press.message_id)
    second = press.user.press_raw(press.data, message_id=press.message_id)
    await bot.button_answer(second)  # the second press is answered, whatever became of the first
    await drained(bot)
    await press.check()
    assert apologies(bot, press.user, *press.watched) == []
    failed = [c for c in bot.api.calls_to("answerCallbackQuery") if c.status in (0, 500)]
    assert len(failed) == 1  # the fault did hit the first press
    assert first["callback_query"]["id"] != second["callback_query"]["id"]


async def test_a_button_on_a_message_gone_answers_anew(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    press = holder.press_raw(
        buttons.MENU.pack("faq", "-"), message_id=424242
    )  # "message to edit not found"
    await sqlite_bot.button_answer(press)
    await holder.expect("Choisissez une question")
    assert apologies(sqlite_bot, holder) == []
