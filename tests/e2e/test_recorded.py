"""Dossiers recorded by staff on someone's behalf (/nouveau_dossier) and linked by code (/lier)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from pes21_bot.db.models import Event, Person, Project
from pes21_bot.fake_telegram import BotMessage, FakeUser
from pes21_bot.services import events, intake, recorded
from pes21_bot.services.people import UserInfo, find_person
from tests.e2e.flows import MATURE_IDEA, answer, expect_question, submit_idea
from tests.harness import Harness

CODE_RE = re.compile(r"/lier ([A-Z0-9]{4}-[A-Z0-9]{4})")


async def start_recording(staff: FakeUser, first_contact: str | None) -> BotMessage:
    """/nouveau_dossier for an idea told on the phone, up to the questionnaire's first question."""
    staff.send_command("/nouveau_dossier")
    await staff.expect("Quel dossier enregistrez-vous")
    staff.press("Idée de projet")
    await staff.expect("rempli pour quelqu'un d'autre")
    await expect_question(staff)  # the source
    staff.press("📞 Téléphone")
    await expect_question(staff)  # the first contact
    if first_contact is None:
        staff.press("Aujourd'hui")
    else:
        staff.send_text(first_contact)
    await expect_question(staff)  # the oral consent
    staff.press("Oui")
    await expect_question(staff)  # the consent's date
    staff.press("Passer")
    return await expect_question(staff)


async def record_phone_idea(staff: FakeUser, first_contact: str | None = "14/03/2025") -> str:
    """A mature idea told on the phone, recorded by staff; returns the link code given."""
    question = await start_recording(staff, first_contact)
    assert "prénom et le nom de la personne" in (question.text or "")
    recap = await answer(staff, MATURE_IDEA)
    assert "Venu·e par : 📞 Téléphone" in (recap.text or "")
    staff.press("📨 Enregistrer et transmettre")
    sent = await staff.expect("enregistré et confié à")
    match = CODE_RE.search(sent.text or "")
    assert match is not None, sent.text
    return match.group(1)


async def test_a_phone_dossier_is_scored_routed_and_counted_at_its_real_date(
    bot: Harness,
) -> None:
    camille = bot.staff("Camille")
    code = await record_phone_idea(camille)
    # Same scoring and routing as by chat: a mature idea goes to Bénéfices'Créa, with its card.
    card = await camille.expect("PES-2025-0001")
    assert "✋ Je prends" in str(card.buttons)
    (project,) = await bot.projects()
    assert project.status == "routed" and project.programme == "benefices_crea"
    assert project.source == "telephone" and project.score is not None
    assert not any(k.startswith("rec_") for k in project.answers)
    async with bot.session_factory() as session:
        holder = await session.get(Person, project.holder_id)
        assert holder is not None and holder.telegram_id is None
        assert holder.consent == "given"
        completed = (
            await session.execute(select(Event).where(Event.kind == events.INTAKE_COMPLETED))
        ).scalar_one()
    assert completed.occurred_at.date().isoformat() == "2025-03-14"
    assert completed.data["recorded_at"].startswith("2026-03-10")
    assert completed.data["source"] == "telephone"
    assert len(code) == 9

    admin = bot.admin()
    admin.send_command("/rapport", "2025")
    report = await admin.expect("Rapport d'activité")
    assert "• 1 projet accueilli" in (report.text or "").split("\n")
    admin.send_command("/stats", "2025")
    figures = await admin.expect("Statistiques 2025")
    assert "Accueillis 1 · orientés 1" in (figures.text or "")
    admin.send_command("/rapport", "2026")
    this_year = await admin.expect("Rapport d'activité")
    assert "• 1 projet accueilli" not in (this_year.text or "").split("\n")


async def _linked(holder: FakeUser, code: str, *, deep_link: bool = False) -> BotMessage:
    if deep_link:
        holder.send_command("/start", f"lier-{code}")
    else:
        holder.send_command("/lier", code)
    return await holder.next_message()


async def test_linking_by_code_good_wrong_reused_and_expired(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    camille = bot.staff("Camille")
    code = await record_phone_idea(camille, first_contact=None)
    holder = bot.holder()
    wrong = await _linked(holder, "ABCD-EFGH")
    assert "n'est pas valable" in (wrong.text or "")
    holder.send_command("/suivi")
    assert "PES-2026-0001" not in ((await holder.next_message()).text or "")

    linked = await _linked(holder, code.lower())  # typed in lower case: still the code
    assert "PES-2026-0001 est maintenant relié" in (linked.text or "")
    holder.send_command("/suivi")
    await holder.expect("PES-2026-0001")
    holder.send_command("/mes_donnees")
    await holder.expect("Zoé Martin")

    other = bot.holder(5002, "Paul")
    reused = await _linked(other, code, deep_link=True)
    assert "n'est pas valable" in (reused.text or "")
    (project,) = await bot.projects()
    async with bot.session_factory() as session:
        owner = await session.get(Person, project.holder_id)
    assert owner is not None and owner.telegram_id == holder.id
    assert await bot.count_events(events.DOSSIER_LINKED) == 1


async def test_an_expired_code_links_nothing_and_guessing_is_stopped(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    code = await record_phone_idea(bot.staff("Camille"))
    bot.clock.advance(timedelta(days=31))
    holder = bot.holder()
    expired = await _linked(holder, code, deep_link=True)
    assert "n'est pas valable" in (expired.text or "")
    for _ in range(4):
        await _linked(holder, "ZZZZ-ZZZZ")
    locked = await _linked(holder, code)
    assert "Trop de codes erronés" in (locked.text or "")
    (project,) = await bot.projects()
    async with bot.session_factory() as session:
        owner = await session.get(Person, project.holder_id)
    assert owner is not None and owner.telegram_id is None


async def test_a_holder_who_already_wrote_gets_the_dossier_beside_their_own(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    await submit_idea(holder)
    code = await record_phone_idea(bot.staff("Camille"))
    linked = await _linked(holder, code)
    assert "PES-2025-0001 est maintenant relié" in (linked.text or "")
    holder.send_command("/suivi")
    listing = await holder.expect("PES-2026-0001")
    assert "PES-2025-0001" in (listing.text or "")
    async with bot.session_factory() as session:
        people = (await session.execute(select(Person))).scalars().all()
    # The recorded person was merged into the holder's own row.
    assert {p.telegram_id for p in people} == {holder.id, bot.staff("Camille").id}


async def test_recording_never_mixes_with_the_staff_members_own_holder_draft(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    camille = bot.staff("Camille")
    camille.send_command("/nouveau_dossier")
    await camille.expect("Quel dossier enregistrez-vous")
    camille.press("Idée de projet")
    await expect_question(camille)
    camille.press("✉️ E-mail")
    await expect_question(camille)
    camille.send_text("02/02/2026")
    question = await expect_question(camille)
    assert "accepté, à l'oral" in (question.text or "")
    (draft,) = await bot.projects()
    assert draft.holder_id is None and draft.answers["rec_first_contact"] == "2026-02-02"
    camille.send_command("/annuler")
    await camille.expect("Dossier abandonné")
    (dropped,) = await bot.projects()
    assert dropped.status == "abandoned"
    assert await bot.count_events(events.INTAKE_STARTED) == 0


async def test_a_past_accompaniment_is_counted_in_its_real_year(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    camille = bot.staff("Camille")
    await record_phone_idea(camille)
    card = await camille.expect("PES-2025-0001")
    camille.press("✋ Je prends", message=card)
    camille.send_command("/dossier", "PES-2025-0001")
    await camille.expect("Suivi par")
    camille.press("🧭 Accompagnement")
    await camille.expect("Accompagnement de PES-2025-0001")
    camille.press("▶️ Démarrer l'accompagnement")
    await camille.expect("À quelle date l'accompagnement a-t-il commencé")
    camille.send_text("02/04/2025")
    await camille.expect("a démarré le 02/04/2025")
    await camille.expect("Démarré le 02/04/2025")
    camille.press("🏁 Clore l'accompagnement")
    await camille.expect("Comment se termine")
    camille.press("Poursuivi ailleurs")
    await camille.expect("À quelle date l'accompagnement s'est-il terminé")
    camille.send_text("15/12/2025")
    await camille.expect("Récapitulatif")
    camille.press("✅ Enregistrer")
    await camille.expect("L'accompagnement de PES-2025-0001 est clos")
    async with bot.session_factory() as session:
        started = (
            await session.execute(select(Event).where(Event.kind == events.ACCOMPANIMENT_STARTED))
        ).scalar_one()
    assert started.occurred_at.date().isoformat() == "2025-04-02"
    assert started.data["recorded_at"].startswith("2026-03-10")

    admin = bot.admin()
    admin.send_command("/rapport", "2025")
    report = (await admin.expect("Rapport d'activité")).text or ""
    assert "• 1 projet accompagné, dont 1 démarré dans la période" in report.split("\n")
    # Ended on 15/12/2025: not accompanied in 2026.
    admin.send_command("/rapport", "2026")
    this_year = (await admin.expect("Rapport d'activité")).text or ""
    assert "• 0 projet accompagné" in this_year.split("\n")


async def test_the_staff_members_own_number_is_not_the_persons(sqlite_bot: Harness) -> None:
    camille = sqlite_bot.staff("Camille")
    await start_recording(camille, None)
    camille.send_text("Zoé Martin")
    await expect_question(camille)
    camille.press("Passer")  # no e-mail
    phone = await expect_question(camille)
    assert "Partager mon numéro" not in str(phone.reply_markup)
    camille.send_contact("+33612345678")  # her own contact
    await camille.expect("C'est votre propre numéro")
    await expect_question(camille)  # asked again
    camille.send_contact("+33612345679", "Zoé", user_id=None)  # from her address book
    postal = await expect_question(camille)
    assert "code postal" in (postal.text or "")
    (draft,) = await sqlite_bot.projects()
    assert draft.answers["phone"] == "+33612345679"


async def test_recording_leaves_the_staff_members_own_intake_alone(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    camille = bot.staff("Camille")
    async with bot.session_factory.begin() as session:
        own = await intake.begin(
            session, UserInfo(camille.id, "Camille"), "idea", None, bot.clock.now()
        )
        own_id = own.id
    await start_recording(camille, None)
    camille.send_text("Zoé Martin")
    await expect_question(camille)
    async with bot.session_factory() as session:
        mine = await session.get(Project, own_id)
        staff = await find_person(session, camille.id)
        assert staff is not None
        recording = await recorded.current_draft(session, staff.id)
    assert mine is not None and mine.status == "draft" and mine.answers == {}
    assert mine.holder_id == staff.id
    assert recording is not None and recording.answers["name"] == "Zoé Martin"
    assert recording.holder_id is None


async def test_a_new_code_from_the_panel_replaces_the_lost_one(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    camille = bot.staff("Camille")
    old_code = await record_phone_idea(camille)
    camille.send_command("/dossier", "PES-2025-0001")
    panel = await camille.expect("Suivi par")
    assert ["🔗 Nouveau code pour la personne"] in panel.buttons
    camille.press("🔗 Nouveau code pour la personne", message=panel)
    renewed = await camille.expect("Nouveau code pour le dossier PES-2025-0001")
    match = CODE_RE.search(renewed.text or "")
    assert match is not None and match.group(1) != old_code
    holder = bot.holder()
    assert "n'est pas valable" in ((await _linked(holder, old_code)).text or "")
    linked = await _linked(holder, match.group(1))
    assert "PES-2025-0001 est maintenant relié" in (linked.text or "")
    camille.send_command("/dossier", "PES-2025-0001")
    panel = await camille.expect("Suivi par")
    assert ["🔗 Nouveau code pour la personne"] not in panel.buttons
    # An old panel's button, once the person is linked: nothing to renew.
    press = camille.press_raw(f"nl:{(await bot.projects())[0].id}", message_id=panel.message_id)
    assert "déjà relié" in await bot.button_answer(press)


async def test_the_recorder_keeps_their_dossier_and_is_told_to_call_the_person(
    bot: Harness,
) -> None:
    camille = bot.staff("Camille")
    await record_phone_idea(camille)
    offer = await camille.expect("Suivez-vous vous-même ce dossier")
    press = camille.press("✋ Je garde ce dossier", message=offer)
    toast = await bot.button_answer(press)
    assert "appelez-la" in toast and "prévenue que vous allez" not in toast
    (project,) = await bot.projects()
    assert project.status == "claimed"
    camille.unread()
    camille.send_command("/dossier", "PES-2025-0001")
    panel = await camille.expect("Suivi par")
    assert "Premier contact le 14/03/2025" in (panel.text or "")
    assert "Envoyé le" not in (panel.text or "")
