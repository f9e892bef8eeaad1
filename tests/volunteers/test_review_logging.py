"""Logging a review by chat: validation, recap and edit, restart, owner told, DLA proposal."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pes21_bot.db.models import Reminder
from pes21_bot.services import events
from tests.harness import Harness
from tests.volunteers.helpers import (
    dispatch,
    end_by_service,
    events_of,
    reminders_of,
    review,
    seed_project,
    seed_volunteer,
    stop_jobs,
    travel,
)

PARIS = ZoneInfo("Europe/Paris")
REMI = 6011


async def test_volunteer_logs_a_review_from_the_reminder(both: Harness) -> None:
    bot = both
    project = await seed_project(bot)
    await seed_volunteer(bot, REMI, "Rémi")
    scheduled = await end_by_service(bot, project, date(2026, 3, 10))
    travel(bot, datetime(2026, 6, 10, 9, 0, tzinfo=PARIS))
    await dispatch(bot)
    remi = bot.api.user(REMI)
    await remi.expect("Bilan à faire")
    remi.press("Saisir le bilan")
    start = await remi.expect("Bilan n°1 du dossier PES-2026-0001")
    assert "06 12 34 56 78" in (start.text or "")
    await remi.expect("Question 1/")
    remi.press("Hier (09/06/2026)")
    await remi.expect("Comment avez-vous échangé")
    remi.send_text("par pigeon")  # a choice question: buttons only
    await remi.expect("avec les boutons")
    remi.press("Téléphone")
    await remi.expect("Où en est le projet")
    remi.press("La structure est créée")
    await remi.expect("Combien d'emplois")
    remi.send_text("plusieurs")
    await remi.expect("nombre entier")
    remi.send_sticker()
    await remi.expect("type de message")
    remi.send_text("3")
    await remi.expect("Quel est le contrat")
    remi.press("CDD")
    await remi.expect("temps plein ou à temps partiel")
    remi.press("Temps partiel")
    await remi.expect("d'autres emplois")
    remi.press("Non, c'est tout")
    await remi.expect("nouveaux besoins")
    remi.press("Consolidation (DLA)")
    await remi.next_message()
    remi.press("Financement")
    await remi.next_message()
    remi.press("✔️ Valider")
    await remi.expect("satisfaction")

    await bot.restart()  # a restart in the middle: the answers so far are kept
    stop_jobs(bot)
    remi.press("5")
    await remi.expect("Combien de temps")
    remi.send_text("beaucoup")
    await remi.expect("nombre d'heures")
    remi.send_text("1h30")
    await remi.expect("kilomètres")
    remi.send_text("12")
    await remi.expect("commentaire libre")
    remi.send_text("Très bon échange, <b>belle</b> dynamique.")
    recap = await remi.expect("Récapitulatif : Bilan post-accompagnement")
    text = recap.text or ""
    assert "1,5 h" in text and "Consolidation (DLA)" in text and "<b>belle</b>" in text
    remi.press("✏️ Kilomètres")
    await remi.expect("kilomètres")
    remi.send_text("15")
    await remi.expect("Récapitulatif")
    remi.press("✅ Enregistrer")
    await remi.expect("est enregistré")
    await remi.expect("l'équipe du DLA reçoit une proposition")
    done = await bot.staff("Camille").expect("Bilan n°1 du dossier PES-2026-0001 saisi par Rémi")
    assert "Satisfaction : 5/5" in (done.text or "")

    first = scheduled[0].id
    assert (await review(bot, first)).state == "done"
    (logged,) = await events_of(bot, events.REVIEW_DONE)
    assert logged.data == {
        "review_id": first,
        "situation": "structure_created",
        "jobs_created": 3,
        "satisfaction": 5,
        "hours": 1.5,
        "km": 15,
    }
    (jobs,) = await events_of(bot, events.JOBS_CREATED)
    assert jobs.data == {"count": 3, "contract": "cdd", "time": "part_time", "origin": "review"}
    pending = await reminders_of(bot, Reminder.review_id == first, Reminder.state == "pending")
    assert pending == []  # no more reminders for a logged review

    karim = bot.staff("Karim")
    proposal = await karim.expect("Proposition d'orientation vers le DLA")
    assert "Très bon échange" in (proposal.text or "")
    karim.press("✅ Ouvrir un dossier DLA")
    await karim.expect("Dossier DLA PES-2026-0002 ouvert")
    card = await karim.expect("🆕 Nouveau dossier · PES-2026-0002")
    assert card.buttons[0] == ["✋ Je prends"]
    karim.press_raw(f"dla:yes:{first}", message_id=proposal.message_id)
    await karim.expect("déjà été traitée")
    (proposed,) = await events_of(bot, events.DLA_PROPOSED)
    assert proposed.data == {"review_id": first}
    (accepted,) = await events_of(bot, events.DLA_ACCEPTED)
    assert accepted.data["review_id"] == first

    remi.send_command("/mes_bilans")
    mine = await remi.expect("Bilans à faire")
    assert "Bilans faits" in (mine.text or "") and "bilan n°2" in (mine.text or "")

    remi.send_command("/mes_donnees")  # a volunteer's data: the profile and the reviews
    summary = await remi.expect("Vos données")
    assert "1 bilan saisi" in (summary.text or "")
    remi.press("📄 Recevoir le fichier", message=summary)
    exported = await remi.next_message()
    assert exported.document is not None and exported.document.content is not None
    data = json.loads(exported.document.content)
    assert data["benevole"]["missions"]
    logged_by_remi = [r for r in data["bilans"] if r["saisi_par_vous"]]
    assert [r["numero"] for r in logged_by_remi] == [1]
    assert logged_by_remi[0]["saisie"]["km"] == 15
    assert {r["numero"] for r in data["bilans"]} >= {1, 2}


async def test_bilan_command_cancel_and_out_of_turn(sbot: Harness) -> None:
    project = await seed_project(sbot)
    await seed_volunteer(sbot, REMI, "Rémi")
    remi = sbot.api.user(REMI)
    remi.send_command("/bilan")
    await remi.expect("aucun bilan à faire")
    await end_by_service(sbot, project, date(2026, 3, 10))
    remi.send_command("/bilan")
    await remi.expect("Plusieurs bilans vous attendent")
    remi.press("PES-2026-0001 · bilan n°2 (10/09/2026)")
    await remi.expect("Bilan n°2")
    question = await remi.expect("Question 1/")
    remi.press("Aujourd'hui (10/03/2026)")
    await remi.expect("Comment avez-vous échangé")
    # The earlier question's button pressed again (a double tap): said, nothing changes.
    again = remi.press_raw(question.button_data("Aujourd'hui (10/03/2026)"))
    assert await sbot.button_answer(again) == "Déjà répondu : 10/03/2026"
    remi.press_raw(question.button_data("Hier (09/03/2026)"))  # another answer: out of turn
    await remi.expect("autre étape")
    remi.send_command("/annuler")
    await remi.expect("Saisie abandonnée")
    remi.send_text("Bonjour")  # no form open any more: the volunteer's menu
    await remi.expect("Vous êtes bénévole du Pôle")
    sbot.holder().send_command("/bilan")
    await sbot.holder().expect("réservée")


async def test_volunteer_who_erases_their_data_hands_their_reviews_over(sbot: Harness) -> None:
    project = await seed_project(sbot)
    remi_person = await seed_volunteer(sbot, REMI, "Rémi")
    # Léa is on pause: Rémi gets the reviews, and they go to the staff owner when he leaves.
    await seed_volunteer(sbot, 6012, "Léa", paused_until=date(2026, 12, 31))
    scheduled = await end_by_service(sbot, project, date(2026, 3, 10))
    assert {r.assignee_id for r in scheduled} == {remi_person.id}
    remi = sbot.api.user(REMI)
    remi.send_command("/supprimer")
    await remi.expect("Voulez-vous vraiment effacer")
    remi.press("Oui, tout effacer")
    await remi.expect("vos données personnelles sont effacées")
    told = await sbot.staff("Camille").expect("ne peut plus être fait par Rémi")
    assert "PES-2026-0001" in (told.text or "")
    for item in scheduled:
        moved = await review(sbot, item.id)
        assert moved.state == "open" and moved.assignee_id not in (None, remi_person.id)
        pending = await reminders_of(
            sbot, Reminder.review_id == item.id, Reminder.state == "pending"
        )
        assert pending  # someone will still be reminded
