"""The closure form's "Question n/N": n goes up one by one, N counts the questions now visible."""

from __future__ import annotations

import re
from datetime import date

from pes21_bot.fake_telegram import BotMessage
from tests.harness import Harness
from tests.volunteers.helpers import end_by_service, seed_project, seed_volunteer
from tests.volunteers.test_accompaniment import open_menu


def counter(message: BotMessage) -> tuple[int, int]:
    """The "Question n/N" of a question."""
    found = re.search(r"Question (\d+)/(\d+)", message.text or "")
    assert found is not None, message.text
    return int(found.group(1)), int(found.group(2))


async def test_closure_form_counter_does_not_jump(sbot: Harness) -> None:
    project = await seed_project(sbot)
    reference = project.reference or ""
    camille = sbot.staff("Camille")
    await open_menu(sbot, "Camille", reference)
    camille.press("▶️ Démarrer l'accompagnement")
    await camille.expect("À quelle date l'accompagnement a-t-il commencé")
    camille.press("Aujourd'hui (10/03/2026)")
    await camille.expect("Démarré le 10/03/2026")
    await open_menu(sbot, "Camille", reference)
    camille.press("🏁 Clore l'accompagnement")
    seen = [counter(await camille.expect("Comment se termine"))]
    steps = [
        ("press", "Structure créée", "forme juridique"),
        ("press", "SCOP", "la structure a-t-elle été créée"),
        ("text", "01/03/2026", "nom de la structure"),
        ("text", "La Recyclerie du Port", "Combien d'emplois"),
        ("text", "2 emplois", "Quel est le contrat"),
        ("press", "CDI", "temps plein ou à temps partiel"),
        ("press", "Temps plein", "d'autres emplois"),
        ("press", "Non, c'est tout", "s'est-il terminé"),
    ]
    for kind, value, next_prompt in steps:
        if kind == "press":
            camille.press(value)
        else:
            camille.send_text(value)
        seen.append(counter(await camille.expect(next_prompt)))
    # Before the outcome only it and the end date are known; the structure's questions then
    # appear (6), the contract, working time and "others?" once jobs are counted (9).
    assert seen == [(1, 2), (2, 6), (3, 6), (4, 6), (5, 6), (6, 9), (7, 9), (8, 9), (9, 9)]
    camille.press("Aujourd'hui (10/03/2026)")
    recap = await camille.expect("Récapitulatif : Fin de l'accompagnement")
    camille.press("✏️ Nom de la structure", message=recap)
    edited = await camille.expect("nom de la structure")
    assert counter(edited) == (4, 9)


async def test_back_and_hours_in_a_review_form(sbot: Harness) -> None:
    project = await seed_project(sbot)
    await seed_volunteer(sbot, 6011, "Rémi")
    await end_by_service(sbot, project, date(2026, 3, 10))
    remi = sbot.api.user(6011)
    remi.send_command("/bilan")
    await remi.expect("Plusieurs bilans vous attendent")
    remi.press("PES-2026-0001 · bilan n°1 (10/06/2026)")
    await remi.expect("Question 1/")
    remi.press("Hier (09/03/2026)")
    await remi.expect("Comment avez-vous échangé")
    remi.send_command("/retour")  # the engine's /retour, now in every form
    again = await remi.expect("Quand avez-vous échangé")
    assert counter(again)[0] == 1
    remi.send_text("08/03/2026")
    await remi.expect("Comment avez-vous échangé")
    remi.press("Téléphone")
    await remi.expect("Où en est le projet")
    remi.press("La structure est créée")
    await remi.expect("Combien d'emplois")
    remi.send_text("zéro")
    await remi.expect("nouveaux besoins")  # no job: contract and time are not asked
    remi.press("Passer")
    await remi.expect("satisfaction")
    remi.press("4")
    await remi.expect("Combien de temps")
    remi.send_text("1,5 h")
    await remi.expect("kilomètres")
    remi.send_text("12 km")
    await remi.expect("commentaire")
    remi.press("Passer")
    recap = await remi.expect("Récapitulatif")
    text = recap.text or ""
    assert "Temps passé : 1,5 h" in text and "Kilomètres : 12" in text
    assert "Type d'emplois" not in text
