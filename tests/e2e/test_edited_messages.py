"""Edited messages (Telegram's "Modifier"): during a form an edit corrects the answer the message
gave, never the current question; another edit says how to correct; an edit of a message already
passed on to the team reaches it as a correction, a reply to the copy it received."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pes21_bot.db.models import Event
from pes21_bot.services import events
from tests.e2e.flows import MATURE_IDEA, answer, expect_question, start_path, submit_idea
from tests.e2e.outbox_helpers import drained
from tests.harness import Harness

pytestmark = pytest.mark.e2e

IDEA = "💡 J'ai une idée de projet"


async def test_an_edited_earlier_answer_is_corrected_not_taken_for_the_current_one(
    bot: Harness,
) -> None:
    holder = bot.holder()
    await start_path(holder, IDEA)
    name = holder.send_text("Edith Piaff")
    await expect_question(holder)
    email = holder.send_text("edith@example.org")
    await answer(holder, MATURE_IDEA[2:4])  # phone, postal code: now at the commune

    holder.edit_text(name, "Edith Piaf")  # a typo fixed in an earlier message
    fixed = await holder.expect("C'est corrigé")
    assert "« Nom »" in (fixed.text or "") and "Edith Piaf" in (fixed.text or "")
    again = await expect_question(holder)
    assert "nom de cette commune" in (again.text or "")

    holder.edit_text(email, "pas une adresse")  # validated like a typed answer
    await holder.expect("La réponse « E-mail » n'a pas changé")

    await answer(holder, MATURE_IDEA[4:])
    holder.press("📨 Envoyer")
    await holder.expect("Votre dossier est enregistré")
    (project,) = await bot.projects()
    assert project.answers["name"] == "Edith Piaf"
    assert project.answers["commune"] == "Dijon"
    assert project.answers["email"] == "edith@example.org"
    card = await bot.staff("Camille").expect("PES-2026-0001")
    assert "Edith Piaf" in (card.text or "") and "Commune : Edith Piaf" not in (card.text or "")


async def test_an_edit_that_answered_nothing_says_how_to_correct(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    start = holder.send_command("/start")
    await holder.expect("Bienvenue")
    holder.press(IDEA)
    await holder.expect("Acceptez-vous")
    holder.press("✅ J'accepte")
    await expect_question(holder)
    refused = holder.send_text("")  # not an answer: refused, the name is asked again
    await expect_question(holder)

    for message in (start, refused):
        holder.edit_text(message, "Edith Piaf")
        told = await holder.expect("ne change aucune réponse")
        assert "/retour" in (told.text or "") and "récapitulatif" in (told.text or "")
    (project,) = await sqlite_bot.projects()
    assert project.answers == {}
    holder.send_text("Edith Piaf")  # the current question still takes the next typed answer
    await expect_question(holder)
    (project,) = await sqlite_bot.projects()
    assert project.answers == {"name": "Edith Piaf"}

    await answer(holder, MATURE_IDEA[1:3])
    postal_code = holder.send_text("21000")
    await expect_question(holder)
    holder.edit_text(postal_code, "75011")  # corrected answers are followed up as typed ones
    await holder.expect("C'est corrigé")
    await holder.expect("hors de Côte-d'Or")
    (project,) = await sqlite_bot.projects()
    assert project.answers["postal_code"] == "75011"


async def test_an_edited_relayed_message_reaches_the_team_as_a_marked_reply(bot: Harness) -> None:
    holder = bot.holder()
    await submit_idea(holder)
    camille = bot.staff("Camille")
    await camille.expect("PES-2026-0001")
    sent = holder.send_text("Puis-je venir mardi ?")
    copy = await camille.expect("Puis-je venir mardi ?")
    await holder.expect("est transmis")

    holder.edit_text(sent, "Puis-je venir mercredi ?")
    correction = await camille.expect("Puis-je venir mercredi ?")
    assert "modifié" in (correction.text or "") and "PES-2026-0001" in (correction.text or "")
    assert correction.reply_to_message_id == copy.message_id
    assert correction.buttons[0] == ["↩️ Répondre"]
    await holder.expect("Votre correction est transmise")
    await drained(bot)
    assert sum("mercredi" in (m.text or "") for m in bot.api.messages(camille.id)) == 1

    async with bot.session_factory() as session:
        result = await session.execute(
            select(Event).where(Event.kind == events.HOLDER_MESSAGE).order_by(Event.id)
        )
        stored = [(e.data.get("text"), e.data.get("edited")) for e in result.scalars()]
    assert stored == [("Puis-je venir mardi ?", None), ("Puis-je venir mercredi ?", True)]

    answer_sent = camille.send_text("Oui, mercredi convient.", reply_to=correction.message_id)
    await holder.expect("Oui, mercredi convient.")  # the correction can be answered too
    await camille.expect("Réponse transmise")
    camille.edit_text(answer_sent, "Oui, jeudi convient.")  # the holder has the first version
    await camille.expect("ne peut pas être modifiée")
    await drained(bot)
    assert not any("jeudi" in (m.text or "") for m in bot.api.messages(holder.id))

    await drained(bot)
    camille.unread()
    camille.send_command("/dossier", "PES-2026-0001")
    panel = await camille.expect("PES-2026-0001")
    camille.press("💬 Messages", message=panel)
    shown = (await camille.expect("Messages échangés")).text or ""
    assert "(modifié) Puis-je venir mercredi ?" in shown and "Puis-je venir mardi ?" in shown
