"""A person's registrations are theirs: /mes_donnees lists them, /supprimer frees their places."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pes21_bot.db.models import Registration
from pes21_bot.services import agenda
from pes21_bot.services.people import find_person
from tests.agenda.helpers import open_agenda, registrations, seats_taken, seed_event
from tests.harness import Harness

REGISTER = "✍️ S'inscrire : 20/03 Atelier Émergence de mars"


async def test_my_data_lists_registrations_and_erasure_frees_the_place(sbot: Harness) -> None:
    bot = sbot
    event = await seed_event(bot, capacity=1)
    zoe = bot.holder()
    yann = bot.holder(5002, "Yann")
    await open_agenda(zoe, "Atelier Émergence de mars")
    zoe.press(REGISTER)
    await zoe.expect("vous êtes inscrit·e à")
    await open_agenda(yann, "Atelier Émergence de mars")
    yann.press(REGISTER)
    await yann.expect("est complet")
    yann.press("⏳ M'inscrire sur la liste d'attente")
    await yann.expect("(position 1)")

    past = await seed_event(bot, "Atelier de février", at=datetime(2026, 2, 10, 13, 0, tzinfo=UTC))
    async with bot.session_factory() as session, session.begin():
        person = await find_person(session, zoe.id)
        assert person is not None
        now = bot.clock.now()
        session.add(
            Registration(
                event_id=past.id,
                person_id=person.id,
                state=agenda.ATTENDED,
                created_at=now,
                updated_at=now,
            )
        )

    zoe.send_command("/mes_donnees")
    summary = await zoe.expect("Vos données gardées par le Pôle")
    assert "• Atelier Émergence de mars (20 mars 2026) : Inscrit·e" in (summary.text or "")
    zoe.press("📄 Recevoir le fichier", message=summary)
    document = await zoe.next_message()
    assert document.document is not None
    payload = json.loads(document.document.content or b"")
    _, registration = payload["inscriptions"]
    assert registration["evenement"] == "Atelier Émergence de mars"
    assert registration["etat"] == "Inscrit·e"  # the label, not the stored code

    zoe.send_command("/supprimer")
    await zoe.expect("Voulez-vous vraiment effacer")
    zoe.press("Oui, tout effacer")
    await zoe.expect("vos données personnelles sont effacées")
    told = await yann.expect("Une place s'est libérée")
    assert "Atelier Émergence de mars" in (told.text or "")
    async with bot.session_factory() as session:
        z = await find_person(session, zoe.id)
        y = await find_person(session, yann.id)
    assert y is not None and z is None  # erased: no longer found by Telegram id
    states = await registrations(bot, event.id)
    assert sorted(states.values()) == ["cancelled", "registered"]
    assert states[y.id] == "registered"
    assert await seats_taken(bot, event.id) == 1
    async with bot.session_factory() as session:
        # The workshop she came to still counts her, anonymously.
        assert await agenda.attended_count(session, past.id) == 1
