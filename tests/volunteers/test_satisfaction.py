"""The satisfaction survey through the fake Bot API: sent once, 14 days after the end, outside
quiet hours; answered with buttons (only the rating required) or declined; never to an erased
holder; the comment erased with the holder's data."""

from __future__ import annotations

import json
from datetime import date

from pes21_bot.db.models import Reminder
from pes21_bot.fake_telegram import BotMessage, FakeUser
from pes21_bot.services import events
from tests.e2e.flows import submit_idea
from tests.harness import OTHER_HOLDER_ID, Harness
from tests.volunteers.helpers import (
    end_by_service,
    events_of,
    paris_2026,
    reminders_of,
    tick,
    travel,
)

INVITATION = "Votre accompagnement par le Pôle"


async def accompanied(bot: Harness, ended_on: date) -> FakeUser:
    """Zoé's idea, claimed by Camille in the chat, then accompanied until `ended_on`."""
    zoe = bot.holder()
    await submit_idea(zoe)
    camille = bot.staff("Camille")
    await camille.expect("PES-2026-0001")
    camille.press("✋ Je prends")
    await camille.expect("Pris en charge par Camille")
    (project,) = await bot.projects()
    await end_by_service(bot, project, ended_on)
    zoe.unread()
    return zoe


async def invited(bot: Harness, ended_on: date) -> tuple[FakeUser, BotMessage]:
    """Zoé accompanied until `ended_on`, and her invitation, sent on 24 March at 9:00."""
    zoe = await accompanied(bot, ended_on)
    travel(bot, paris_2026(3, 24, 9, 0))
    await tick(bot)
    return zoe, await zoe.expect(INVITATION)


async def rate(user: FakeUser, rating: str) -> None:
    """Open the survey from the invitation and give a rating."""
    user.press("✍️ Répondre")
    await user.expect("de 1 (pas du tout) à 5")
    user.press(rating)


async def save(user: FakeUser) -> None:
    """The survey's recap, saved."""
    await user.expect("Votre avis sur l'accompagnement")
    user.press("✅ Enregistrer")
    await user.expect("Merci pour vos réponses")


def replay(message: BotMessage, row: int) -> str:
    """The callback data of a button pressed again after its keyboard was removed."""
    return str(message.inline_buttons[row][0]["callback_data"])


def invitations(user: FakeUser) -> list[str]:
    return [m.text or "" for m in user.unread() if INVITATION in (m.text or "")]


async def test_survey_fourteen_days_after_the_end_answered_with_buttons(both: Harness) -> None:
    zoe = await accompanied(both, date(2026, 3, 10))
    travel(both, paris_2026(3, 23, 18, 0))
    await tick(both)
    assert invitations(zoe) == []
    travel(both, paris_2026(3, 24, 8, 31))  # 14 days after, once quiet hours end
    await tick(both)
    invitation = await zoe.expect(INVITATION)
    assert "facultatif" in (invitation.text or "") and "PES-2026-0001" in (invitation.text or "")
    assert invitation.buttons == [["✍️ Répondre"], ["Non merci"]]
    zoe.press("✍️ Répondre")
    rating = await zoe.expect("de 1 (pas du tout) à 5")
    assert rating.buttons[0][:5] == ["1", "2", "3", "4", "5"]
    zoe.press("4")
    helped = await zoe.expect("le plus aidé")
    assert ["Passer"] in helped.buttons
    zoe.press("Les contacts et le réseau")
    await zoe.expect("Un commentaire")
    zoe.send_text('=HYPERLINK("x") Merci à Camille pour son écoute.')
    await zoe.expect("Recommanderiez-vous")
    zoe.press("Oui")
    # The last question: may the Pôle quote the comment in its activity report?
    consent = await zoe.expect("cite votre commentaire dans son rapport d'activité")
    assert consent.buttons == [["Oui, avec mon prénom"], ["Oui, anonymement"], ["Non"], ["Passer"]]
    zoe.press("Oui, avec mon prénom")
    await save(zoe)
    (answer,) = await events_of(both, events.SATISFACTION_ANSWERED)
    assert answer.data["rating"] == 4 and answer.data["helped"] == "network"
    assert answer.data["quote"] == "first_name"
    assert answer.data["recommend"] == "yes" and answer.programme == "benefices_crea"
    await tick(both)
    travel(both, paris_2026(4, 24, 10, 0))
    await tick(both)
    assert invitations(zoe) == []
    assert both.api.bot_message(zoe.id, invitation.message_id).buttons == []  # keyboard gone
    zoe.press_raw(replay(invitation, 0), invitation.message_id)
    await zoe.expect("n'est plus disponible")
    assert len(await events_of(both, events.SATISFACTION_ANSWERED)) == 1


async def test_only_the_rating_is_needed_and_no_thanks_is_once(sbot: Harness) -> None:
    zoe, invitation = await invited(sbot, date(2026, 3, 10))
    await rate(zoe, "2")
    for prompt in ("le plus aidé", "Un commentaire", "Recommanderiez-vous", "cite votre"):
        await zoe.expect(prompt)
        zoe.press("Passer")
    await save(zoe)
    (answer,) = await events_of(sbot, events.SATISFACTION_ANSWERED)
    assert answer.data == {
        "rating": 2,
        "helped": None,
        "recommend": None,
        "comment": None,
        "quote": None,
    }
    zoe.press_raw(replay(invitation, 1), invitation.message_id)
    await zoe.expect("n'est plus disponible")
    assert await events_of(sbot, events.SATISFACTION_DECLINED) == []


async def test_no_thanks_is_recorded_and_nothing_more_is_asked(sbot: Harness) -> None:
    zoe, invitation = await invited(sbot, date(2026, 3, 10))
    zoe.press("Non merci")
    await zoe.expect("nous ne vous poserons plus la question")
    assert len(await events_of(sbot, events.SATISFACTION_DECLINED)) == 1
    assert sbot.api.bot_message(zoe.id, invitation.message_id).buttons == []  # keyboard gone
    zoe.press_raw(replay(invitation, 0), invitation.message_id)
    await zoe.expect("n'est plus disponible")


async def test_a_survey_due_on_sunday_waits_for_monday_morning(sbot: Harness) -> None:
    zoe = await accompanied(sbot, date(2026, 3, 1))  # + 14 days: Sunday 15 March
    travel(sbot, paris_2026(3, 15, 11, 0))
    await tick(sbot)
    assert invitations(zoe) == []
    travel(sbot, paris_2026(3, 16, 8, 31))
    await tick(sbot)
    await zoe.expect(INVITATION)


async def test_someone_else_cannot_answer_for_the_holder(sbot: Harness) -> None:
    await accompanied(sbot, date(2026, 3, 10))
    (project,) = await sbot.projects()
    other = sbot.holder(OTHER_HOLDER_ID, "Yann")
    other.send_command("/start")
    await other.expect("Bienvenue")
    other.press_raw(f"sv:go:{project.id}")
    await other.expect("n'est plus disponible")
    other.press_raw(f"sv:no:{project.id}")
    await other.expect("n'est plus disponible")
    assert await events_of(sbot, events.SATISFACTION_DECLINED) == []


async def test_an_erased_holder_is_never_surveyed(sbot: Harness) -> None:
    zoe = await accompanied(sbot, date(2026, 3, 10))
    (pending,) = await reminders_of(sbot, Reminder.kind == "satisfaction_survey")
    assert pending.state == "pending"
    zoe.send_command("/supprimer")
    await zoe.expect("Voulez-vous vraiment effacer")
    zoe.press("Oui, tout effacer")
    await zoe.expect("vos données personnelles sont effacées")
    travel(sbot, paris_2026(3, 24, 9, 0))
    await tick(sbot)
    assert invitations(zoe) == []
    assert [r.state for r in await reminders_of(sbot, Reminder.kind == "satisfaction_survey")] in (
        [],
        ["cancelled"],
    )


async def test_the_comment_goes_with_the_holders_data(both: Harness) -> None:
    zoe, _ = await invited(both, date(2026, 3, 10))
    await rate(zoe, "5")
    await zoe.expect("le plus aidé")
    zoe.press("Passer")
    await zoe.expect("Un commentaire")
    zoe.send_text("Zoé Martin, très contente.")
    await zoe.expect("Recommanderiez-vous")
    zoe.press("Non")
    await zoe.expect("cite votre commentaire")
    zoe.press("Oui, anonymement")
    await save(zoe)
    zoe.send_command("/mes_donnees")
    summary = await zoe.expect("Vos données gardées par le Pôle")
    zoe.press("📄 Recevoir le fichier", message=summary)
    document = await zoe.next_message()
    assert document.document is not None
    (kept,) = json.loads(document.document.content or b"")["questionnaire_de_satisfaction"]
    assert kept["dossier"] == "PES-2026-0001" and kept["note_sur_5"] == 5
    assert kept["commentaire"] == "Zoé Martin, très contente."
    assert kept["citation_dans_le_rapport"] == "Oui, anonymement"  # /mes_donnees shows labels
    zoe.send_command("/supprimer")
    await zoe.expect("Voulez-vous vraiment effacer")
    zoe.press("Oui, tout effacer")
    await zoe.expect("vos données personnelles sont effacées")
    (answer,) = await events_of(both, events.SATISFACTION_ANSWERED)
    assert answer.data["comment"] is None and answer.data["rating"] == 5
    assert answer.data["quote"] is None  # nothing left to quote in the activity report
    assert answer.actor_id is None
    await both.staff("Camille").expect("effacé à la demande de la personne")


async def correct_end(bot: Harness, ended_on: str) -> None:
    """Camille corrects the accompaniment's end in the chat."""
    camille = bot.staff("Camille")
    camille.send_command("/dossier", "PES-2026-0001")
    camille.press("🧭 Accompagnement", message=await camille.expect("Suivi par"))
    camille.press("✏️ Corriger la date de fin", message=await camille.expect("Accompagnement de"))
    await camille.expect("Quelle est la bonne date de fin")
    camille.send_text(ended_on)
    await camille.expect("Date de fin de l'accompagnement de PES-2026-0001 corrigée")


async def test_a_corrected_end_moves_the_survey(both: Harness) -> None:
    zoe = await accompanied(both, date(2026, 3, 10))
    await correct_end(both, "05/03/2026")
    travel(both, paris_2026(3, 18, 18, 0))
    await tick(both)
    assert invitations(zoe) == []
    travel(both, paris_2026(3, 19, 9, 0))  # 14 days after the corrected end
    await tick(both)
    await zoe.expect(INVITATION)
    travel(both, paris_2026(3, 24, 9, 0))
    await tick(both)
    assert invitations(zoe) == []


async def test_a_corrected_end_long_past_offers_the_survey_once(both: Harness) -> None:
    zoe = await accompanied(both, date(2026, 3, 10))
    await correct_end(both, "20/02/2026")
    await tick(both)
    await zoe.expect(INVITATION)
    travel(both, paris_2026(3, 24, 9, 0))
    await tick(both)
    assert invitations(zoe) == []
