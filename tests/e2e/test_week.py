"""Every role's week without a stumble (issue 19): each role's own menu, /cherche."""

from __future__ import annotations

from datetime import date

import pytest

from tests.harness import OTHER_HOLDER_ID, Harness
from tests.volunteers.helpers import (
    DLA_ANSWERS,
    IDEA_ANSWERS,
    KARIM,
    end_by_service,
    seed_project,
    seed_volunteer,
)

pytestmark = pytest.mark.e2e

HOLDER_MENU = "J'ai une idée de projet"


async def test_staff_find_the_dossier_they_were_looking_for(bot: Harness) -> None:
    sophie = {**IDEA_ANSWERS, "name": "Sophie Éluard", "commune": "Beaune"}
    found = await seed_project(bot, holder_id=OTHER_HOLDER_ID, owner_id=None, answers=sophie)
    await seed_project(bot, owner_id=None)  # Zoé, Dijon
    await seed_project(bot, "dla", owner_id=KARIM)  # La Ressourcerie: not Camille's programme
    camille = bot.staff("Camille")
    camille.send_text("bonjour, je cherche le dossier de Sophie")
    menu = await camille.expect("Voici votre menu")
    assert HOLDER_MENU not in str(menu.buttons) and "Devenir bénévole" not in str(menu.buttons)
    assert ["🔎 Chercher un dossier"] in menu.buttons and "/cherche" in (menu.text or "")
    camille.press("🔎 Chercher un dossier", message=menu)
    await camille.expect("Tapez /cherche suivi d'un nom")

    camille.send_command("/cherche", "sophie ELUARD")  # case and accents ignored
    result = await camille.expect("1 dossier trouvé pour « sophie ELUARD »")
    assert result.buttons == [[f"{found.reference} · Sophie · en attente de prise en charge"]]
    camille.press(result.buttons[0][0], message=result)
    panel = await camille.expect(found.reference or "")
    assert "Envoyé le" in (panel.text or "")
    camille.send_command("/cherche", "beaune")
    assert (await camille.expect("1 dossier trouvé")).buttons == result.buttons
    camille.send_command("/cherche", "ressourcerie")
    await camille.expect("Aucun dossier ne correspond à « ressourcerie »")
    karim = bot.staff("Karim")
    karim.send_command("/cherche", "Ressourcerie")
    assert "La Ressourcerie" not in str((await karim.expect("1 dossier trouvé")).buttons)
    holder = bot.holder()
    holder.send_command("/cherche", "sophie")
    await holder.expect("réservée")
    assert DLA_ANSWERS["structure_name"] == "La Ressourcerie"


async def test_a_volunteer_gets_their_own_menu(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    await seed_volunteer(bot, 3101, "Nadia")
    nadia = bot.api.user(3101, first_name="Nadia")
    nadia.send_command("/start")
    menu = await nadia.expect("Vous êtes bénévole du Pôle")
    assert HOLDER_MENU not in str(menu.buttons) and "Devenir bénévole" not in str(menu.buttons)
    assert ["📝 Mes bilans"] in menu.buttons and ["👤 Mon profil"] in menu.buttons
    nadia.press("👤 Mon profil", message=menu)
    await nadia.expect("Votre profil de bénévole")
    nadia.press("📝 Mes bilans", message=menu)
    await nadia.expect("bilan")
    nadia.send_text("bonjour")
    again = await nadia.expect("Voici votre menu")
    assert ["📝 Mes bilans"] in again.buttons


async def test_a_volunteer_opens_the_dossier_of_their_open_bilan(bot: Harness) -> None:
    project = await seed_project(bot)
    await seed_volunteer(bot, 3101, "Nadia")
    await end_by_service(bot, project, date(2026, 3, 1))
    await seed_volunteer(bot, 3102, "Omar", ("co_accompaniment",))
    nadia = bot.api.user(3101, first_name="Nadia")
    nadia.send_command("/dossier", project.reference or "")
    shown = await nadia.expect("bilan n°1 de ce dossier à faire")
    assert "Zoé Martin" in (shown.text or "") and "06 12 34 56 78" in (shown.text or "")
    assert "Une recyclerie" not in (shown.text or "")  # the project itself is not hers to read
    assert ["Saisir le bilan"] in shown.buttons
    omar = bot.api.user(3102, first_name="Omar")
    omar.send_command("/dossier", project.reference or "")
    told = await omar.expect("vous n'y avez pas accès")
    assert "Zoé" not in (told.text or "")


async def test_a_volunteer_pausing_is_told_what_happens_to_their_bilans(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    project = await seed_project(bot)
    await seed_volunteer(bot, 3101, "Nadia")
    await end_by_service(bot, project, date(2026, 3, 1))
    nadia = bot.api.user(3101, first_name="Nadia")
    nadia.send_command("/profil")
    nadia.press("⏸️ Faire une pause", message=await nadia.expect("Votre profil de bénévole"))
    await nadia.expect("Jusqu'à quand")
    nadia.send_text("15/04/2026")
    await nadia.expect("C'est enregistré")
    told = await nadia.expect("aucun nouveau bilan ne vous sera confié")
    assert "Les 3 bilans qui vous sont déjà confiés restent à vous" in (told.text or "")
    assert len(told.buttons) == 3
    nadia.press(f"Je ne peux pas faire : {project.reference} · bilan n°1", message=told)
    await nadia.expect("confié")
