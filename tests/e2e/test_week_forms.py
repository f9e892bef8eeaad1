"""Forms without a stumble: re-editing, /retour, typed choices and numbers."""

from __future__ import annotations

from tests.e2e.flows import MATURE_IDEA, answer, expect_question, start_path
from tests.harness import Harness

IDEA = "💡 J'ai une idée de projet"
NEEDS = MATURE_IDEA.index(("toggle", "Financement"))


async def test_reediting_a_multiple_choice_keeps_its_ticks(bot: Harness) -> None:
    holder = bot.holder()
    await start_path(holder, IDEA)
    await answer(holder, MATURE_IDEA)
    holder.press("✏️ Besoins")
    again = await expect_question(holder)
    assert ["✅ Financement"] in again.buttons and ["✅ Recrutement"] in again.buttons
    assert ["Réseau"] in again.buttons
    assert "Réponse actuelle : Financement, Recrutement" in again.content
    holder.press("✔️ Valider")
    recap = await expect_question(holder)
    assert "Besoins : Financement, Recrutement" in recap.content


async def test_back_shows_the_previous_answer(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, IDEA)
    await answer(holder, MATURE_IDEA[:2])
    holder.send_command("/retour")
    again = await expect_question(holder)
    assert "Réponse précédente : zoe@example.org" in again.content


async def test_back_during_a_recap_edit_returns_to_the_recap(bot: Harness) -> None:
    holder = bot.holder()
    await start_path(holder, IDEA)
    await answer(holder, MATURE_IDEA)
    holder.press("✏️ Commune")
    await expect_question(holder)
    holder.send_command("/retour")
    recap = await expect_question(holder)
    assert "Récapitulatif" in recap.content
    assert "Commune : Dijon" in recap.content
    (project,) = await bot.projects()
    assert project.answers["commune"] == "Dijon"


async def test_typed_words_numbers_and_labels_are_answers(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, IDEA)
    await answer(holder, MATURE_IDEA[:6])
    holder.send_text("environnement réemploi")  # a choice's label, typed without its comma
    assert "Où en est votre projet" in (await expect_question(holder)).content
    await answer(holder, [("press", "Le projet se structure"), ("text", "3"), ("text", "scop")])
    holder.send_text("4 et 5")  # multiple choice by numbers, as the single choice offers
    await expect_question(holder)
    holder.send_text("aucun")  # "(0 si ...)": a word for zero
    await expect_question(holder)
    (project,) = await sqlite_bot.projects()
    assert project.answers["sector"] == "environment"
    assert project.answers["needs"] == ["funding", "hiring"]
    assert project.answers["jobs"] == 0


async def test_a_skipped_question_says_so(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, IDEA)
    await answer(holder, MATURE_IDEA[:1])
    email = holder.messages[-1]
    holder.press("Passer", message=email)
    await expect_question(holder)
    await sqlite_bot.until(
        lambda: (
            "➡️ question passée" in sqlite_bot.api.bot_message(holder.id, email.message_id).content
        ),
        "the skipped question to say so",
    )
