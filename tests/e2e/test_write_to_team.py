"""'✉️ Écrire à l'équipe': a holder's free text after submitting reaches the team, not the menu."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from pes21_bot import buttons
from pes21_bot.db.models import Event, OutboxMessage
from pes21_bot.services import events
from pes21_bot.services import forms as form_service
from pes21_bot.services.people import find_person
from tests.e2e.flows import EARLY_IDEA, answer, expect_question, submit_idea
from tests.e2e.outbox_helpers import drained
from tests.e2e.test_group_buttons import GROUP, group_bot  # noqa: F401 - fixture
from tests.harness import OTHER_HOLDER_ID, Harness

pytestmark = pytest.mark.e2e

WRITE = "✉️ Écrire à l'équipe"
QUESTION = "Bonjour, puis-je venir au rendez-vous avec mon associée ?"


async def holder_messages(bot: Harness) -> list[Event]:
    async with bot.session_factory() as session:
        result = await session.execute(
            select(Event).where(Event.kind == events.HOLDER_MESSAGE).order_by(Event.id)
        )
        return list(result.scalars())


async def test_a_message_from_a_name_with_a_vowel_reads_d_apostrophe(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder = bot.holder(first_name="Alex")
    await submit_idea(holder)
    camille = bot.staff("Camille")
    await camille.expect("PES-2026-0001")
    holder.send_command("/start")
    offer = await holder.expect("Bienvenue")
    holder.press(WRITE, message=offer)
    await holder.expect("Tapez votre message")
    holder.send_text(QUESTION)
    forwarded = await camille.expect(QUESTION)
    assert "Alex" in (forwarded.text or "") and "de Alex" not in (forwarded.text or "")


async def test_a_holders_question_reaches_the_team_then_the_owner(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    await submit_idea(holder)
    camille = bot.staff("Camille")
    card = await camille.expect("PES-2026-0001")

    holder.send_command("/start")  # the button stays the explicit way to write
    offer = await holder.expect("Bienvenue")
    assert offer.buttons[0] == [WRITE]
    holder.press(WRITE, message=offer)
    intro = await holder.expect("sera transmis à l'équipe du Pôle qui suit ce dispositif")
    assert "PES-2026-0001" in (intro.text or "") and "seuls les messages écrits" in (
        intro.text or ""
    )
    await holder.expect("Tapez votre message")
    holder.send_text("x" * 2001)
    await holder.expect("trop longue (2000 caractères au plus")
    holder.send_sticker()
    await holder.expect("ce type de message")
    holder.send_text(QUESTION)
    sent = await holder.expect("est transmis à l'équipe du Pôle")
    assert "PES-2026-0001" in (sent.text or "")
    forwarded = await camille.expect("Zoé · dossier PES-2026-0001")
    assert QUESTION in (forwarded.text or "")
    assert forwarded.button_data("📂 Ouvrir le dossier") == buttons.PROJECT.pack(1)

    await drained(bot)
    assert sum(QUESTION in (m.text or "") for m in bot.api.messages(camille.id)) == 1

    camille.press("✋ Je prends", message=card)
    await camille.expect("Pris en charge")
    holder.send_command("/suivi")
    follow = await holder.expect("Vos dossiers")
    holder.press(WRITE, message=follow)
    await holder.expect("sera transmis à Camille, qui suit votre dossier")
    await holder.expect("Tapez votre message")
    holder.press("⬅️ Menu")  # changed their mind
    offer = await holder.expect("Que souhaitez-vous faire")

    holder.press(WRITE, message=offer)
    await holder.expect("Tapez votre message")
    holder.send_command("/annuler")
    await holder.expect("Saisie abandonnée")

    holder.press(WRITE, message=offer)
    await holder.expect("Tapez votre message")
    holder.send_text("Autre question : faut-il un business plan ?")
    told = await holder.expect("est transmis à Camille")
    assert (told.text or "").count(" qui ") == 1  # not "…, qui suit votre dossier, qui …"
    await camille.expect("Autre question : faut-il un business plan ?")

    camille.send_command("/dossier", "PES-2026-0001")
    panel = await camille.expect("PES-2026-0001")
    camille.press("🕓 Historique", message=panel)
    history = await camille.expect("Historique")
    assert "message de la personne" in (history.text or "")
    assert [e.data["text"] for e in await holder_messages(bot)] == [
        QUESTION,
        "Autre question : faut-il un business plan ?",
    ]

    holder.send_command("/mes_donnees")  # what they wrote is part of what is kept
    summary = await holder.expect("Messages écrits à l'équipe : 2 (le dernier le 10 mars 2026)")
    holder.press("📄 Recevoir le fichier", message=summary)
    exported = await holder.next_message()
    assert exported.document is not None and exported.document.content is not None
    kept = json.loads(exported.document.content)["messages_a_l_equipe"]
    assert [(m["dossier"], m["texte"]) for m in kept] == [
        ("PES-2026-0001", QUESTION),
        ("PES-2026-0001", "Autre question : faut-il un business plan ?"),
    ]

    holder.send_command("/supprimer")
    await holder.expect("effacer toutes vos données")
    holder.press("Oui, tout effacer")
    await holder.expect("vos données personnelles sont effacées")
    await drained(bot)
    assert [e.data for e in await holder_messages(bot)] == [{}, {}]
    async with bot.session_factory() as session:
        stored = await session.execute(select(OutboxMessage.payload))
        assert not any(QUESTION in str(p) for p in stored.scalars())


async def test_several_dossiers_are_chosen_by_button_and_no_dossier_offers_nothing(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    other = bot.holder(OTHER_HOLDER_ID, "Jules")
    other.send_text("bonjour")  # nothing submitted: the usual menu, no offer
    menu = await other.expect("Que souhaitez-vous faire")
    assert WRITE not in str(menu.buttons) and "Une question" not in (menu.text or "")

    holder = bot.holder()
    await submit_idea(holder)
    holder.send_command("/start")
    holder.press("💡 J'ai une idée de projet", message=await holder.expect("Bienvenue"))
    await expect_question(holder)  # consent was given with the first dossier
    await answer(holder, EARLY_IDEA)
    holder.press("📨 Envoyer")
    await holder.expect("PES-2026-0002")
    holder.send_command("/start")
    welcome = await holder.expect("Bienvenue")
    assert welcome.buttons[0] == [WRITE]
    holder.press(WRITE, message=welcome)
    choose = await holder.expect("Pour quel dossier")
    assert choose.buttons == [
        ["PES-2026-0001 · Bénéfices'Créa"],
        ["PES-2026-0002 · l'accueil en amont"],
    ]
    holder.press("PES-2026-0002 · l'accueil en amont")
    await holder.expect("sur le dossier PES-2026-0002")
    await holder.expect("Tapez votre message")
    holder.send_text("Je préfère être appelé le matin.")
    await holder.expect("est transmis")
    lea = bot.staff("Léa")
    await lea.expect("Zoé · dossier PES-2026-0002")
    other.press_raw(buttons.WRITE_TEAM.pack(2))  # someone else's dossier: nothing opens
    await other.expect("pas de dossier en cours")


async def test_a_form_being_filled_in_is_never_replaced(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    await submit_idea(holder)
    now = bot.clock.now()
    async with bot.session_factory.begin() as session:
        person = await find_person(session, holder.id)
        assert person is not None
        await form_service.open_draft(
            session, person.id, "vol_pause", None, {"paused_until": "2026-04-01"}, now
        )
    holder.send_text("une question")
    holder.press(WRITE, message=await holder.expect("Une question sur votre dossier"))
    await holder.expect("autre saisie en cours")
    async with bot.session_factory() as session:
        person = await find_person(session, holder.id)
        assert person is not None
        kept = await form_service.current_draft(session, person.id)
    assert kept is not None and kept.answers == {"paused_until": "2026-04-01"}


async def test_while_nobody_holds_it_the_programmes_group_reads_the_message(
    group_bot: Harness,  # noqa: F811 - the fixture
) -> None:
    bot = group_bot
    group = bot.api.group(GROUP, "Équipe Bénéfices'Créa")
    holder = bot.holder()
    await submit_idea(holder)
    holder.send_command("/start")
    holder.press(WRITE, message=await holder.expect("Bienvenue"))
    await holder.expect("Tapez votre message")
    holder.send_text(QUESTION)
    await holder.expect("est transmis à l'équipe du Pôle qui suit ce dispositif (Bénéfices'Créa)")
    forwarded = await group.expect("Zoé · dossier PES-2026-0001")
    assert QUESTION in (forwarded.text or "")
    assert forwarded.inline_buttons == []  # in a group only the cards' buttons act
    assert not [m for m in bot.api.messages(bot.staff("Camille").id) if QUESTION in (m.text or "")]


async def test_a_message_written_with_the_button_is_answered_like_free_text(bot: Harness) -> None:
    holder = bot.holder()
    await submit_idea(holder)
    camille = bot.staff("Camille")
    await camille.expect("PES-2026-0001")
    holder.send_command("/start")
    holder.press(WRITE, message=await holder.expect("Bienvenue"))
    await holder.expect("Tapez votre message")
    holder.send_text(QUESTION)
    await holder.expect("est transmis à l'équipe du Pôle")
    forwarded = await camille.expect(QUESTION)
    assert forwarded.buttons == [["↩️ Répondre"], ["📂 Ouvrir le dossier"]]
    assert "Ses coordonnées sont dans le dossier" not in (forwarded.text or "")

    camille.press("↩️ Répondre", message=forwarded)
    await camille.expect("Votre prochain message")
    camille.send_text("Oui, venez à deux !")
    answer_ = await holder.expect("Oui, venez à deux !")
    assert "L'équipe du Pôle" in (answer_.text or "")
    camille.send_text("Et apportez vos devis.", reply_to=forwarded.message_id)
    await holder.expect("Et apportez vos devis.")

    holder.send_text("Merci, à mardi !")  # free text next: the reader is already known
    await camille.expect("Merci, à mardi !")
    await drained(bot)
    assert not any("est transmis" in (m.text or "") for m in holder.unread())
    stored = await holder_messages(bot)
    assert [e.data for e in stored] == [
        {"text": QUESTION, "media": "text", "reader": "team"},
        {"text": "Merci, à mardi !", "media": "text", "reader": "team"},
    ]
