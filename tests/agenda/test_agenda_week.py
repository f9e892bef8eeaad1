"""/atelier without a stumble: the date's buttons, an event today, an example in the future."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from pes21_bot.db.models import AgendaEvent
from pes21_bot.fake_telegram import BotMessage
from pes21_bot.services.people import UserInfo, ensure_person, find_person
from tests.agenda.helpers import open_agenda, registrations, seed_event
from tests.harness import Harness


async def test_an_event_date_is_offered_as_days_and_today_is_allowed(sbot: Harness) -> None:
    camille = sbot.staff("Camille")
    camille.send_command("/atelier")
    await camille.expect("Quel type d'événement")
    camille.press("Vie associative")
    await camille.expect("Quel est son titre")
    camille.send_text("Assemblée générale")
    asked = await camille.expect("Quel jour")
    labels = [label for row in asked.buttons for label in row]
    assert not [label for label in labels if "Jusqu'au" in label]  # the pause picker's words
    assert "Aujourd'hui (10/03/2026)" in labels
    camille.send_text("demain peut-être")
    wrong = await camille.expect("Je ne reconnais pas cette date")
    assert "par exemple 17/03/2026" in wrong.content  # an example ahead, not in the past
    camille.send_text("01/03/2026")
    past = await camille.expect("aujourd'hui ou plus tard")
    assert "par exemple 17/03/2026" in past.content
    camille.send_text("10/03/2026")  # today: an event this evening
    await camille.expect("À quelle heure")


async def test_attendance_can_be_corrected_once_saved(sbot: Harness) -> None:
    bot = sbot
    await seed_event(bot, "Atelier du jeudi", capacity=None)
    zoe = bot.holder()
    await open_agenda(zoe, "Atelier du jeudi")
    zoe.press("✍️ S'inscrire : 20/03 Atelier du jeudi")
    await zoe.expect("vous êtes inscrit·e à")
    bot.clock.set(datetime(2026, 3, 21, 9, 0, tzinfo=UTC))
    admin = bot.admin()
    for came, walk_ins, total in (("✅", "3", "4 en tout"), ("❌", "2", "2 en tout")):
        admin.send_command("/presences")
        menu = await admin.expect("De quel événement")
        admin.press(menu.buttons[0][0], message=menu)
        sheet = await admin.expect("Présences : Atelier du jeudi")
        admin.press("Zoé Martin", message=sheet)  # each press switches: came, then absent
        await bot.until(partial(_marked, bot, sheet, f"{came} Zoé Martin"), "the mark")
        admin.press("🏁 Terminer", message=sheet)
        await admin.expect("sans s'être inscrites")
        admin.send_text(walk_ins)
        done = await admin.expect("Présences enregistrées")
        assert total in done.content
    assert "✏️ Corriger" in menu.buttons[0][0]  # the second time: a correction


def _marked(bot: Harness, sheet: BotMessage, button: str) -> bool:
    return [button] in bot.api.bot_message(sheet.chat_id, sheet.message_id).buttons


async def test_staff_cancel_an_event_and_those_registered_are_told(both: Harness) -> None:
    bot = both
    camille = bot.staff("Camille")
    camille.send_command("/annuler_atelier")
    await camille.expect("aucun événement à venir")
    event = await seed_event(bot, "Atelier du jeudi", capacity=None)
    async with bot.session_factory.begin() as session:
        creator = await find_person(session, camille.id)
        if creator is None:
            creator = await ensure_person(session, UserInfo(camille.id, "Camille"), bot.clock.now())
        fresh = await session.get(AgendaEvent, event.id)
        assert fresh is not None
        fresh.created_by_id = creator.id
    zoe = bot.holder()
    await open_agenda(zoe, "Atelier du jeudi")
    zoe.press("✍️ S'inscrire : 20/03 Atelier du jeudi")
    await zoe.expect("vous êtes inscrit·e à")
    karim = bot.staff("Karim")  # not its creator
    karim.send_command("/annuler_atelier")
    await karim.expect("aucun événement à venir")

    camille.send_command("/annuler_atelier")
    menu = await camille.expect("Quel événement voulez-vous annuler")
    camille.press("❌ 20/03/2026 14:30 · Atelier du jeudi", message=menu)
    confirm = await camille.expect("1 personne inscrite ou en attente sera prévenue")
    camille.press("Oui, annuler l'événement", message=confirm)
    told = await zoe.expect("est annulé")
    assert "Atelier du jeudi" in told.content
    await bot.until(
        lambda: (
            "1 personne prévenue" in bot.api.bot_message(camille.id, confirm.message_id).content
        ),
        "the confirmation to say it is done",
    )
    zoe.send_command("/agenda")
    listing = await zoe.next_message()
    assert "Atelier du jeudi" not in listing.content
    assert list((await registrations(bot, event.id)).values()) == ["cancelled"]
