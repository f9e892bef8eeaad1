"""Deep-link sources: kept through the menu, never stored as a marker, staff not counted."""

from __future__ import annotations

from pes21_bot.services import events
from tests.e2e.flows import MATURE_IDEA, answer, expect_question, start_path
from tests.harness import Harness


def lines_of(text: str | None) -> list[str]:
    """The lines of a message."""
    return (text or "").splitlines()


async def test_source_survives_the_menu_and_the_faq(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    holder.send_command("/start", "qr_salon")
    await holder.expect("Bienvenue")
    holder.press("❓ Questions fréquentes")
    await holder.expect("Choisissez une question")
    holder.press(bot.content.faq[0].question)
    await holder.expect(bot.content.faq[0].question)
    holder.press("⬅️ Menu")
    await holder.expect("Que souhaitez-vous faire")
    holder.press("📅 Prochains ateliers")
    await holder.expect("atelier")
    holder.press("⬅️ Menu")
    await holder.expect("Que souhaitez-vous faire")
    holder.press("💡 J'ai une idée de projet")
    await holder.expect("Acceptez-vous")
    holder.press("✅ J'accepte")
    await expect_question(holder)
    await answer(holder, MATURE_IDEA)
    holder.press("📨 Envoyer")
    await holder.expect("PES-2026-0001")
    (project,) = await bot.projects()
    assert project.source == "qr_salon"


async def test_no_source_is_stored_as_nothing_and_staff_starts_are_not_counted(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    await start_path(holder, "💡 J'ai une idée de projet")
    await answer(holder, MATURE_IDEA)
    holder.press("📨 Envoyer")
    await holder.expect("PES-2026-0001")
    (project,) = await bot.projects()
    assert project.source is None

    for user in (bot.staff("Camille"), bot.admin()):
        user.send_command("/start")
        await user.next_message()
    assert await bot.count_events(events.BOT_STARTED) == 1

    admin = bot.admin()
    admin.send_command("/stats")
    origins = await admin.expect("D'où viennent")
    lines = lines_of(origins.text)
    assert not any(line.startswith("• - :") for line in lines)
    assert "• Sans paramètre (lien direct) : 1 premier contact, 1 dossier accueilli" in lines
