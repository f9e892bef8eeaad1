"""A holder describes a project idea, end to end through the fake Bot API."""

from __future__ import annotations

from sqlalchemy import select

from pes21_bot.db.models import Person
from pes21_bot.services import events
from tests.e2e.flows import EARLY_IDEA, MATURE_IDEA, answer, start_path
from tests.harness import Harness


async def test_mature_idea_is_routed_to_benefices_crea_and_claimed(bot: Harness) -> None:
    holder = bot.holder()
    first = await start_path(holder, "💡 J'ai une idée de projet", source="flyer_marche")
    assert "Question 1/13" in (first.text or "")
    recap = await answer(holder, MATURE_IDEA)
    assert "Récapitulatif" in (recap.text or "")
    assert "zoe@example.org" in (recap.text or "")
    assert "Financement, Recrutement" in (recap.text or "")

    holder.press("📨 Envoyer")
    done = await holder.expect("PES-2026-0001")
    assert "Bénéfices'Créa" in (done.text or "")
    assert "Camille" in (done.text or "")  # the only staff member of the programme

    camille = bot.staff("Camille")
    card = await camille.expect("PES-2026-0001")
    assert "Maturité" in (card.text or "")
    assert "le projet se structure" in (card.text or "")
    assert card.buttons[0] == ["✋ Je prends"]

    camille.press("✋ Je prends", message=card)
    edited = await camille.expect("Pris en charge par Camille")
    assert edited.message_id == card.message_id
    told = await holder.expect("pris en charge par Camille")
    assert "PES-2026-0001" in (told.text or "")

    (project,) = await bot.projects()
    assert project.status == "claimed"
    assert project.source == "flyer_marche"
    assert project.programme == "benefices_crea"
    assert project.score is not None and project.score >= bot.config.qualification.mature_threshold
    assert await bot.count_events(events.INTAKE_COMPLETED) == 1
    assert await bot.count_events(events.ROUTED) == 1
    assert await bot.count_events(events.CLAIMED) == 1
    assert await bot.count_events(events.QUESTION_ANSWERED) == 13


async def test_early_idea_goes_to_accueil_amont_with_emergence(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    await start_path(holder, "💡 J'ai une idée de projet")
    await answer(holder, EARLY_IDEA)
    holder.press("📨 Envoyer")
    done = await holder.expect("PES-2026-0001")
    assert "l'accueil en amont" in (done.text or "")
    await holder.expect("Émergence")
    # accueil en amont has two staff members: both get the card
    await bot.staff("Camille").expect("PES-2026-0001")
    await bot.staff("Léa").expect("PES-2026-0001")


async def test_consent_refusal_stores_nothing_personal(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    holder.send_command("/start")
    await holder.expect("Bienvenue")
    holder.press("💡 J'ai une idée de projet")
    await holder.expect("Acceptez-vous")
    holder.press("Je refuse")
    refused = await holder.expect("rien enregistré")
    assert "03 80" in (refused.text or "")
    async with bot.session_factory() as session:
        people = (await session.execute(select(Person))).scalars().all()
    assert people == []
    assert await bot.projects() == []
    assert await bot.count_events(events.CONSENT_REFUSED) == 1
