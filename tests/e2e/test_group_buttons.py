"""Buttons in a group chat: only staff cards act there; the bot stores nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from pes21_bot import buttons
from pes21_bot.clock import FakeClock
from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.db.models import Person
from pes21_bot.domain.vocabulary import Programme
from pes21_bot.services import events
from tests.e2e.outbox_helpers import send_cards
from tests.harness import Harness, running_bot
from tests.volunteers.helpers import seed_project

GROUP = -100777


async def people(bot: Harness) -> int:
    """How many people rows exist."""
    async with bot.session_factory() as session:
        return int((await session.execute(select(func.count()).select_from(Person))).scalar_one())


@pytest.mark.parametrize(
    "data",
    [
        buttons.MENU.pack("idea", "-"),
        buttons.CONSENT.pack("idea", "yes", "-"),
        buttons.MENU.pack("faq", "-"),
        buttons.PROFILE.pack("pause"),
        buttons.ERASE.pack("yes"),
    ],
)
async def test_forged_private_buttons_in_a_group_store_nothing(
    sqlite_bot: Harness, data: str
) -> None:
    bot = sqlite_bot
    group = bot.api.group(-100123, "Habitant·es du quartier")
    holder = bot.holder()
    before = await people(bot)
    press = holder.press_raw(data, chat=group)
    assert "écrivez-moi en privé" in await bot.button_answer(press)
    await bot.settle()
    assert group.unread() == []
    assert await bot.projects() == []
    assert await people(bot) == before


@pytest.fixture
async def group_bot(
    config: Config, content: Content, sqlite_db_url: str, clock: FakeClock
) -> AsyncIterator[Harness]:
    """The bot with Bénéfices'Créa's cards going to the programme's group chat."""
    programme = config.programmes[Programme.BENEFICES_CREA].model_copy(
        update={"group_chat_id": GROUP}
    )
    grouped = config.model_copy(
        update={"programmes": {**config.programmes, Programme.BENEFICES_CREA: programme}}
    )
    async with running_bot(grouped, content, sqlite_db_url, clock) as harness:
        yield harness


async def test_staff_card_in_a_programme_group_still_works(group_bot: Harness) -> None:
    bot = group_bot
    group = bot.api.group(GROUP, "Équipe Bénéfices'Créa")
    bot.holder()
    project = await seed_project(bot, owner_id=None)
    await send_cards(bot, project)
    card = await group.expect(project.reference or "")
    press = bot.staff("Camille").press_raw(
        buttons.CLAIM.pack(project.id), card.message_id, chat=group
    )
    assert "est à vous" in await bot.button_answer(press)
    await bot.until(
        lambda: "Pris en charge par" in (bot.api.bot_message(GROUP, card.message_id).text or ""),
        "the group card to show the owner",
    )
    assert await bot.count_events(events.CLAIMED) == 1
