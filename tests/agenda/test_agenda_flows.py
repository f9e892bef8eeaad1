"""The agenda end to end: /atelier, registering, the waiting list, reminders, attendance."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from pes21_bot.db.models import AgendaEvent
from pes21_bot.services import agenda
from pes21_bot.services.people import find_person
from tests.agenda.helpers import open_agenda, registrations, seats_taken, seed_event
from tests.e2e.outbox_helpers import count, drained
from tests.harness import Harness
from tests.volunteers.helpers import dispatch, seed_volunteer


async def test_staff_create_a_training_by_chat_and_it_shows_in_the_agenda(sbot: Harness) -> None:
    bot = sbot
    camille = bot.staff("Camille")
    camille.send_command("/atelier")
    await camille.expect("Quel type d'événement")
    camille.press("Formation (avec un partenaire)")
    await camille.expect("Avec quel organisme partenaire")
    camille.send_text("IRTESS")
    await camille.expect("Quel est son titre")
    camille.send_text("Formation : créer une association employeuse")
    await camille.expect("Quel jour")
    camille.send_text("20/03/2026")
    await camille.expect("À quelle heure")
    camille.send_text("vers midi")
    await camille.expect("Je ne reconnais pas cette heure")
    camille.send_text("14h30")
    await camille.expect("Où a-t-il lieu")
    camille.send_text("IRTESS, 2 rue Professeur Marion, Dijon")
    await camille.expect("Combien de places")
    camille.send_text("12")
    await camille.expect("À qui s'adresse-t-il")
    camille.press("Tout le monde")
    await camille.expect("Le Pôle l'anime-t-il")
    camille.press("Le Pôle l'anime")
    recap = await camille.expect("Nouvel événement")
    assert "IRTESS" in (recap.text or "") and "14:30" in (recap.text or "")
    camille.press("✅ Enregistrer")
    done = await camille.expect("Événement enregistré")
    assert "20/03/2026 14:30" in (done.text or "")
    assert "Formation (avec un partenaire) · 12" in (done.text or "")

    holder = bot.holder()
    shown = await open_agenda(holder, "créer une association employeuse")
    assert "12 places restantes" in (shown.text or "")
    # The seed of contenus/agenda.yaml is there too, after it (December).
    assert "Atelier Émergence : de l'idée au projet" in (shown.text or "")
    async with bot.session_factory() as session:
        (event, *_) = await agenda.upcoming(session, bot.clock.now())
    assert event.partner == "IRTESS" and event.kind == "formation" and event.run_by_pole
    assert event.starts_at == datetime(2026, 3, 20, 13, 30, tzinfo=UTC)


async def test_a_holder_who_is_not_staff_cannot_create_an_event(sbot: Harness) -> None:
    holder = sbot.holder()
    holder.send_command("/atelier")
    await holder.expect("réservée")


async def test_register_full_waiting_list_and_the_freed_place(sbot: Harness) -> None:
    bot = sbot
    event = await seed_event(bot, capacity=1)
    zoe = bot.holder()
    yann = bot.holder(5002, "Yann")

    await open_agenda(zoe, "Atelier Émergence de mars")
    zoe.press("✍️ S'inscrire : 20/03 Atelier Émergence de mars")
    confirmed = await zoe.expect("inscrit·e à l'événement « Atelier Émergence de mars »")
    assert "20/03/2026 14:30" in (confirmed.text or "")
    zoe.press("✍️ S'inscrire : 20/03 Atelier Émergence de mars", message=confirmed.message_id - 1)
    await zoe.expect("déjà inscrit·e")  # a second press of the old button takes no second place
    assert await seats_taken(bot, event.id) == 1

    listing = await open_agenda(yann, "Atelier Émergence de mars")
    assert "Complet" in (listing.text or "")
    yann.press("✍️ S'inscrire : 20/03 Atelier Émergence de mars")
    await yann.expect("est complet")
    yann.press("⏳ M'inscrire sur la liste d'attente")
    await yann.expect("liste d'attente de l'événement « Atelier Émergence de mars » (position 1)")

    zoe.press("❌ Me désinscrire : 20/03 Atelier Émergence de mars", message=confirmed)
    await zoe.expect("Votre inscription à « Atelier Émergence de mars » est annulée")
    told = await yann.expect("Une place s'est libérée")
    assert "Atelier Émergence de mars" in (told.text or "")
    async with bot.session_factory() as session:
        z = await find_person(session, zoe.id)
        y = await find_person(session, yann.id)
    assert z is not None and y is not None
    assert await registrations(bot, event.id) == {z.id: "cancelled", y.id: "registered"}
    assert await seats_taken(bot, event.id) == 1

    # The day before (quiet hours respected), a durable reminder to the one registered now.
    bot.clock.set(datetime(2026, 3, 19, 6, 0, tzinfo=UTC))  # 07:00 in Dijon: quiet
    report = await dispatch(bot)
    assert report.quiet and report.sent == 0
    bot.clock.set(datetime(2026, 3, 19, 14, 0, tzinfo=UTC))
    await dispatch(bot)
    reminder = await yann.expect("Rappel")
    assert "Atelier Émergence de mars" in (reminder.text or "")
    assert not [m for m in zoe.unread() if "Rappel" in (m.text or "")]


async def test_two_presses_for_the_last_place_one_gets_it(both: Harness) -> None:
    bot = both
    event = await seed_event(bot, capacity=1)
    people = [bot.holder(5100 + n, f"P{n}") for n in range(2)]
    for person in people:
        await open_agenda(person, "Atelier Émergence de mars")
    for person in people:  # both presses are in before the bot answers either
        person.press("✍️ S'inscrire : 20/03 Atelier Émergence de mars")
    answers = [await person.next_message() for person in people]
    texts = sorted((a.text or "") for a in answers)
    assert sum("vous êtes inscrit·e" in t for t in texts) == 1
    assert sum("est complet" in t for t in texts) == 1
    assert await seats_taken(bot, event.id) == 1
    assert list((await registrations(bot, event.id)).values()) == ["registered"]


async def test_volunteers_see_and_are_invited_to_vie_associative_events(sbot: Harness) -> None:
    bot = sbot
    await seed_volunteer(bot, 6010, "Paula", ("reviews",))
    lea = bot.staff("Léa")
    lea.send_command("/atelier")
    await lea.expect("Quel type d'événement")
    lea.press("Vie associative")
    await lea.expect("Quel est son titre")
    lea.send_text("Assemblée générale")
    await lea.expect("Quel jour")
    lea.send_text("27/03/2026")
    await lea.expect("À quelle heure")
    lea.send_text("18:00")
    await lea.expect("Où a-t-il lieu")
    lea.send_text("Dijon")
    await lea.expect("Combien de places")
    lea.press("Passer")
    await lea.expect("À qui s'adresse-t-il")
    lea.press("Bénévoles")
    await lea.expect("Le Pôle l'anime-t-il")
    lea.press("Le Pôle l'anime")
    await lea.expect("Nouvel événement")
    lea.press("✅ Enregistrer")
    await lea.expect("places sans limite")
    await lea.expect("1 bénévole invité·e par message")
    paula = bot.api.user(6010)
    invitation = await paula.expect("Le Pôle vous invite")
    assert "Assemblée générale" in (invitation.text or "")
    paula.press("✍️ S'inscrire : 27/03 Assemblée générale", message=invitation)
    await paula.expect("vous êtes inscrit·e à")
    # A holder does not see a volunteers' event, nor may register with a forged button.
    holder = bot.holder()
    holder.send_command("/agenda")
    listing = await holder.next_message()
    assert "Assemblée générale" not in (listing.text or "")
    async with bot.session_factory() as session:
        (event,) = await agenda.upcoming(session, bot.clock.now(), (agenda.VOLUNTEERS,))
    holder.press_raw(f"ag:reg:{event.id}")
    await holder.expect("réservé à un autre public")
    assert list((await registrations(bot, event.id)).values()) == ["registered"]  # Paula only


async def test_after_the_event_the_creator_records_attendance(sbot: Harness) -> None:
    bot = sbot
    camille = bot.staff("Camille")
    camille.send_command("/atelier")
    await camille.expect("Quel type d'événement")
    for step in ("Atelier CRDVA",):
        camille.press(step)
    for typed in ("Fonction employeur", "20/03/2026", "9h30", "Dijon", "10"):
        await camille.next_message()
        camille.send_text(typed)
    await camille.expect("À qui s'adresse-t-il")
    camille.press("Tout le monde")
    await camille.expect("Le Pôle l'anime-t-il")
    camille.press("Le Pôle l'anime")
    await camille.expect("Nouvel événement")
    camille.press("✅ Enregistrer")
    await camille.expect("Événement enregistré")
    zoe, yann = bot.holder(), bot.holder(5002, "Yann")
    for person in (zoe, yann):
        await open_agenda(person, "Fonction employeur")
        person.press("✍️ S'inscrire : 20/03 Fonction employeur")
        await person.expect("vous êtes inscrit·e à")

    karim = bot.staff("Karim")  # not the creator, not an admin
    bot.clock.set(datetime(2026, 3, 20, 15, 0, tzinfo=UTC))
    karim.send_command("/presences")
    await karim.expect("Aucun événement passé")
    await dispatch(bot)
    prompt = await camille.expect("est passé : notez qui est venu")
    camille.press("20/03 · Fonction employeur", message=prompt)
    sheet = await camille.expect("Présences : Fonction employeur")
    assert "2 inscrit·es" in (sheet.text or "")
    camille.press("❔ Zoé Martin", message=sheet)
    marked = await camille.expect("Présences : Fonction employeur")
    assert ["✅ Zoé Martin"] in marked.buttons and ["❔ Yann Martin"] in marked.buttons
    forged = karim.press_raw(marked.inline_buttons[0][0]["callback_data"])
    assert "Seule la personne qui a créé" in await bot.button_answer(forged)
    camille.press("🏁 Terminer (personnes venues sans inscription)", message=marked)
    await camille.expect("Combien de personnes sont venues sans s'être inscrites")
    camille.send_text("beaucoup")
    await camille.expect("nombre")
    camille.send_text("4")
    done = await camille.expect("Présences enregistrées")
    assert "1 inscrit·e venu·e, 4 sans inscription, 5 en tout" in (done.text or "")
    async with bot.session_factory() as session:
        assert await agenda.to_record(session, None, bot.clock.now()) == []
        (event,) = (await session.execute(select(AgendaEvent))).scalars().all()[-1:]
    assert (event.state, event.walk_ins) == (agenda.HELD, 4)
    camille.send_command("/presences")
    again = await camille.expect("De quel événement")
    assert again.buttons == [["✏️ Corriger : 20/03/2026 09:30 · Fonction employeur"]]


async def test_the_agenda_yaml_seed_is_imported_once(sbot: Harness) -> None:
    bot = sbot
    async with bot.session_factory() as session:
        before = await agenda.upcoming(session, bot.clock.now(), limit=50)
    assert [e.external_key for e in before] == [
        "agenda.yaml:emergence-2026-12-08",
        "agenda.yaml:paroles-experts-2027-01-19",
        "agenda.yaml:crdva-2027-02-16",
    ]
    await bot.restart()
    async with bot.session_factory() as session:
        after = await agenda.upcoming(session, bot.clock.now(), limit=50)
    assert [e.id for e in after] == [e.id for e in before]


async def test_an_intake_routed_to_accueil_en_amont_offers_the_next_emergence(
    sbot: Harness,
) -> None:
    from tests.e2e.flows import EARLY_IDEA, answer, start_path

    bot = sbot
    await seed_event(bot, "Émergence de printemps", capacity=None, audience=agenda.HOLDERS)
    holder = bot.holder()
    await start_path(holder, "💡 J'ai une idée de projet")
    await answer(holder, EARLY_IDEA)
    holder.press("📨 Envoyer")
    await holder.expect("l'accueil en amont")
    offer = await holder.expect("Prochain atelier Émergence")
    assert "Émergence de printemps" in (offer.text or "")
    holder.press("✍️ S'inscrire : 20/03 Émergence de printemps", message=offer)
    await holder.expect("vous êtes inscrit·e à")
    assert count(bot, holder, "nous vous invitons") == 0  # the offer, not also the general line


async def test_without_an_upcoming_emergence_the_holder_is_told_where_to_look(
    sbot: Harness,
) -> None:
    from tests.e2e.flows import EARLY_IDEA, answer, start_path

    bot = sbot
    bot.clock.set(datetime(2028, 1, 10, 10, 0, tzinfo=UTC))  # after every seeded workshop
    holder = bot.holder()
    await start_path(holder, "💡 J'ai une idée de projet")
    await answer(holder, EARLY_IDEA)
    holder.press("📨 Envoyer")
    await holder.expect("l'accueil en amont")
    await holder.expect("nous vous invitons à l'atelier collectif")
    await drained(bot)
    assert count(bot, holder, "Prochain atelier Émergence") == 0


async def test_the_menu_agenda_registers_and_a_second_registration_is_reminded(
    sbot: Harness,
) -> None:
    bot = sbot
    holder = bot.holder()
    holder.send_command("/start")
    await holder.expect("Bienvenue")
    holder.press("📅 Prochains ateliers")
    agenda_screen = await holder.expect("Prochains ateliers")
    assert agenda_screen.buttons[-1] == ["⬅️ Menu"]  # one button per event, then the menu
    assert len(agenda_screen.buttons) == 4
    label = "✍️ S'inscrire : 08/12 Atelier Émergence : de l'idée au projet"
    holder.press(label, message=agenda_screen)
    confirmed = await holder.expect("vous êtes inscrit·e à")
    holder.press("❌ Me désinscrire : 08/12 Atelier Émergence : de l'idée au projet")
    await holder.expect("est annulée")
    bot.clock.set(datetime(2026, 12, 7, 14, 0, tzinfo=UTC))
    assert (await dispatch(bot)).sent == 0  # cancelled: no reminder
    holder.press(label, message=agenda_screen)  # registered again: the reminder is back
    await holder.expect("vous êtes inscrit·e à")
    await dispatch(bot)
    reminder = await holder.expect("Rappel")
    assert "08/12/2026 14:00" in (reminder.text or "")
    assert "08/12/2026 14:00" in (confirmed.text or "")
