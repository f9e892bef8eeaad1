"""/start for the Pôle's team: their own menu, not counted as a holder's first contact."""

from __future__ import annotations

from pes21_bot.services import events
from tests.e2e.flows import submit_idea
from tests.harness import Harness


async def test_staff_start_shows_their_menu_and_is_not_a_first_contact(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    await submit_idea(bot.holder())
    starts = await bot.count_events(events.BOT_STARTED)
    camille = bot.staff("Camille")
    await camille.expect("PES-2026-0001")
    camille.send_command("/start")
    menu = await camille.expect("Vous êtes dans l'équipe du Pôle")
    assert "1 dossier à traiter" in (menu.text or "")
    assert "J'ai une idée de projet" not in str(menu.buttons)
    assert ["📂 Dossiers à traiter"] in menu.buttons and ["📊 Statistiques"] in menu.buttons
    assert await bot.count_events(events.BOT_STARTED) == starts
    camille.press("📂 Dossiers à traiter", message=menu)
    listing = await camille.expect("Vos dossiers ouverts")
    assert "PES-2026-0001" in str(listing.buttons)
    camille.press("📊 Statistiques", message=menu)
    await camille.expect("Statistiques")


async def test_admin_start_offers_statistics_but_no_dossier_list(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    admin = bot.admin()
    admin.send_command("/start")
    menu = await admin.expect("Vous êtes dans l'équipe du Pôle")
    assert ["📊 Statistiques"] in menu.buttons
    assert ["📂 Dossiers à traiter"] not in menu.buttons
    assert await bot.count_events(events.BOT_STARTED) == 0
    admin.press("👀 Voir le menu des porteurs de projet", message=menu)
    holders = await admin.expect("Choisissez ci-dessous")
    assert ["💡 J'ai une idée de projet"] in holders.buttons


async def test_a_holder_cannot_use_the_team_menu_buttons(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    press = holder.press_raw("tmn:stats")
    assert "réservée" in await sqlite_bot.button_answer(press)
