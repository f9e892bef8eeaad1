"""What each role receives of a holder's data matches the consent text (domain/visibility.py):
checked on the messages themselves, through the fake Bot API."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update

from pes21_bot.db.models import Review
from pes21_bot.domain.visibility import Field, Relation, Viewer, shown_answers, visible_fields
from pes21_bot.fake_telegram import BotMessage, FakeUser
from tests.e2e.flows import EARLY_IDEA, answer, start_path
from tests.e2e.outbox_helpers import drained
from tests.harness import Harness
from tests.volunteers.helpers import dispatch, end_by_service, seed_project, seed_volunteer, travel

PARIS = ZoneInfo("Europe/Paris")
WENDY, PAULA, REMI = 6020, 6023, 6011
# EARLY_IDEA's holder: "Paul Durand", phone 06 12 34 56 79, in Beaune, a café associatif.
FIRST_NAME, SURNAME, PHONE_DIGITS = "Paul", "Durand", "12345679"
IDEA, COMMUNE = "café associatif", "Beaune"


def _text(message: BotMessage) -> str:
    return message.text or ""


def _has_contact(text: str) -> bool:
    return SURNAME in text or PHONE_DIGITS in text.replace(" ", "")


async def _early_project_sent(bot: Harness) -> FakeUser:
    await seed_volunteer(bot, WENDY, "Wendy", ("welcoming",))
    await seed_volunteer(bot, PAULA, "Paula", ("welcoming",))
    holder = bot.holder()
    await start_path(holder, "💡 J'ai une idée de projet")
    await answer(holder, EARLY_IDEA)
    holder.press("📨 Envoyer")
    await holder.expect("PES-2026-0001")
    return holder


async def test_welcoming_volunteers_see_contact_details_only_once_they_hold_it(
    sbot: Harness,
) -> None:
    holder = await _early_project_sent(sbot)
    wendy, paula = sbot.api.user(WENDY), sbot.api.user(PAULA)
    card = await wendy.expect("PES-2026-0001")
    other_card = await paula.expect("PES-2026-0001")
    assert card.buttons == [["✋ Je prends"]]
    for text in (_text(card), _text(other_card)):  # before claiming
        assert FIRST_NAME in text and IDEA in text and COMMUNE in text, text
        assert not _has_contact(text), text
    staff_card = await sbot.staff("Camille").expect("PES-2026-0001")
    assert SURNAME in _text(staff_card) and PHONE_DIGITS in _text(staff_card).replace(" ", "")

    await drained(sbot)  # every card sent and recorded, so that the claim edits them all
    wendy.press("✋ Je prends", message=card)
    await wendy.expect("Pris en charge par Wendy")
    panel = await wendy.expect("Suivi par : Wendy")  # the dossier's panel, for the mission
    assert ["📝 Premier échange"] in panel.buttons
    await sbot.settle()
    mine = sbot.api.bot_message(WENDY, card.message_id)
    theirs = sbot.api.bot_message(PAULA, other_card.message_id)
    # Nothing of staff's on a volunteer's card: the mission's buttons for her, none for Paula.
    assert mine.buttons == [["📝 Premier échange"], ["🧭 Proposer une orientation"]]
    assert theirs.buttons == []
    assert _has_contact(_text(mine)) and SURNAME in _text(mine)  # she holds it: she calls
    assert "Pris en charge par Wendy" in _text(theirs) and not _has_contact(_text(theirs))
    staff_copy = sbot.api.bot_message(sbot.staff("Léa").chat_id, staff_card.message_id)
    assert SURNAME in _text(staff_copy) and "Bénévole associé·e : Wendy" in _text(staff_copy)

    wendy.send_command("/dossier", "PES-2026-0001")
    await wendy.expect("PES-2026-0001")
    wendy.press("📋 Réponses")
    answers = await wendy.expect("Réponses")
    assert SURNAME in _text(answers) and PHONE_DIGITS in _text(answers).replace(" ", "")
    paula.send_command("/dossier", "PES-2026-0001")
    await paula.expect("Le dossier PES-2026-0001 n'est pas l'un des vôtres")  # not hers

    holder.send_command("/mes_donnees")  # the holder sees everything of their own
    own = await holder.expect("Durand")
    assert PHONE_DIGITS in _text(own).replace(" ", "")

    admin = sbot.admin()
    admin.send_command("/dossier", "PES-2026-0001")
    await admin.expect("PES-2026-0001")
    admin.press("📋 Réponses")
    assert SURNAME in _text(await admin.expect("Réponses"))
    paula.send_command("/export")  # exports: staff and admins only
    await paula.expect("réservée")


async def test_review_volunteers_see_contact_details_only_while_the_review_is_open(
    sbot: Harness,
) -> None:
    project = await seed_project(sbot)  # holder Zoé Martin, +33612345678
    await seed_volunteer(sbot, REMI, "Rémi")
    scheduled = await end_by_service(sbot, project, date(2026, 3, 10))
    remi = sbot.api.user(REMI)
    travel(sbot, datetime(2026, 6, 10, 9, 0, tzinfo=PARIS))
    await dispatch(sbot)
    reminder = await remi.expect("Bilan à faire")
    assert "06 12 34 56 78" in _text(reminder) and "Zoé Martin" in _text(reminder)

    async with sbot.session_factory.begin() as session:
        await session.execute(
            update(Review).where(Review.id == scheduled[0].id).values(state="done")
        )
    remi.press("Saisir le bilan", message=reminder)
    await sbot.settle()
    travel(sbot, datetime(2026, 6, 17, 9, 0, tzinfo=PARIS))  # the overdue reminder's time
    await dispatch(sbot)
    remi.send_command("/mes_bilans")
    await remi.expect("PES-2026-0001")
    assert all("06 12 34 56 78" not in _text(m) for m in remi.unread())


def test_the_rule_per_role() -> None:
    answers = {"name": "Zoé Martin", "phone": "+336", "commune": "Dijon", "idea": "Recyclerie"}
    everything = frozenset(Field)
    for viewer in (Viewer.HOLDER, Viewer.STAFF, Viewer.ADMIN):
        assert visible_fields(viewer, Relation.NONE) == everything
    assert visible_fields(Viewer.WELCOMING, Relation.HOLDS) == everything
    before = visible_fields(Viewer.WELCOMING, Relation.NONE)
    assert shown_answers(answers, before) == {
        "name": "Zoé",
        "commune": "Dijon",
        "idea": "Recyclerie",
    }
    review = visible_fields(Viewer.REVIEWER, Relation.REVIEW_OPEN)
    assert shown_answers(answers, review) == {"name": "Zoé Martin", "phone": "+336"}
    assert visible_fields(Viewer.REVIEWER, Relation.REVIEW_CLOSED) == frozenset()
