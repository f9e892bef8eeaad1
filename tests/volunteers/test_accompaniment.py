"""Staff record an accompaniment through the bot; ending it schedules the reviews."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pes21_bot.db.models import Review
from pes21_bot.services import events
from pes21_bot.services.people import find_person
from tests.harness import Harness
from tests.volunteers.helpers import (
    end_by_service,
    events_of,
    rows,
    seed_project,
    seed_volunteer,
)

PARIS = ZoneInfo("Europe/Paris")


async def open_menu(bot: Harness, staff_name: str, reference: str) -> None:
    """/dossier, then the card's 'Accompagnement' button."""
    staff = bot.staff(staff_name)
    staff.send_command("/dossier", reference)
    await staff.expect("Suivi par")
    staff.press("🧭 Accompagnement")
    await staff.expect(f"Accompagnement de {reference}")


async def test_full_accompaniment_schedules_three_reviews(both: Harness) -> None:
    bot = both
    project = await seed_project(bot)
    reference = project.reference or ""
    await seed_volunteer(bot, 6010, "Paula", ("reviews",), paused_until=date(2026, 12, 31))
    await seed_volunteer(bot, 6011, "Rémi", ("reviews", "co_accompaniment"))
    camille = bot.staff("Camille")
    await open_menu(bot, "Camille", reference)
    camille.press("▶️ Démarrer l'accompagnement")
    await camille.expect("À quelle date l'accompagnement a-t-il commencé")
    camille.press("Hier (09/03/2026)")
    await camille.expect(f"L'accompagnement de {reference} a démarré le 09/03/2026")
    await camille.expect("Démarré le 09/03/2026")  # the menu again, with the next steps

    camille.press("📍 Noter une étape")
    await camille.expect("Quelle étape")
    camille.press("Étude de faisabilité")
    await camille.expect("À quelle date cette étape")
    camille.send_text("demain")
    await camille.expect("Je ne reconnais pas cette date")
    camille.send_text("09/03/2026")
    await camille.expect("Étape notée")

    await open_menu(bot, "Camille", reference)
    camille.press("🙋 Associer un·e bénévole")
    await camille.expect("Quel·le bénévole")
    camille.press("Rémi")
    await camille.expect("Rémi accompagne maintenant")
    await bot.api.user(6011).expect(f"l'accompagnement du dossier {reference}")

    await open_menu(bot, "Camille", reference)
    camille.press("🏁 Clore l'accompagnement")
    await camille.expect("Comment se termine")
    camille.press("Structure créée")
    await camille.expect("forme juridique")
    camille.press("SCOP")
    await camille.expect("À quelle date la structure a-t-elle été créée")
    camille.send_text("01/03/2026")
    await camille.expect("nom de la structure")
    camille.send_text("La Recyclerie du Port")
    await camille.expect("Combien d'emplois ont été créés")
    camille.send_text("1")
    await camille.expect("Quel est le contrat")
    camille.press("CDI")
    await camille.expect("temps plein ou à temps partiel")
    camille.press("Temps plein")
    await camille.expect("d'autres emplois")
    camille.press("Oui, d'autres emplois")
    await camille.expect("Combien d'autres emplois")
    camille.send_text("2")
    await camille.expect("Quel est le contrat")
    camille.press("CDD")
    await camille.expect("temps plein ou à temps partiel")
    camille.press("Temps partiel")
    await camille.expect("encore d'autres emplois")
    camille.press("Non, c'est tout")
    await camille.expect("À quelle date l'accompagnement s'est-il terminé")
    camille.press("Aujourd'hui (10/03/2026)")
    recap = await camille.expect("Récapitulatif : Fin de l'accompagnement")
    assert "La Recyclerie du Port" in (recap.text or "") and "SCOP" in (recap.text or "")
    camille.press("✅ Enregistrer")
    ended = await camille.expect(f"L'accompagnement de {reference} est clos")
    text = ended.text or ""
    assert "Bilan n°1 : 10/06/2026, par Rémi" in text
    assert "Bilan n°2 : 10/09/2026, par Rémi" in text
    assert "Bilan n°3 : 10/03/2027, par Rémi" in text  # Paula is on pause
    await bot.holder().expect(f"L'accompagnement de votre dossier {reference} est terminé")

    started = await events_of(bot, events.ACCOMPANIMENT_STARTED)
    assert [e.data for e in started] == [
        {"started_on": "2026-03-09", "recorded_at": "2026-03-10T09:30:00+00:00"}
    ]
    (milestone,) = await events_of(bot, events.MILESTONE)
    # Recorded on the 10th, it happened on the 9th: dated then, the recording kept in its data.
    assert milestone.data == {
        "milestone": "feasibility_study",
        "on": "2026-03-09",
        "recorded_at": "2026-03-10T09:30:00+00:00",
    }
    assert milestone.occurred_at.date().isoformat() == "2026-03-09"
    (attached,) = await events_of(bot, events.VOLUNTEER_ATTACHED)
    assert set(attached.data) == {"volunteer_id"}
    (end,) = await events_of(bot, events.ACCOMPANIMENT_ENDED)
    assert end.data == {"outcome": "structure_created", "ended_on": "2026-03-10"}
    assert end.programme == "benefices_crea" and end.project_id == project.id
    (structure,) = await events_of(bot, events.STRUCTURE_CREATED)
    assert structure.data == {
        "legal_form": "scop",
        "name": "La Recyclerie du Port",
        "created_on": "2026-03-01",
        "recorded_at": "2026-03-10T09:30:00+00:00",
    }
    assert structure.occurred_at.date().isoformat() == "2026-03-01"
    jobs = await events_of(bot, events.JOBS_CREATED)
    assert [e.data for e in jobs] == [
        {"count": 1, "contract": "cdi", "time": "full_time", "origin": "accompaniment"},
        {"count": 2, "contract": "cdd", "time": "part_time", "origin": "accompaniment"},
    ]
    scheduled = await events_of(bot, events.REVIEW_SCHEDULED)
    assert [e.data["due_on"] for e in scheduled] == ["2026-06-10", "2026-09-10", "2027-03-10"]
    assert [e.data["number"] for e in scheduled] == [1, 2, 3]
    reviews = await rows(bot, Review)
    assert reviews[0].due_at == datetime(2026, 6, 10, 8, 30, tzinfo=PARIS)
    assert len(await events_of(bot, events.REVIEW_ASSIGNED)) == 3
    (fresh,) = await bot.projects()
    assert fresh.status == "closed"

    admin = bot.admin()
    admin.send_command("/stats")
    figures = await admin.expect("Statistiques 2026")
    assert (
        "Emplois créés : 3 (CDD : 2, CDI : 1 ; Temps partiel : 2, Temps plein : 1)"
        in (figures.text or "").splitlines()
    )


async def test_dla_milestones_record_jobs_and_collective_action(sbot: Harness) -> None:
    project = await seed_project(sbot, path="dla", owner_id=2002)
    reference = project.reference or ""
    karim = sbot.staff("Karim")
    await open_menu(sbot, "Karim", reference)
    karim.press("▶️ Démarrer l'accompagnement")
    await karim.expect("commencé")
    karim.send_text("02/03/2026")
    await karim.expect("a démarré le 02/03/2026")
    await karim.expect("Démarré le 02/03/2026")
    karim.press("📍 Noter une étape")
    menu = await karim.expect("Quelle étape")
    assert [row[0] for row in menu.buttons] == [
        "Structure accueillie",
        "Diagnostic partagé",
        "Ingénierie individuelle",
        "Ingénierie collective",
        "Suivi post-accompagnement",
    ]
    karim.press("Diagnostic partagé")
    await karim.expect("À quelle date")
    karim.press("Hier (09/03/2026)")
    await karim.expect("emplois consolidés")
    karim.send_text("plein")
    await karim.expect("nombre entier")
    karim.send_text("12")
    await karim.expect("Étape notée")
    await open_menu(sbot, "Karim", reference)
    karim.press("📍 Noter une étape")
    await karim.expect("Quelle étape")
    karim.press("Ingénierie collective")
    await karim.expect("À quelle date")
    karim.press("Aujourd'hui (10/03/2026)")
    await karim.expect("nom de l'action collective")
    karim.send_text("RH 2026")
    await karim.expect("Étape notée")
    data = [e.data for e in await events_of(sbot, events.MILESTONE)]
    assert data == [
        {
            "milestone": "dla_diagnostic",
            "on": "2026-03-09",
            "jobs_consolidated": 12,
            "recorded_at": "2026-03-10T09:30:00+00:00",
        },
        {"milestone": "dla_collective_engineering", "on": "2026-03-10", "action": "RH 2026"},
    ]
    assert all(e.programme == "dla" for e in await events_of(sbot, events.MILESTONE))


async def test_without_available_volunteer_reviews_go_to_the_staff_owner(sbot: Harness) -> None:
    project = await seed_project(sbot)
    await seed_volunteer(sbot, 6012, "Wendy", ("welcoming",))  # not a reviewer
    scheduled = await end_by_service(sbot, project, date(2026, 3, 10))
    async with sbot.session_factory() as session:
        camille = await find_person(session, 2001)
    assert camille is not None
    assert {r.assignee_id for r in scheduled} == {camille.id}


async def test_accompaniment_dates_are_checked_against_each_other(both: Harness) -> None:
    bot = both
    project = await seed_project(bot)  # sent on 10/03/2026
    reference = project.reference or ""
    camille = bot.staff("Camille")
    await open_menu(bot, "Camille", reference)
    camille.press("▶️ Démarrer l'accompagnement")
    await camille.expect("À quelle date l'accompagnement a-t-il commencé")
    camille.send_text("05/03/2026")
    started = await camille.expect(f"L'accompagnement de {reference} a démarré le 05/03/2026")
    assert "avant le premier contact avec la personne (10/03/2026)" in (started.text or "")

    camille.press("📍 Noter une étape", message=await camille.expect("Démarré le 05/03/2026"))
    camille.press("Étude de faisabilité", message=await camille.expect("Quelle étape"))
    await camille.expect("À quelle date cette étape")
    camille.send_text("01/03/2026")
    await camille.expect("Le 01/03/2026 est avant le début de l'accompagnement (05/03/2026)")
    await camille.expect("À quelle date cette étape")  # asked again, the step kept
    camille.send_text("06/03/2026")
    await camille.expect("Étape notée")

    await open_menu(bot, "Camille", reference)
    camille.press("🏁 Clore l'accompagnement")
    camille.press("En pause", message=await camille.expect("Comment se termine"))
    await camille.expect("À quelle date l'accompagnement s'est-il terminé")
    camille.send_text("01/03/2026")
    await camille.expect("Récapitulatif")
    camille.press("✅ Enregistrer")
    await camille.expect("Le 01/03/2026 est avant le début de l'accompagnement (05/03/2026)")
    await camille.expect("À quelle date l'accompagnement s'est-il terminé")
    (fresh,) = await bot.projects()
    assert fresh.status == "accompanying" and not await rows(bot, Review)
    camille.send_text("09/03/2026")
    recap = await camille.expect("Récapitulatif")
    while not recap.buttons:  # the first recap, its buttons taken away, comes back edited
        recap = await camille.expect("Récapitulatif")
    camille.press("✅ Enregistrer", message=recap)
    await camille.expect(f"L'accompagnement de {reference} est clos")
    ended = await events_of(bot, events.ACCOMPANIMENT_ENDED)
    assert [e.data["ended_on"] for e in ended] == ["2026-03-09"]
    milestones = await events_of(bot, events.MILESTONE)
    assert [e.data["on"] for e in milestones] == ["2026-03-06"]


async def test_staff_correct_the_start_and_the_end_and_bilans_follow(both: Harness) -> None:
    bot = both
    project = await seed_project(bot)
    reference = project.reference or ""
    await seed_volunteer(bot, 6011, "Rémi", ("reviews",))
    camille = bot.staff("Camille")
    await open_menu(bot, "Camille", reference)
    camille.press("▶️ Démarrer l'accompagnement")
    await camille.expect("À quelle date l'accompagnement a-t-il commencé")
    camille.send_text("05/03/2026")
    menu = await camille.expect("Démarré le 05/03/2026")
    camille.press("✏️ Corriger la date de début", message=menu)
    await camille.expect("Quelle est la bonne date de début")
    camille.send_text("02/03/2026")
    await camille.expect(
        "Date de début de l'accompagnement de PES-2026-0001 corrigée : 05/03/2026 → 02/03/2026"
    )
    menu = await camille.expect("Démarré le 02/03/2026")

    camille.press("🏁 Clore l'accompagnement", message=menu)
    camille.press("En pause", message=await camille.expect("Comment se termine"))
    ended = await camille.expect("s'est-il terminé")
    camille.press("Hier (09/03/2026)", message=ended)
    await camille.expect("Récapitulatif")
    camille.press("✅ Enregistrer")
    assert "Bilan n°1 : 09/06/2026" in ((await camille.expect("est clos")).text or "")

    camille.send_command("/dossier", reference)
    panel = await camille.expect("Suivi par")  # closed: the accompaniment is still reachable
    camille.press("🧭 Accompagnement", message=panel)
    menu = await camille.expect(f"Accompagnement de {reference}")
    camille.press("✏️ Corriger la date de fin", message=menu)
    await camille.expect("Quelle est la bonne date de fin")
    camille.send_text("01/03/2026")
    await camille.expect("Le 01/03/2026 est avant le début de l'accompagnement : rien n'est changé")
    await camille.expect("Quelle est la bonne date de fin")  # asked again
    camille.send_text("06/03/2026")
    fixed = await camille.expect("Date de fin de l'accompagnement de PES-2026-0001 corrigée")
    assert "09/03/2026 → 06/03/2026" in (fixed.text or "")
    assert "Bilan n°1 : 06/06/2026, par Rémi" in (fixed.text or "")

    (started,) = await events_of(bot, events.ACCOMPANIMENT_STARTED)
    assert started.data["started_on"] == "2026-03-02"
    assert started.occurred_at.date().isoformat() == "2026-03-02"
    (end,) = await events_of(bot, events.ACCOMPANIMENT_ENDED)
    assert end.data["ended_on"] == "2026-03-06"
    reviews = await rows(bot, Review)
    assert reviews[0].due_at == datetime(2026, 6, 6, 8, 30, tzinfo=PARIS)
    camille.send_command("/dossier", reference)
    camille.press("🕓 Historique", message=await camille.expect("Suivi par"))
    history = (await camille.expect("Historique")).text or ""
    assert "date de l'accompagnement corrigée : fin : 09/03/2026 → 06/03/2026" in history


async def test_staff_correct_a_step_inside_the_accompaniment(both: Harness) -> None:
    bot = both
    project = await seed_project(bot)
    reference = project.reference or ""
    camille = bot.staff("Camille")
    await open_menu(bot, "Camille", reference)
    camille.press("▶️ Démarrer l'accompagnement")
    await camille.expect("À quelle date l'accompagnement a-t-il commencé")
    camille.send_text("02/03/2026")
    camille.press("📍 Noter une étape", message=await camille.expect("Démarré le 02/03/2026"))
    camille.press("Étude de faisabilité", message=await camille.expect("Quelle étape"))
    await camille.expect("À quelle date cette étape")
    camille.send_text("06/03/2026")
    await camille.expect("Étape notée")

    await open_menu(bot, "Camille", reference)
    camille.press("✏️ Corriger une étape")
    steps = await camille.expect("Quelle étape corriger")
    camille.press("Étude de faisabilité · 06/03/2026", message=steps)
    await camille.expect("Quelle est la bonne date de cette étape")
    camille.send_text("01/03/2026")
    await camille.expect("Le 01/03/2026 est avant le début de l'accompagnement : rien n'est changé")
    await camille.expect("Quelle est la bonne date de cette étape")  # asked again
    (step,) = await events_of(bot, events.MILESTONE)
    assert step.data["on"] == "2026-03-06"
    camille.send_text("04/03/2026")
    fixed = await camille.expect("Date de l'étape « Étude de faisabilité » de PES-2026-0001")
    assert "06/03/2026 → 04/03/2026" in (fixed.text or "")
    (step,) = await events_of(bot, events.MILESTONE)
    assert step.data["on"] == "2026-03-04"
    assert step.occurred_at.date().isoformat() == "2026-03-04"

    await open_menu(bot, "Camille", reference)
    camille.press("🏁 Clore l'accompagnement")
    camille.press("En pause", message=await camille.expect("Comment se termine"))
    camille.press("Hier (09/03/2026)", message=await camille.expect("s'est-il terminé"))
    await camille.expect("Récapitulatif")
    camille.press("✅ Enregistrer")
    await camille.expect("est clos")
    camille.send_command("/dossier", reference)
    camille.press("🧭 Accompagnement", message=await camille.expect("Suivi par"))
    camille.press("✏️ Corriger une étape", message=await camille.expect("Accompagnement de"))
    camille.press("Étude de faisabilité · 04/03/2026", message=await camille.expect("corriger"))
    await camille.expect("Quelle est la bonne date de cette étape")
    camille.send_text("10/03/2026")
    await camille.expect("Le 10/03/2026 est après la fin de l'accompagnement : rien n'est changé")
    await camille.expect("Quelle est la bonne date de cette étape")

    camille.send_command("/dossier", reference)
    camille.press("🕓 Historique", message=await camille.expect("Suivi par"))
    history = (await camille.expect("Historique")).text or ""
    assert "étape « Étude de faisabilité » : 06/03/2026 → 04/03/2026" in history
