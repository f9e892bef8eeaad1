"""Cosmetic faults and double presses on the buttons of the later features.

The same press as tests/e2e/test_cosmetic_faults.py (see tests/e2e/cosmetic_helpers.py), for the
agenda, "Écrire à l'équipe", the welcoming volunteer's mission, the satisfaction survey, the
dossiers recorded by staff, the relay and /import.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from pes21_bot import buttons
from pes21_bot.db.models import AgendaEvent, Event, OrientationProposal, Project, Registration
from pes21_bot.fake_telegram import BotMessage, FakeUser
from pes21_bot.services import agenda, events, orientation
from pes21_bot.services import imports as import_service
from pes21_bot.services.people import UserInfo, ensure_person
from tests.agenda.helpers import open_agenda, registrations, seats_taken, seed_event
from tests.e2e.cosmetic_helpers import (
    Case,
    Check,
    Press,
    both,
    fault_test,
    hello,
    on,
    shows,
    toggling,
    validating,
)
from tests.e2e.flows import MATURE_IDEA, answer, expect_question
from tests.e2e.outbox_helpers import count
from tests.e2e.test_recorded import start_recording
from tests.harness import HOLDER_ID, Harness
from tests.imports.workbooks import workbook
from tests.volunteers.helpers import CAMILLE, rows, seed_project
from tests.volunteers.test_mission import WENDY, _held_by_wendy

TITLE = "Atelier Émergence de mars"
REGISTER = "✍️ S'inscrire : 20/03 Atelier Émergence de mars"
QUESTION = "Bonjour, puis-je venir au rendez-vous avec mon associée ?"


async def _events(bot: Harness, kind: str) -> int:
    return len(await rows(bot, Event, Event.kind == kind))


async def agenda_register(bot: Harness) -> Press:
    event = await seed_event(bot, capacity=1)
    holder = bot.holder()
    listing = await open_agenda(holder, TITLE)

    async def check() -> None:
        assert await seats_taken(bot, event.id) == 1
        assert list((await registrations(bot, event.id)).values()) == ["registered"]
        assert count(bot, holder, "déjà inscrit·e") == 0

    return on(holder, listing, REGISTER, both(check, shows(bot, holder, "vous êtes inscrit·e à")))


async def agenda_cancel(bot: Harness) -> Press:
    event = await seed_event(bot, capacity=1)
    holder = bot.holder()
    listing = await open_agenda(holder, TITLE)
    holder.press(REGISTER, message=listing)
    confirmed = await holder.expect("vous êtes inscrit·e à")

    async def check() -> None:
        assert await seats_taken(bot, event.id) == 0
        assert list((await registrations(bot, event.id)).values()) == ["cancelled"]
        assert count(bot, holder, "pas inscrit") == 0

    label = "❌ Me désinscrire : 20/03 " + TITLE
    return on(holder, confirmed, label, both(check, shows(bot, holder, "est annulée")))


async def _past_event(bot: Harness) -> tuple[AgendaEvent, FakeUser]:
    """An event Zoé registered to, now over; the admin records its attendance."""
    event = await seed_event(bot, capacity=5)
    bot.holder()
    now = bot.clock.now()
    async with bot.session_factory.begin() as session:
        zoe = await ensure_person(session, UserInfo(HOLDER_ID, "Zoé", "Martin"), now)
        fresh = await session.get(AgendaEvent, event.id)
        assert fresh is not None
        await agenda.register(session, bot.config, fresh, zoe.id, now)
    bot.clock.set(event.starts_at + timedelta(hours=3))
    return event, bot.admin()


async def attendance(bot: Harness) -> Press:
    event, admin = await _past_event(bot)
    message = await hello(admin)
    check = shows(bot, admin, "Présences : " + TITLE)
    return Press(admin, buttons.ATTENDANCE.pack(event.id), message, check)


async def _sheet(bot: Harness) -> tuple[AgendaEvent, FakeUser, BotMessage]:
    event, admin = await _past_event(bot)
    admin.press_raw(buttons.ATTENDANCE.pack(event.id), message_id=await hello(admin))
    return event, admin, await admin.expect("Présences : " + TITLE)


async def attendance_mark(bot: Harness) -> Press:
    _, admin, sheet = await _sheet(bot)

    async def check() -> None:
        (registration,) = await rows(bot, Registration)
        assert registration.state == agenda.ATTENDED
        labels = [b for row in bot.api.bot_message(admin.id, sheet.message_id).buttons for b in row]
        assert "✅ Zoé Martin" in labels, labels

    return on(admin, sheet, "❔ Zoé Martin", check)


async def attendance_finish(bot: Harness) -> Press:
    _, admin, sheet = await _sheet(bot)
    label = next(b for row in sheet.buttons for b in row if b.startswith("🏁"))
    return on(admin, sheet, label, shows(bot, admin, "Combien de personnes sont venues"))


async def event_cancel(bot: Harness) -> Press:
    event = await seed_event(bot, capacity=5)
    holder = bot.holder()
    listing = await open_agenda(holder, TITLE)
    holder.press(REGISTER, message=listing)
    await holder.expect("vous êtes inscrit·e à")
    admin = bot.admin()
    admin.press_raw(buttons.EVENT_CANCEL.pack("ask", event.id), message_id=await hello(admin))
    confirm = await admin.expect("sera prévenue")

    async def check() -> None:
        (fresh,) = await rows(bot, AgendaEvent, AgendaEvent.id == event.id)
        assert fresh.state == agenda.CANCELLED
        await bot.until(lambda: count(bot, holder, "❌ " + TITLE) == 1, "the notice")

    done = shows(bot, admin, "est annulé : il n'apparaît plus dans l'agenda")
    return on(admin, confirm, "Oui, annuler l'événement", both(check, done))


async def write_team(bot: Harness) -> Press:
    holder = bot.holder()
    project = await seed_project(bot, owner_id=CAMILLE)
    message = await hello(holder)
    check = shows(bot, holder, "Tapez votre message")
    return Press(holder, buttons.WRITE_TEAM.pack(project.id), message, check)


async def _wendys(bot: Harness) -> tuple[Project, FakeUser]:
    """An accueil-en-amont dossier that the welcoming volunteer Wendy took, and Wendy."""
    return await _held_by_wendy(bot), bot.api.user(WENDY)


async def mission_exchange(bot: Harness) -> Press:
    project, wendy = await _wendys(bot)
    message = await hello(wendy)
    check = shows(bot, wendy, "Quand avez-vous échangé")
    return Press(wendy, buttons.MISSION_EXCHANGE.pack(project.id), message, check)


async def mission_orient(bot: Harness) -> Press:
    project, wendy = await _wendys(bot)
    message = await hello(wendy)
    check = shows(bot, wendy, "Quelle orientation")
    return Press(wendy, buttons.MISSION_ORIENT.pack(project.id, "menu"), message, check)


async def mission_propose(bot: Harness) -> Press:
    project, wendy = await _wendys(bot)
    message = await hello(wendy)
    camille = bot.staff("Camille")

    async def check() -> None:
        assert len(await rows(bot, OrientationProposal)) == 1
        assert count(bot, camille, "propose d'orienter") == 1

    data = buttons.MISSION_PROPOSE.pack(project.id, orientation.EMERGENCE, "-")
    check_all = both(check, shows(bot, wendy, "Proposition envoyée"))
    return Press(wendy, data, message, check_all, (camille,))


async def mission_decide(bot: Harness) -> Press:
    project, wendy = await _wendys(bot)
    now = bot.clock.now()
    async with bot.session_factory.begin() as session:
        volunteer = await ensure_person(session, UserInfo(WENDY, "Wendy"), now)
        fresh = await session.get(Project, project.id)
        assert fresh is not None
        proposal = await orientation.propose(
            session, fresh, volunteer, orientation.REDIRECT, "benefices_crea", now
        )
        assert proposal is not None
    camille = bot.staff("Camille")
    message = await hello(camille)

    async def check() -> None:
        assert await _events(bot, events.ORIENTATION_ACCEPTED) == 1
        assert await _events(bot, events.REDIRECTED) == 1
        assert count(bot, wendy, "a accepté votre proposition") == 1

    data = buttons.MISSION_DECIDE.pack(proposal.id, "accept")
    return Press(camille, data, message, check, (wendy,))


async def survey_no(bot: Harness) -> Press:
    holder = bot.holder()
    project = await seed_project(bot, owner_id=CAMILLE)
    message = await hello(holder)

    async def check() -> None:
        assert await _events(bot, events.SATISFACTION_DECLINED) == 1
        assert count(bot, holder, "n'est plus disponible") == 0

    check_all = both(check, shows(bot, holder, "nous ne vous poserons plus la question"))
    return Press(holder, buttons.SURVEY.pack("no", project.id), message, check_all)


async def survey_go(bot: Harness) -> Press:
    holder = bot.holder()
    project = await seed_project(bot, owner_id=CAMILLE)
    message = await hello(holder)
    check = both(
        shows(bot, holder, "Seule la première question est nécessaire"),
        shows(bot, holder, "de 1 (pas du tout) à 5"),
    )
    return Press(holder, buttons.SURVEY.pack("go", project.id), message, check)


async def _recordings(bot: Harness) -> list[Project]:
    return [p for p in await bot.projects() if p.recorded_by_id is not None]


def _recorded(bot: Harness, question: str, value: object) -> Check:
    async def check() -> None:
        (draft,) = await _recordings(bot)
        assert draft.answers.get(question) == value, draft.answers

    return check


async def record_path(bot: Harness) -> Press:
    camille = bot.staff("Camille")
    camille.send_command("/nouveau_dossier")
    menu = await camille.expect("Quel dossier enregistrez-vous")

    async def check() -> None:
        assert len(await _recordings(bot)) == 1

    return on(camille, menu, "Idée de projet", both(check, shows(bot, camille, "rempli pour")))


async def _recording(bot: Harness) -> tuple[FakeUser, BotMessage]:
    camille = bot.staff("Camille")
    camille.send_command("/nouveau_dossier")
    camille.press("Idée de projet", message=await camille.expect("Quel dossier enregistrez-vous"))
    await camille.expect("rempli pour quelqu'un d'autre")
    return camille, await expect_question(camille)


async def record_choice(bot: Harness) -> Press:
    camille, source = await _recording(bot)
    check = both(_recorded(bot, "rec_source", "telephone"), shows(bot, camille, "premier contact"))
    return on(camille, source, "📞 Téléphone", check)


async def record_skip(bot: Harness) -> Press:
    camille, source = await _recording(bot)
    camille.press("📞 Téléphone", message=source)
    await expect_question(camille)  # the first contact
    camille.press("Aujourd'hui")
    await expect_question(camille)  # the oral consent
    camille.press("Oui")
    consent_on = await expect_question(camille)
    # "Passer": the consent was given on the first contact's day.
    check = both(
        _recorded(bot, "rec_consent_on", "2026-03-10"),
        shows(bot, camille, "prénom et le nom de la personne"),
    )
    return on(camille, consent_on, "Passer", check)


async def _recorded_at(bot: Harness, steps: int) -> tuple[FakeUser, BotMessage]:
    camille = bot.staff("Camille")
    await start_recording(camille, None)
    return camille, await answer(camille, MATURE_IDEA[:steps])


async def _needs(bot: Harness) -> tuple[FakeUser, BotMessage]:
    return await _recorded_at(bot, 10)


async def record_edit(bot: Harness) -> Press:
    camille, recap = await _recorded_at(bot, len(MATURE_IDEA))
    label = next(b for row in recap.buttons for b in row if b.startswith("✏️"))
    return on(camille, recap, label, shows(bot, camille, "Par quel moyen"))


async def record_save(bot: Harness) -> Press:
    camille, recap = await _recorded_at(bot, len(MATURE_IDEA))
    assert "Récapitulatif" in (recap.text or "")

    async def check() -> None:
        assert [p.status for p in await _recordings(bot)] == ["routed"]
        assert await bot.count_events(events.INTAKE_COMPLETED) == 1
        assert count(bot, camille, "enregistré et confié à") == 1

    return on(camille, recap, "📨 Enregistrer et transmettre", check)


async def link_code(bot: Harness) -> Press:
    camille, recap = await _recorded_at(bot, len(MATURE_IDEA))
    camille.press("📨 Enregistrer et transmettre", message=recap)
    await camille.expect("enregistré et confié à")
    (project,) = await _recordings(bot)
    message = await hello(camille)
    check = shows(bot, camille, "Nouveau code pour le dossier")
    return Press(camille, buttons.LINK_CODE.pack(project.id), message, check)


async def relay_answer(bot: Harness) -> Press:
    holder = bot.holder()
    await seed_project(bot, owner_id=CAMILLE)
    camille = bot.staff("Camille")
    holder.send_text(QUESTION)
    relayed = await camille.expect(QUESTION)
    return on(camille, relayed, "↩️ Répondre", shows(bot, camille, "Votre prochain message"))


async def relay_pick(bot: Harness) -> Press:
    holder = bot.holder()
    await seed_project(bot, owner_id=None)
    second = await seed_project(bot, owner_id=CAMILLE)
    camille = bot.staff("Camille")
    holder.send_text(QUESTION)
    choice = await holder.expect("Pour quel dossier est ce message")

    async def check() -> None:
        assert await _events(bot, events.HOLDER_MESSAGE) == 1
        assert count(bot, camille, QUESTION) == 1
        assert count(bot, holder, "n'est plus en attente") == 0

    label = f"{second.reference} · Bénéfices'Créa"
    return on(holder, choice, label, both(check, shows(bot, holder, "est transmis à")), camille)


async def import_go(bot: Harness) -> Press:
    admin = bot.admin()
    row = ("K-1", "Bénéfices'Créa", date(2023, 3, 2), None, None, None, None, None)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    admin.send_document("import.xlsx", workbook({"Dossiers": [row]}), xlsx)
    dry_run = await admin.expect("Importer 1 ligne ?")

    async def check() -> None:
        await admin.expect("Import terminé : 1 ligne créée")  # it runs in the background
        assert await _events(bot, events.INTAKE_COMPLETED) == 1
        assert count(bot, admin, "Import terminé : 1 ligne créée") == 1

    return on(admin, dry_run, "Importer", check)


async def word_report(bot: Harness) -> Press:
    admin = bot.admin()
    admin.send_command("/rapport", "2025")
    markdown = await admin.expect("Markdown")

    async def check() -> None:
        documents = [m for m in bot.api.messages(admin.id) if m.document is not None]
        assert sum("document Word à relire" in m.content for m in documents) == 1

    return on(admin, markdown, "📄 Rapport en Word", check)


async def import_stop(bot: Harness) -> Press:
    admin = bot.admin()
    rows = [
        (f"S-{i}", "Bénéfices'Créa", date(2023, 3, 2), None, None, None, None, None)
        for i in range(30)
    ]
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # The import pauses in its first batch (10 rows) until the check lets it go.
    original, batch_rows = import_service.Writer.dossiers, import_service.BATCH_ROWS
    paused, gate = asyncio.Event(), asyncio.Event()

    async def dossiers(self: Any, session: Any, batch: Any) -> None:
        await original(self, session, batch)
        paused.set()
        await gate.wait()

    import_service.BATCH_ROWS = 10
    import_service.Writer.dossiers = dossiers  # type: ignore[method-assign,assignment]
    admin.send_document("import.xlsx", workbook({"Dossiers": rows}), xlsx)
    admin.press("Importer", await admin.expect("Importer 30 lignes ?"))
    progress = await admin.expect("Import en cours : 0 / 30 lignes")
    await paused.wait()

    async def check() -> None:
        try:
            gate.set()
            await admin.expect("Import arrêté : 10 lignes créées")
            assert await _events(bot, events.INTAKE_COMPLETED) == 10
            assert count(bot, admin, "Import arrêté") == 1
        finally:
            import_service.Writer.dossiers = original  # type: ignore[method-assign]
            import_service.BATCH_ROWS = batch_rows

    return on(admin, progress, "Arrêter l'import", check)


FEATURE_CASES = {
    "agenda_register": Case(buttons.AGENDA, agenda_register),
    "agenda_cancel": Case(buttons.AGENDA, agenda_cancel),
    "attendance": Case(buttons.ATTENDANCE, attendance),
    "attendance_mark": Case(buttons.ATTENDANCE_MARK, attendance_mark),
    "attendance_finish": Case(buttons.ATTENDANCE_FINISH, attendance_finish),
    "event_cancel": Case(buttons.EVENT_CANCEL, event_cancel),
    "write_team": Case(buttons.WRITE_TEAM, write_team),
    "mission_exchange": Case(buttons.MISSION_EXCHANGE, mission_exchange),
    "mission_orient": Case(buttons.MISSION_ORIENT, mission_orient),
    "mission_propose": Case(buttons.MISSION_PROPOSE, mission_propose),
    "mission_decide": Case(buttons.MISSION_DECIDE, mission_decide),
    "survey_no": Case(buttons.SURVEY, survey_no),
    "survey_go": Case(buttons.SURVEY, survey_go),
    "record_path": Case(buttons.RECORD_PATH, record_path),
    "record_choice": Case(buttons.RECORDED_FORM.answer, record_choice),
    "record_skip": Case(buttons.RECORDED_FORM.skip, record_skip),
    "record_toggle": Case(buttons.RECORDED_FORM.toggle, toggling(_needs)),
    "record_validate": Case(
        buttons.RECORDED_FORM.validate, validating(_needs, _recorded, "Question 16/17")
    ),
    "record_edit": Case(buttons.RECORDED_FORM.edit, record_edit),
    "record_save": Case(buttons.RECORDED_FORM.recap, record_save),
    "link_code": Case(buttons.LINK_CODE, link_code),
    "relay_answer": Case(buttons.RELAY_ANSWER, relay_answer),
    "relay_pick": Case(buttons.RELAY_PICK, relay_pick),
    "import": Case(buttons.IMPORT, import_go),
    "word_report": Case(buttons.REPORT_DOCUMENT, word_report),
    "import_stop": Case(buttons.IMPORT, import_stop),
}


test_failed_cosmetics_and_double_press_change_state_once = fault_test(FEATURE_CASES)
