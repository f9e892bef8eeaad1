"""/dossiers and /dossier on a phone: a button per dossier, a short panel, answers and history."""

from __future__ import annotations

from datetime import date

from tests.e2e.flows import submit_idea
from tests.harness import Harness
from tests.volunteers.helpers import end_by_service, seed_project, seed_volunteer


async def test_dossiers_offers_a_button_per_dossier_that_opens_its_panel(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    await submit_idea(bot.holder())
    camille = bot.staff("Camille")
    await camille.expect("PES-2026-0001")
    camille.send_command("/dossiers")
    listing = await camille.expect("Vos dossiers ouverts")
    assert listing.buttons == [["PES-2026-0001 · Bénéfices'Créa · en attente de prise en charge"]]
    camille.press("PES-2026-0001 · Bénéfices'Créa · en attente de prise en charge")
    panel = await camille.expect("📁 PES-2026-0001 · Bénéfices'Créa")
    text = panel.text or ""
    assert "État : en attente de prise en charge" in text and "Envoyé le " in text
    assert "Zoé" not in text  # the answers wait behind their button
    assert ["📋 Réponses", "🕓 Historique", "💬 Messages"] in panel.buttons

    camille.press("📋 Réponses", message=panel)
    await bot.until(
        lambda: "Zoé Martin" in (bot.api.bot_message(camille.id, panel.message_id).text or ""),
        "the panel to show the answers",
    )
    camille.press("⬅️ Retour au dossier", message=panel)
    await bot.until(
        lambda: "Suivi par" in (bot.api.bot_message(camille.id, panel.message_id).text or ""),
        "the panel's summary again",
    )


async def test_a_waiting_dossier_is_taken_from_its_panel(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    await submit_idea(holder)
    camille = bot.staff("Camille")
    card = await camille.expect("PES-2026-0001")
    camille.send_command("/dossiers")
    listing = await camille.expect("Vos dossiers ouverts")
    label = "PES-2026-0001 · Bénéfices'Créa · en attente de prise en charge"
    camille.press(label, message=listing)
    panel = await camille.expect("📁 PES-2026-0001 · Bénéfices'Créa")
    assert ["✋ Je prends"] in panel.buttons
    camille.press("✋ Je prends", message=panel)
    await holder.expect("pris en charge par Camille")
    (project,) = await bot.projects()
    assert project.status == "claimed"
    await bot.until(
        lambda: (
            "Suivi par : Camille" in (bot.api.bot_message(camille.id, panel.message_id).text or "")
        ),
        "the panel to show who follows the dossier",
    )
    assert "Pris en charge par Camille" in (
        bot.api.bot_message(camille.id, card.message_id).text or ""
    )


async def test_history_names_the_step_and_hides_technical_rows(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    project = await seed_project(bot)
    reference = project.reference or ""
    camille = bot.staff("Camille")
    camille.send_command("/dossier", reference)
    panel = await camille.expect("Suivi par : Camille")
    camille.press("🧭 Accompagnement", message=panel)
    await camille.expect(f"Accompagnement de {reference}")
    camille.press("📍 Noter une étape")
    await camille.expect("Quelle étape")
    camille.press("Étude de faisabilité")
    await camille.expect("À quelle date cette étape")
    camille.send_text("05/03/2026")
    saved = await camille.expect("Étape notée")
    assert ["⬅️ Retour au dossier"] in saved.buttons

    camille.press("⬅️ Retour au dossier", message=saved)
    panel = await camille.expect("Suivi par : Camille")
    camille.press("🕓 Historique", message=panel)
    history = await camille.expect("Historique")
    text = history.text or ""
    assert "étape notée : Étude de faisabilité (05/03/2026) (Camille)" in text
    assert "orienté : Bénéfices'Créa" in text
    assert "(—)" not in text and "bilan prévu" not in text and "premier contact" not in text


async def test_history_says_to_whom_a_review_was_given(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    project = await seed_project(bot)
    await seed_volunteer(bot, 6012, "Wendy", ("reviews",))
    await end_by_service(bot, project, date(2026, 3, 10))
    camille = bot.staff("Camille")
    camille.send_command("/dossier", project.reference or "")
    panel = await camille.expect("Suivi par : Camille")
    camille.press("🕓 Historique", message=panel)
    text = (await camille.expect("Historique")).text or ""
    assert "bilan confié : Wendy" in text


async def test_an_erased_dossier_says_its_data_were_erased(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    await submit_idea(holder)
    camille = bot.staff("Camille")
    await camille.expect("PES-2026-0001")
    holder.send_command("/supprimer")
    await holder.expect("Voulez-vous vraiment effacer")
    holder.press("Oui, tout effacer")
    await holder.expect("vos données personnelles sont effacées")
    camille.send_command("/dossier", "PES-2026-0001")
    panel = await camille.expect("Suivi par")
    assert "données de ce dossier ont été effacées" in (panel.text or "")
    assert ["🕓 Historique", "💬 Messages"] in panel.buttons  # no empty answers to open
