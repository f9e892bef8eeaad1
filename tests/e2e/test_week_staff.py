"""Staff's week without a stumble: the dossier panel's sub-menus."""

from __future__ import annotations

from tests.e2e.flows import submit_idea
from tests.harness import Harness


async def test_back_from_close_on_a_panel_keeps_the_panel(bot: Harness) -> None:
    await submit_idea(bot.holder())
    camille = bot.staff("Camille")
    await camille.expect("PES-2026-0001")
    camille.send_command("/dossier", "PES-2026-0001")
    panel = await camille.expect("📁 PES-2026-0001")
    before = panel.buttons
    camille.press("🔒 Clore", message=panel)
    await bot.until(
        lambda: bot.api.bot_message(camille.id, panel.message_id).buttons != before,
        "the close reasons",
    )
    camille.press("⬅️ Retour", message=panel)
    await bot.until(
        lambda: bot.api.bot_message(camille.id, panel.message_id).buttons == before,
        "the panel's own buttons again (Réponses, Historique, Messages)",
    )
