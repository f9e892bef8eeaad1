"""Staff's week without a stumble: the dossier panel's sub-menus."""

from __future__ import annotations

import re

from pes21_bot.fake_telegram import BotMessage, FakeUser
from tests.e2e.flows import MATURE_IDEA, expect_question, submit_idea
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


async def _recording_until_consent(camille: FakeUser) -> BotMessage:
    camille.send_command("/nouveau_dossier")
    await camille.expect("Quel dossier enregistrez-vous")
    camille.press("Idée de projet")
    await expect_question(camille)  # the source
    camille.press("📞 Téléphone")
    first_contact = await expect_question(camille)
    assert ["Passer"] not in first_contact.buttons  # "Aujourd'hui" says it already
    camille.press("Aujourd'hui")
    return await expect_question(camille)


async def test_recording_a_dossier_speaks_of_the_person(bot: Harness) -> None:
    camille = bot.staff("Camille")
    consent = await _recording_until_consent(camille)
    assert consent.buttons == [["Oui", "Non"]]
    camille.send_text("oui")
    await expect_question(camille)  # the consent's date
    camille.press("Passer")
    asked = [await expect_question(camille)]
    for kind, value in MATURE_IDEA:
        if kind == "toggle":
            camille.press(value)
            await camille.next_message()
            continue
        camille.press(value) if kind == "press" else camille.send_text(value)
        asked.append(await expect_question(camille))
    recap = asked.pop()
    questions = [q.content for q in asked]
    assert not [q for q in questions if re.search(r"\b(vous|votre|vos)\b", q, re.IGNORECASE)]
    assert not [q for q in questions if "bouton en bas" in q]
    assert "Date de l'accord : 10/03/2026" in recap.content  # "Passer": the first contact's day


async def test_no_oral_consent_drops_the_recording_and_says_what_next(bot: Harness) -> None:
    camille = bot.staff("Camille")
    await _recording_until_consent(camille)
    camille.send_text("non")
    told = await camille.expect("Sans l'accord de la personne")
    assert "/nouveau_dossier" in told.content
    assert all(p.status != "draft" for p in await bot.projects())
