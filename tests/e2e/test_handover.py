"""When people leave or change (issue 17): each removal path hands an open dossier and its
pending bilan to the programme's coordinator, else another staff member, else the admins; the
holder is told once who follows it (first name only) and writes to them from then on; the
person who left can no longer answer, press or ask about it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from pes21_bot import buttons
from pes21_bot.db.models import Person, Project, Review
from pes21_bot.domain.vocabulary import Programme, ReviewState
from pes21_bot.fake_telegram import BotMessage, FakeUser
from tests.e2e.flows import submit_idea
from tests.e2e.outbox_helpers import drained
from tests.harness import Harness
from tests.volunteers.helpers import CAMILLE, seed_project, seed_volunteer

pytestmark = pytest.mark.e2e

GONE = "Vous ne faites plus partie de l'équipe du Pôle"
TOLD = "est désormais suivi par"
QUESTION = "Bonjour, où en est mon dossier ?"
AFTER = "Et maintenant, qui me répond ?"
DOMINIQUE = 6021
NORA = 8001


@dataclass(frozen=True)
class Followed:
    """A dossier followed by someone about to leave, its bilan, and the relayed question."""

    project: int
    review: int
    holder: FakeUser
    leaving: FakeUser
    relayed: BotMessage


async def _followed(
    bot: Harness, leaving: FakeUser, programme: str, answers: dict[str, Any] | None = None
) -> Followed:
    """A dossier of ``programme`` claimed by ``leaving``, an open bilan of it assigned to them,
    and the holder's question relayed to them."""
    project = await seed_project(bot, owner_id=leaving.id, answers=answers)
    async with bot.session_factory.begin() as session:
        fresh = await session.get(Project, project.id)
        assert fresh is not None and fresh.owner_id is not None
        fresh.programme = programme
        owner = await session.get(Person, fresh.owner_id)
        assert owner is not None
        owner.first_name = leaving.first_name  # seed_project claims as "Staff"
        review = Review(
            project_id=project.id,
            assignee_id=fresh.owner_id,
            number=1,
            due_at=bot.clock.now() + timedelta(days=30),
            state=ReviewState.OPEN.value,
        )
        session.add(review)
        await session.flush()
        review_id = review.id
    holder = bot.holder()
    holder.send_text(QUESTION)
    await holder.expect("est transmis à")
    relayed = await leaving.expect(QUESTION)
    return Followed(project.id, review_id, holder, leaving, relayed)


async def _claimed_by_card(bot: Harness, staff: FakeUser) -> tuple[Followed, BotMessage]:
    """A dossier sent through the bot, claimed on its card, with a bilan and the question."""
    holder = bot.holder()
    await submit_idea(holder)
    card = await staff.expect("PES-2026-0001")
    staff.press("✋ Je prends", message=card)
    await holder.expect("pris en charge par")
    (project,) = await bot.projects()
    async with bot.session_factory.begin() as session:
        review = Review(
            project_id=project.id,
            assignee_id=project.owner_id,
            number=1,
            due_at=bot.clock.now() + timedelta(days=30),
            state=ReviewState.OPEN.value,
        )
        session.add(review)
        await session.flush()
        review_id = review.id
    holder.send_text(QUESTION)
    await holder.expect("est transmis à")
    relayed = await staff.expect(QUESTION)
    return Followed(project.id, review_id, holder, staff, relayed), card


async def _person_id(bot: Harness, telegram_id: int) -> int:
    async with bot.session_factory() as session:
        found = await session.execute(select(Person.id).where(Person.telegram_id == telegram_id))
        return int(found.scalar_one())


async def _handed_to(bot: Harness, case: Followed, heir: int) -> None:
    """The dossier and its bilan are the heir's in the database."""
    heir_id = await _person_id(bot, heir)
    async with bot.session_factory() as session:
        project = await session.get(Project, case.project)
        review = await session.get(Review, case.review)
    assert project is not None and project.owner_id == heir_id
    assert review is not None and review.assignee_id == heir_id


async def _holder_told_once_and_heard(
    bot: Harness, case: Followed, heir: FakeUser, name: str
) -> None:
    """The holder is told once who follows the dossier now; their next message reaches them."""
    told = await case.holder.expect(TOLD)
    assert f"suivi par {name}," in (told.text or ""), told.text
    case.holder.send_text(AFTER)
    await heir.expect(AFTER)
    await drained(bot)
    assert not [m for m in case.holder.unread() if TOLD in (m.text or "")]
    assert not [m for m in case.holder.unread() if "est transmis à" in (m.text or "")]
    assert not [m for m in case.leaving.unread() if AFTER in (m.text or "")]
    case.holder.send_command("/suivi")
    follow_up = await case.holder.expect("PES-2026-0001")
    assert f"suivi par {name}\n" in f"{follow_up.text}\n", follow_up.text  # first name only


async def _refused(bot: Harness, case: Followed, sentence: str, dossier_sentence: str) -> None:
    """Their reply, "Répondre", the dossier button and /dossier: refused, nothing reaches the
    holder."""
    leaving, relayed = case.leaving, case.relayed
    leaving.unread()
    leaving.send_text("Je réponds quand même", reply_to=relayed.message_id)
    assert sentence in ((await leaving.next_message()).text or "")
    leaving.press("↩️ Répondre", message=relayed)
    assert sentence in ((await leaving.next_message()).text or "")
    toast = await bot.button_answer(leaving.press("📂 Ouvrir le dossier", message=relayed))
    assert sentence in toast or "réservée" in toast, toast
    leaving.send_command("/dossier", "PES-2026-0001")
    assert dossier_sentence in ((await leaving.next_message()).text or "")
    await drained(bot)
    assert not [m for m in case.holder.unread() if "quand même" in (m.text or "")]


async def test_a_removed_welcoming_volunteer_hands_over_to_the_coordinator(bot: Harness) -> None:
    await seed_volunteer(bot, DOMINIQUE, "Dominique", ("welcoming", "reviews"))
    dominique = bot.api.user(DOMINIQUE)
    case = await _followed(bot, dominique, Programme.ACCUEIL_AMONT, {"idea": "x"})

    admin = bot.admin()
    admin.send_command("/retirer")
    admin.press("Dominique", message=await admin.expect("Qui souhaitez-vous retirer"))
    admin.press("Oui, retirer", message=await admin.expect("Retirer Dominique"))
    done = await admin.expect("ne fait plus partie des bénévoles")
    assert "Camille : PES-2026-0001" in (done.text or ""), done.text
    camille = bot.staff("Camille")  # coordinator of the accueil en amont
    handed = await camille.expect("ces dossiers vous sont confiés")
    assert "PES-2026-0001" in (handed.text or "")

    await _handed_to(bot, case, CAMILLE)
    await _holder_told_once_and_heard(bot, case, camille, "Camille")
    await _refused(bot, case, GONE, GONE)


async def test_the_only_staff_member_removed_leaves_the_dossier_to_the_admins(
    bot: Harness,
) -> None:
    lea = bot.staff("Léa")  # the Générateur's only staff member and its coordinator
    case = await _followed(bot, lea, Programme.GENERATEUR)

    admin = bot.admin()
    admin.send_command("/equipe")
    admin.press("✏️ Léa", message=await admin.expect("L'équipe du Pôle"))
    admin.press("🚪 Retirer de l'équipe", message=await admin.expect("Dispositifs :"))
    admin.press("Oui, retirer", message=await admin.expect("Retirer Léa de l'équipe ?"))
    done = await admin.expect("ne fait plus partie de l'équipe")
    text = done.text or ""
    assert "les admins suivent désormais" in text and "PES-2026-0001" in text, text
    assert "sans responsable" not in text

    await _handed_to(bot, case, admin.id)
    admin.send_command("/dossiers")  # the admins find what they hold now
    assert "PES-2026-0001" in str((await admin.expect("Vos dossiers ouverts")).reply_markup)
    await _holder_told_once_and_heard(bot, case, admin, "Direction")
    await _refused(bot, case, GONE, GONE)


async def test_a_staff_member_who_loses_a_programme_hands_its_dossiers_over(
    bot: Harness,
) -> None:
    camille = bot.staff("Camille")
    case, card = await _claimed_by_card(bot, camille)
    admin = bot.admin()
    admin.send_command("/invitation", "salarie benefices_crea")
    shown = await admin.expect("code d'invitation")
    code = re.search(r"\b([A-Z0-9]{5}-[A-Z0-9]{5})\b", shown.text or "")
    assert code is not None
    nora = bot.api.user(NORA, first_name="Nora", last_name="Benali")
    nora.send_command("/rejoindre", code.group(1))
    await nora.expect("Bienvenue dans l'équipe du Pôle, Nora")

    admin.send_command("/equipe")
    admin.press("✏️ Camille", message=await admin.expect("L'équipe du Pôle"))
    admin.press("📂 Dispositifs", message=await admin.expect("Dispositifs :"))
    admin.press("✅ Bénéfices'Créa", message=await admin.expect("touchez pour changer"))
    done = await admin.expect("ne suit plus Bénéfices'Créa")
    assert "Nora Benali : PES-2026-0001" in (done.text or ""), done.text
    handed = await nora.expect("ces dossiers vous sont confiés")
    assert "Camille ne suit plus Bénéfices'Créa" in (handed.text or "")

    await _handed_to(bot, case, NORA)
    redrawn = await camille.expect("Pris en charge par Nora")  # her card, without its buttons
    assert redrawn.message_id == card.message_id and not redrawn.buttons
    toast = await bot.button_answer(camille.press_raw(buttons.CLOSE_MENU.pack(case.project)))
    assert "réservée à l'équipe du Pôle concernée" in toast
    await _holder_told_once_and_heard(bot, case, nora, "Nora")
    # Still in the team, but not of this programme: the usual refusals.
    await _refused(bot, case, "ne suivez pas ce dossier", "PES-2026-0001")
    camille.send_command("/dossiers")
    listing = await camille.next_message()
    assert "PES-2026-0001" not in str(listing.reply_markup)
