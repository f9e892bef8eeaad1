"""/retour, editing from the recap, /annuler, resuming after a restart, /start mid-intake."""

from __future__ import annotations

from pes21_bot.services import events
from tests.e2e.flows import MATURE_IDEA, answer, expect_question, start_path
from tests.harness import Harness

IDEA = "💡 J'ai une idée de projet"


async def test_back_asks_the_previous_question_again(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, IDEA)
    await answer(holder, MATURE_IDEA[:3])
    holder.send_command("/retour")
    again = await expect_question(holder)
    assert "Question 3/" in (again.text or "")
    holder.send_text("07 00 00 00 01")
    await holder.expect("C'est noté")
    nxt = await expect_question(holder)
    assert "Question 4/" in (nxt.text or "")
    (project,) = await sqlite_bot.projects()
    assert project.answers["phone"] == "+33700000001"


async def test_back_at_the_first_question_says_so(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, IDEA)
    holder.send_command("/retour")
    await holder.expect("première question")
    again = await expect_question(holder)
    assert "Question 1/" in (again.text or "")


async def test_edit_from_recap_comes_back_to_the_recap(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, IDEA)
    await answer(holder, MATURE_IDEA)
    holder.press("✏️ Commune")
    question = await expect_question(holder)
    assert "nom de cette commune" in (question.text or "")
    holder.send_text("Chenôve")
    recap = await expect_question(holder)
    assert "Récapitulatif" in (recap.text or "")
    assert "Chenôve" in (recap.text or "")
    holder.press("📨 Envoyer")
    await holder.expect("PES-2026-0001")
    (project,) = await sqlite_bot.projects()
    assert project.commune == "Chenôve"


async def test_cancel_asks_confirmation_then_drops_answers(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, IDEA)
    await answer(holder, MATURE_IDEA[:2])
    holder.send_command("/annuler")
    await holder.expect("Voulez-vous vraiment abandonner")
    holder.press("Non, continuer")
    await holder.expect("on continue")
    again = await expect_question(holder)
    assert "Question 3/" in (again.text or "")
    holder.send_command("/annuler")
    await holder.expect("Voulez-vous vraiment abandonner")
    holder.press("Oui, abandonner")
    await holder.expect("Questionnaire abandonné")
    (project,) = await sqlite_bot.projects()
    assert project.status == "abandoned"
    assert project.answers == {}
    assert await sqlite_bot.count_events(events.INTAKE_ABANDONED) == 1
    holder.send_text("bonjour")
    await holder.expect("Que souhaitez-vous faire")


async def test_commands_out_of_turn_without_a_draft(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    holder.send_command("/retour")
    await holder.expect("pas de questionnaire en cours")
    holder.send_command("/annuler")
    await holder.expect("pas de questionnaire en cours")
    holder.send_command("/inconnue")
    await holder.expect("Je ne connais pas cette commande")


async def test_restart_resumes_exactly_at_the_next_question(bot: Harness) -> None:
    holder = bot.holder()
    await start_path(holder, IDEA)
    await answer(holder, MATURE_IDEA[:4])
    await bot.restart()
    holder.send_text("Dijon")  # the answer to question 5, typed after the restart
    nxt = await expect_question(holder)
    assert "Question 6/" in (nxt.text or "")
    (project,) = await bot.projects()
    assert project.answers["commune"] == "Dijon"
    assert project.answers["postal_code"] == "21000"


async def test_start_during_intake_offers_resume_or_restart(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, IDEA)
    await answer(holder, MATURE_IDEA[:3])
    holder.send_command("/start")
    offer = await holder.expect("questionnaire en cours")
    assert "3 réponse" in (offer.text or "")
    holder.press("▶️ Reprendre")
    again = await expect_question(holder)
    assert "Question 4/" in (again.text or "")
    holder.send_command("/start")
    await holder.expect("questionnaire en cours")
    holder.press("🔄 Recommencer")
    first = await expect_question(holder)
    assert "Question 1/" in (first.text or "")
    projects = await sqlite_bot.projects()
    assert [p.status for p in projects] == ["abandoned", "draft"]
    assert projects[1].answers == {}


async def test_references_are_sequential_per_year(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    for index, user_id in enumerate((5101, 5102)):
        holder = bot.holder(user_id)
        await start_path(holder, IDEA)
        await answer(holder, MATURE_IDEA)
        holder.press("📨 Envoyer")
        await holder.expect(f"PES-2026-000{index + 1}")
    bot.clock.set(bot.clock.now().replace(year=2027, month=1, day=5))
    holder = bot.holder(5103)
    await start_path(holder, IDEA)
    await answer(holder, MATURE_IDEA)
    holder.press("📨 Envoyer")
    await holder.expect("PES-2027-0001")
