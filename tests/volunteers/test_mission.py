"""The welcoming volunteer who holds an accueil-en-amont dossier does the mission through the bot:
sees it, records the first exchange, proposes an orientation that the programme's staff decide."""

from __future__ import annotations

import json

from pes21_bot import buttons
from pes21_bot.db.models import Event, Project
from pes21_bot.fake_telegram import BotMessage, FakeUser
from pes21_bot.services import events, projects
from pes21_bot.services.people import UserInfo
from tests.agenda.helpers import seed_event
from tests.harness import HOLDER_ID, OTHER_HOLDER_ID, Harness
from tests.volunteers.helpers import rows, seed_project, seed_volunteer

WENDY = 6020
REFUSED = "Cette action est réservée"


async def _held_by_wendy(bot: Harness, holder_id: int = HOLDER_ID) -> Project:
    """An accueil-en-amont dossier that the welcoming volunteer Wendy took."""
    await seed_volunteer(bot, WENDY, "Wendy", ("welcoming",))
    project = await seed_project(bot, holder_id=holder_id, owner_id=None)
    async with bot.session_factory.begin() as session:
        fresh = await session.get(Project, project.id)
        assert fresh is not None
        fresh.programme = "accueil_amont"
    async with bot.session_factory.begin() as session:
        won = await projects.claim(session, project.id, UserInfo(WENDY, "Wendy"), bot.clock.now())
        assert won.won
    return won.project


def _labels(message: BotMessage) -> list[str]:
    assert message.reply_markup is not None
    return [b["text"] for row in message.reply_markup["inline_keyboard"] for b in row]


async def _open_panel(wendy: FakeUser, reference: str) -> None:
    wendy.send_command("/dossier", reference)
    panel = await wendy.expect(reference)
    labels = _labels(panel)
    assert "📝 Premier échange" in labels and "🧭 Proposer une orientation" in labels, labels
    assert not any("Réorienter" in label or "Clore" in label for label in labels), labels


async def _toast(bot: Harness, user: FakeUser, data: str) -> str:
    before = len(bot.api.calls_to("answerCallbackQuery"))
    user.press_raw(data)
    call = await bot.api.wait_for_call("answerCallbackQuery", before + 1)
    await bot.settle()
    return str(call.params.get("text") or "")


async def test_volunteer_sees_the_dossier_records_the_first_exchange(sbot: Harness) -> None:
    project = await _held_by_wendy(sbot)
    other = await seed_project(sbot, holder_id=OTHER_HOLDER_ID)  # Bénéfices'Créa: not hers
    reference = project.reference or ""
    wendy = sbot.api.user(WENDY)

    wendy.send_command("/dossiers")
    listed = await wendy.expect("Les dossiers d'accueil en amont que vous suivez")
    labels = _labels(listed)
    assert len(labels) == 1 and reference in labels[0]
    wendy.send_command("/dossier", other.reference or "")
    await wendy.expect("vous n'y avez pas accès")

    await _open_panel(wendy, reference)
    wendy.press("📝 Premier échange")
    await wendy.expect("Quand avez-vous échangé")
    wendy.press("Aujourd'hui (10/03/2026)")
    await wendy.expect("Comment avez-vous échangé")
    wendy.press("Rencontre")
    await wendy.expect("Qu'avez-vous dit")
    wendy.send_text("Elle veut ouvrir un café associatif à Beaune ; on se revoit en avril.")
    await wendy.expect("Récapitulatif")
    wendy.press("✅ Enregistrer")
    await wendy.expect("Premier échange noté")

    (row,) = await rows(sbot, Event, Event.kind == events.FIRST_EXCHANGE)
    assert row.project_id == project.id
    assert row.data["way"] == "meeting" and "café associatif" in row.data["notes"]
    wendy.send_command("/dossier", reference)
    await wendy.expect(reference)
    wendy.press("🕓 Historique")
    history = await wendy.expect("Historique")
    assert "premier échange" in (history.text or "").lower() and "rencontre" in (history.text or "")

    camille = sbot.staff("Camille")
    camille.send_command("/dossier", reference)
    staff_panel = await camille.expect(reference)
    assert "Bénévole associé·e : Wendy" in (staff_panel.text or "")

    holder = sbot.holder()  # what was said is about the holder: in their file, erased with them
    holder.send_command("/mes_donnees")
    summary = await holder.expect("Vos données gardées par le Pôle")
    holder.press("📄 Recevoir le fichier", message=summary)
    document = await holder.next_message()
    assert document.document is not None
    (exchange,) = json.loads(document.document.content or b"")["dossiers"][0]["premiers_echanges"]
    assert exchange["moyen"] == "Rencontre" and "café associatif" in exchange["notes"]
    holder.send_command("/supprimer")
    await holder.expect("Voulez-vous vraiment effacer")
    holder.press("Oui, tout effacer")
    await holder.expect("vos données personnelles sont effacées")
    (row,) = await rows(sbot, Event, Event.kind == events.FIRST_EXCHANGE)
    assert row.data == {"on": "2026-03-10", "way": "meeting"}


async def test_orientation_to_benefices_crea_accepted_once(sbot: Harness) -> None:
    project = await _held_by_wendy(sbot)
    reference = project.reference or ""
    wendy = sbot.api.user(WENDY)
    holder = sbot.holder()
    await _open_panel(wendy, reference)
    wendy.press("🧭 Proposer une orientation")
    await wendy.expect("Quelle orientation")
    wendy.press("💼 Bénéfices'Créa (projet mûr)")
    await wendy.expect("Proposition envoyée")
    again = buttons.MISSION_PROPOSE.pack(project.id, "emergence", "-")
    assert "attend déjà" in await _toast(sbot, wendy, again)  # one proposal at a time

    camille, lea = sbot.staff("Camille"), sbot.staff("Léa")
    for_camille = await camille.expect("propose d'orienter")
    for_lea = await lea.expect("propose d'orienter")
    assert "Wendy" in (for_camille.text or "") and reference in (for_camille.text or "")
    decide = buttons.MISSION_DECIDE.pack(1, "accept")
    assert REFUSED in await _toast(sbot, wendy, decide)  # the volunteer may not decide
    assert REFUSED in await _toast(sbot, holder, decide)
    assert REFUSED in await _toast(sbot, sbot.staff("Karim"), decide)  # DLA staff
    (fresh,) = [p for p in await sbot.projects() if p.id == project.id]
    assert fresh.programme == "accueil_amont"

    camille.press("✅ Accepter", message=for_camille)
    await wendy.expect("a accepté votre proposition")
    await camille.expect("Nouveau")  # Camille follows Bénéfices'Créa: the new card
    await holder.expect("Bénéfices")
    (fresh,) = [p for p in await sbot.projects() if p.id == project.id]
    assert fresh.programme == "benefices_crea" and fresh.status == "routed"
    assert fresh.owner_id is None

    lea.press("✅ Accepter", message=for_lea)
    await sbot.settle()
    assert "déjà" in await _toast(sbot, lea, decide)
    assert await rows(sbot, Event, Event.kind == events.ORIENTATION_ACCEPTED) != []
    assert len(await rows(sbot, Event, Event.kind == events.REDIRECTED)) == 1
    # Once redirected, the dossier is no longer the volunteer's.
    wendy.send_command("/dossier", reference)
    await wendy.expect("vous n'y avez pas accès")


async def test_orientation_close_refused_then_accepted(sbot: Harness) -> None:
    holder = sbot.holder()
    project = await _held_by_wendy(sbot)
    reference = project.reference or ""
    wendy = sbot.api.user(WENDY)
    await _open_panel(wendy, reference)
    await _propose_closing(wendy)
    camille = sbot.staff("Camille")
    proposal = await camille.expect("clore")
    camille.press("❌ Refuser", message=proposal)
    await wendy.expect("n'a pas retenu")
    (fresh,) = [p for p in await sbot.projects() if p.id == project.id]
    assert fresh.status == "claimed"
    accept_again = buttons.MISSION_DECIDE.pack(1, "accept")
    assert "déjà traitée" in await _toast(sbot, camille, accept_again)
    (fresh,) = [p for p in await sbot.projects() if p.id == project.id]
    assert fresh.status == "claimed"  # refused is final: that proposal is done

    # An accepted Émergence orientation closes the dossier: its own test below.
    await sbot.settle()
    camille.unread()
    await _propose_closing(wendy, await _last_panel(wendy, reference))
    closing = await camille.expect("clore")
    camille.press("✅ Accepter", message=closing)
    await wendy.expect("a accepté votre proposition")
    await holder.expect("renonce")
    (fresh,) = [p for p in await sbot.projects() if p.id == project.id]
    assert fresh.status == "closed" and fresh.close_reason == "withdrawn"


async def test_other_programme_orientation_sends_the_card(sbot: Harness) -> None:
    project = await _held_by_wendy(sbot)
    wendy = sbot.api.user(WENDY)
    await _open_panel(wendy, project.reference or "")
    wendy.press("🧭 Proposer une orientation")
    await wendy.expect("Quelle orientation")
    wendy.press("🔀 Un autre programme")
    await wendy.expect("Vers quel programme")
    wendy.press("le DLA")
    await wendy.expect("Proposition envoyée")
    proposal = await sbot.staff("Camille").expect("propose d'orienter")
    sbot.staff("Camille").press("✅ Accepter", message=proposal)
    await sbot.staff("Karim").expect(project.reference or "")
    (fresh,) = [p for p in await sbot.projects() if p.id == project.id]
    assert fresh.programme == "dla"


async def _last_panel(wendy: FakeUser, reference: str) -> int:
    wendy.send_command("/dossier", reference)
    panel = await wendy.expect(reference)
    return panel.message_id


async def _propose_closing(wendy: FakeUser, panel: int | None = None) -> None:
    wendy.press("🧭 Proposer une orientation", message=panel)
    await wendy.expect("Quelle orientation")
    wendy.press("🚪 Clore le dossier")
    await wendy.expect("Pour quelle raison")
    wendy.press("la personne renonce")
    await wendy.expect("Proposition envoyée")


async def test_the_coordinator_lists_the_dossier_a_volunteer_holds(both: Harness) -> None:
    project = await _held_by_wendy(both)
    reference = project.reference or "?"
    camille = both.staff("Camille")  # coordinates the accueil en amont
    camille.send_command("/dossiers")
    listed = await camille.expect("Touchez un dossier")
    assert any(reference in label for label in _labels(listed))
    lea = both.staff("Léa")  # staff of the accueil en amont, not its coordinator
    lea.send_command("/dossiers")
    shown = await lea.next_message()
    assert reference not in str(shown.reply_markup)


async def test_an_accepted_emergence_orientation_closes_tells_and_offers_the_workshop(
    both: Harness,
) -> None:
    await seed_event(both)  # the next Émergence workshop, 20/03
    project = await _held_by_wendy(both)
    reference = project.reference or ""
    wendy, holder = both.api.user(WENDY), both.holder()
    await _open_panel(wendy, reference)
    wendy.press("🧭 Proposer une orientation")
    wendy.press("🌱 Atelier Émergence", message=await wendy.expect("Quelle orientation"))
    await wendy.expect("Proposition envoyée")
    camille = both.staff("Camille")
    camille.press("✅ Accepter", message=await camille.expect("propose d'orienter"))
    await wendy.expect("a accepté votre proposition")
    told = await holder.expect("le Pôle vous propose l'atelier collectif Émergence")
    assert reference in (told.text or "")
    offer = await holder.expect("Atelier Émergence de mars")
    assert ["✍️ S'inscrire : 20/03 Atelier Émergence de mars"] in offer.buttons
    (fresh,) = [p for p in await both.projects() if p.id == project.id]
    assert (fresh.status, fresh.close_reason) == ("closed", "emergence")
    camille.send_command("/dossier", reference)
    camille.press("🕓 Historique", message=await camille.expect("Suivi par"))
    assert "orienté vers l'atelier Émergence" in ((await camille.expect("Historique")).text or "")
