"""Staff receive cards, claim (atomically), redirect, close; others are refused."""

from __future__ import annotations

import pytest

from pes21_bot.services import events
from tests.e2e.flows import EARLY_IDEA, submit_idea
from tests.harness import Harness


async def test_concurrent_claims_one_wins_all_cards_show_the_owner(bot: Harness) -> None:
    holder = bot.holder()
    await submit_idea(holder, EARLY_IDEA)  # accueil en amont: Camille and Léa both get it
    camille, lea = bot.staff("Camille"), bot.staff("Léa")
    card_c = await camille.expect("PES-2026-0001")
    card_l = await lea.expect("PES-2026-0001")
    presses = [
        camille.press("✋ Je prends", message=card_c),
        lea.press("✋ Je prends", message=card_l),
    ]
    answers = [await bot.button_answer(p) for p in presses]
    assert sum("est à vous" in a for a in answers) == 1
    assert sum("déjà été pris" in a for a in answers) == 1
    (project,) = await bot.projects()
    assert project.status == "claimed"
    assert await bot.count_events(events.CLAIMED) == 1

    def card_text(chat_id: int, message_id: int) -> str:
        return bot.api.bot_message(chat_id, message_id).text or ""

    # The answers come first; the cards are edited right after.
    await bot.until(
        lambda: all(
            "Pris en charge par" in card_text(chat, message)
            for chat, message in ((camille.id, card_c.message_id), (lea.id, card_l.message_id))
        ),
        "both cards to show the owner",
    )
    final_c = bot.api.bot_message(camille.id, card_c.message_id)
    final_l = bot.api.bot_message(lea.id, card_l.message_id)
    assert final_c.text == final_l.text
    assert "✋ Je prends" not in str(final_c.buttons)
    await holder.expect("pris en charge par")


async def test_redirect_moves_the_card_and_tells_the_holder(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    await submit_idea(holder)
    camille = bot.staff("Camille")
    card = await camille.expect("PES-2026-0001")
    camille.press("↪️ Réorienter", message=card)
    choices = await camille.next_message()
    assert ["le DLA"] in choices.buttons
    camille.press("le DLA", message=card)
    await camille.expect("Réorienté par Camille vers le DLA")
    new_card = await bot.staff("Karim").expect("PES-2026-0001")
    assert "le DLA" in (new_card.text or "")
    told = await holder.expect("maintenant confié au DLA")
    assert "PES-2026-0001" in (told.text or "")
    (project,) = await bot.projects()
    assert project.programme == "dla"
    assert project.status == "routed"
    # Camille is not DLA staff: her old card no longer lets her act.
    press = camille.press_raw(f"claim:{project.id}", message_id=card.message_id)
    assert "réservée" in await bot.button_answer(press)


async def test_close_with_a_reason(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    await submit_idea(holder)
    camille = bot.staff("Camille")
    card = await camille.expect("PES-2026-0001")
    camille.press("🔒 Clore", message=card)
    await camille.next_message()
    camille.press("doublon", message=card)
    closed = await camille.expect("Clos par Camille : doublon")
    assert closed.buttons == []
    await holder.expect("est clos (doublon)")
    (project,) = await bot.projects()
    assert project.status == "closed"
    assert project.close_reason == "duplicate"
    press = camille.press_raw(f"closeas:{project.id}:other", message_id=card.message_id)
    assert "déjà clos" in await bot.button_answer(press)
    assert await bot.count_events(events.CLOSED) == 1


@pytest.mark.parametrize(
    "data",
    [
        "claim:{id}",
        "redir:{id}",
        "redirto:{id}:dla",
        "close:{id}",
        "closeas:{id}:duplicate",
        "card:{id}",
    ],
)
@pytest.mark.parametrize("who", ["holder", "other_staff", "admin"])
async def test_staff_buttons_refuse_everyone_else(sqlite_bot: Harness, data: str, who: str) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    await submit_idea(holder)  # Bénéfices'Créa: Camille only
    await bot.staff("Camille").expect("PES-2026-0001")
    (project,) = await bot.projects()
    actor = {"holder": holder, "other_staff": bot.staff("Karim"), "admin": bot.admin()}[who]
    press = actor.press_raw(data.format(id=project.id))
    assert "réservée" in await bot.button_answer(press)
    (after,) = await bot.projects()
    assert (after.status, after.programme, after.owner_id) == ("routed", "benefices_crea", None)


@pytest.mark.parametrize(
    "data",
    ["claim:999999", "claim:abc", "claim:", "redirto:1:nowhere", "closeas:1:because", "zz:1", "a"],
)
async def test_malformed_or_unknown_buttons_change_nothing(sqlite_bot: Harness, data: str) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    await submit_idea(holder)
    camille = bot.staff("Camille")
    await camille.expect("PES-2026-0001")
    press = camille.press_raw(data)
    assert "plus valable" in await bot.button_answer(press)
    (after,) = await bot.projects()
    assert after.status == "routed"


async def test_staff_commands(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    await submit_idea(holder)
    camille = bot.staff("Camille")
    card = await camille.expect("PES-2026-0001")
    camille.send_command("/dossiers")
    listing = await camille.expect("Vos dossiers ouverts")
    assert "PES-2026-0001" in str(listing.buttons)
    camille.press("✋ Je prends", message=card)
    await camille.expect("Pris en charge")
    camille.send_command("/dossier", "pes-2026-0001")
    detail = await camille.expect("Suivi par : Camille")
    camille.press("📋 Réponses", message=detail)
    assert "Zoé Martin" in ((await camille.expect("Réponses")).text or "")
    camille.press("⬅️ Retour au dossier", message=detail)
    await camille.expect("Suivi par : Camille")
    camille.press("🕓 Historique", message=detail)
    text = (await camille.expect("Historique")).text or ""
    assert "pris en charge" in text and "dossier envoyé" in text
    camille.send_command("/dossier", "PES-2026-0099")
    await camille.expect("Je ne trouve pas de dossier PES-2026-0099")
    camille.send_command("/dossier")
    await camille.expect("Indiquez la référence")
    karim = bot.staff("Karim")
    karim.send_command("/dossier", "PES-2026-0001")
    await karim.expect("vous n'y avez pas accès")  # not his programme
    karim.send_command("/dossiers")
    await karim.expect("Aucun dossier ouvert")


async def test_orientation_test_explains_without_creating(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    admin = bot.admin()
    admin.send_command("/orientation_test")
    usage = await admin.expect("question=réponse")
    assert "Avancement" in (usage.text or "") and "team_size" not in (usage.text or "")
    admin.send_command(  # the questionnaire's own words, as staff read them
        "/orientation_test",
        "Avancement=le projet se structure Personnes=3 Forme juridique=SCOP "
        "Emplois visés=2 temps disponible=Temps plein",
    )
    result = await admin.expect("Ce projet irait vers")
    text = result.text or ""
    assert "Bénéfices'Créa" in text
    assert "+20 : le projet se structure" in text
    assert "+20 : disponible à temps plein" in text
    admin.send_command("/orientation_test", "stage=idea")  # codes still work
    early = await admin.expect("Ce projet irait vers")
    assert "l'accueil en amont" in (early.text or "")
    assert "Maturité : 0 point (seuil" in (early.text or "")  # not "0 points"
    admin.send_command("/orientation_test", "DLA")
    assert "le DLA" in ((await admin.expect("Ce projet irait vers")).text or "")
    admin.send_command("/orientation_test", "Avancement=peut-être")
    await admin.expect("Je ne comprends pas la valeur de « Avancement »")
    admin.send_command("/orientation_test", "jobs=many")
    await admin.expect("Je ne comprends pas la valeur de « jobs »")
    assert await bot.projects() == []


@pytest.mark.parametrize("command", ["/dossiers", "/dossier PES-2026-0001", "/orientation_test"])
async def test_staff_commands_refused_to_holders(sqlite_bot: Harness, command: str) -> None:
    holder = sqlite_bot.holder()
    name, _, args = command.partition(" ")
    holder.send_command(name, args)
    await holder.expect("réservée à l'équipe")


async def test_card_title_follows_the_projects_state(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    await submit_idea(bot.holder())
    camille = bot.staff("Camille")
    card = await camille.expect("PES-2026-0001")
    assert (card.text or "").startswith("🆕 Nouveau dossier · PES-2026-0001")
    camille.press("✋ Je prends", message=card)
    claimed = await camille.expect("Pris en charge par Camille")
    assert (claimed.text or "").startswith("✅ Pris en charge · PES-2026-0001")
    assert "🆕" not in (claimed.text or "")
    camille.press("🔒 Clore", message=card)
    await camille.next_message()
    camille.press("doublon", message=card)
    closed = await camille.expect("Clos par Camille : doublon")
    assert (closed.text or "").startswith("🔒 Clos · PES-2026-0001")


async def test_a_redirected_cards_title_says_so(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    await submit_idea(bot.holder())
    camille = bot.staff("Camille")
    card = await camille.expect("PES-2026-0001")
    camille.press("↪️ Réorienter", message=card)
    await camille.next_message()
    camille.press("le DLA", message=card)
    left = await camille.expect("Réorienté par Camille vers le DLA")
    assert (left.text or "").startswith("↪️ Réorienté · PES-2026-0001 · Bénéfices'Créa")
    new_card = await bot.staff("Karim").expect("PES-2026-0001")
    assert (new_card.text or "").startswith("🆕 Nouveau dossier · PES-2026-0001 · le DLA")
