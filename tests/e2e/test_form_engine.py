"""The form engine as holders meet it: counter, natural answers, "Passer", double taps, faults."""

from __future__ import annotations

import re

import pytest

from pes21_bot.fake_telegram import BotMessage, FakeUser, FaultKind
from pes21_bot.services import events
from tests.e2e.flows import MATURE_IDEA, answer, expect_question, start_path
from tests.harness import Harness

IDEA = "💡 J'ai une idée de projet"
APOLOGY = "problème technique"


def counter(message: BotMessage) -> tuple[int, int]:
    """The "Question n/N" of a question."""
    found = re.search(r"Question (\d+)/(\d+)", message.text or "")
    assert found is not None, message.text
    return int(found.group(1)), int(found.group(2))


async def consent_screen(holder: FakeUser) -> BotMessage:
    """/start, then the idea path: the consent question."""
    holder.send_command("/start")
    await holder.expect("Bienvenue")
    holder.press(IDEA)
    return await holder.expect("Acceptez-vous")


def no_apology(user: FakeUser) -> None:
    """Nothing the user received speaks of a technical problem."""
    assert all(APOLOGY not in (m.text or "") for m in user.api.messages(user.id))


async def test_counter_after_an_edit_from_the_recap_is_the_questions_rank(
    sqlite_bot: Harness,
) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, IDEA)
    await answer(holder, MATURE_IDEA)
    holder.press("✏️ E-mail")
    question = await expect_question(holder)
    assert "adresse e-mail" in (question.text or "")
    assert counter(question) == (2, 13)  # was "Question 13/13"
    holder.send_text("zoe.martin@example.org")
    recap = await expect_question(holder)
    assert "zoe.martin@example.org" in (recap.text or "")


async def test_numbers_are_read_as_people_write_them(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, IDEA)
    await answer(holder, MATURE_IDEA[:8])
    holder.send_text("trois personnes")
    legal = await expect_question(holder)
    assert counter(legal) == (10, 13)
    (project,) = await sqlite_bot.projects()
    assert project.answers["team_size"] == 3
    await answer(holder, MATURE_IDEA[9:13])
    holder.send_text("12 emplois")
    await expect_question(holder)
    (project,) = await sqlite_bot.projects()
    assert project.answers["jobs"] == 12


@pytest.mark.parametrize(
    ("bad", "expected"),
    [("1,5", "nombre entier entre 1 et 500"), ("beaucoup", "entre 1 et 500")],
)
async def test_a_refused_number_says_the_allowed_range(
    sqlite_bot: Harness, bad: str, expected: str
) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, IDEA)
    await answer(holder, MATURE_IDEA[:8])
    holder.send_text(bad)
    await holder.expect(expected)


async def test_a_text_over_the_maximum_says_its_length_and_the_limit(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, IDEA)
    holder.send_text("x" * 130)
    refusal = await holder.expect("trop longue")
    assert "120 caractères au plus" in (refusal.text or "")
    assert "130" in (refusal.text or "")


async def test_skip_is_not_offered_where_it_would_be_refused(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, IDEA)
    holder.send_text("Camille Petit")
    email = await expect_question(holder)
    assert ["Passer"] in email.buttons
    holder.press("Passer")
    phone = await expect_question(holder)
    # No e-mail: the phone is now required, so its keyboard only offers to share the number.
    assert phone.buttons == [["📱 Partager mon numéro"]]
    holder.send_text("Passer")
    await holder.expect("au moins un moyen de vous joindre")
    holder.send_text("+33 (0)6 12 34 56 78")
    await holder.expect("C'est noté")
    (project,) = await sqlite_bot.projects()
    assert project.answers["phone"] == "+33612345678"


async def test_editing_the_email_when_the_phone_was_skipped_offers_no_skip(
    sqlite_bot: Harness,
) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, IDEA)
    steps = [MATURE_IDEA[0], MATURE_IDEA[1], ("text", "Passer"), *MATURE_IDEA[3:]]
    await answer(holder, steps)
    holder.press("✏️ E-mail")
    question = await expect_question(holder)
    assert counter(question) == (2, 13)
    assert ["Passer"] not in question.buttons


async def test_double_press_on_accept_starts_once(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    consent = await consent_screen(holder)
    first = holder.press("✅ J'accepte", message=consent)
    second = holder.press("✅ J'accepte", message=consent)
    await expect_question(holder)
    assert "déjà enregistré" in await sqlite_bot.button_answer(second)
    assert await sqlite_bot.button_answer(first) == ""
    await sqlite_bot.settle()
    questions = [m for m in holder.api.messages(holder.id) if "Question 1/" in (m.text or "")]
    assert len(questions) == 1
    assert await sqlite_bot.count_events(events.CONSENT_GIVEN) == 1
    assert await sqlite_bot.count_events(events.INTAKE_STARTED) == 1
    no_apology(holder)


async def test_double_press_on_send_submits_once_and_names_the_reference(
    sqlite_bot: Harness,
) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, IDEA)
    recap = await answer(holder, MATURE_IDEA)
    holder.press("📨 Envoyer", message=recap)
    second = holder.press("📨 Envoyer", message=recap)
    await holder.expect("PES-2026-0001")
    assert await sqlite_bot.button_answer(second) == "Déjà envoyé : PES-2026-0001"
    assert await sqlite_bot.count_events(events.INTAKE_COMPLETED) == 1
    await sqlite_bot.settle()
    confirmations = [m for m in holder.api.messages(holder.id) if "PES-2026" in (m.text or "")]
    assert len(confirmations) == 1
    no_apology(holder)


async def test_double_press_on_a_choice_says_what_was_answered(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, IDEA)
    sector = await answer(holder, MATURE_IDEA[:6])
    holder.press("Culture, arts", message=sector)
    second = holder.press("Culture, arts", message=sector)
    stage = await expect_question(holder)
    assert "Où en est votre projet" in (stage.text or "")
    assert await sqlite_bot.button_answer(second) == "Déjà répondu : Culture, arts"
    await sqlite_bot.settle()
    (project,) = await sqlite_bot.projects()
    assert project.answers["sector"] == "culture" and "stage" not in project.answers
    assert holder.unread() == []  # nothing asked twice
    no_apology(holder)


@pytest.mark.parametrize("fault", ["500", "timeout"])
@pytest.mark.parametrize(
    ("button", "shown", "recorded"),
    [
        ("✅ J'accepte", "Question 1/13", events.CONSENT_GIVEN),
        ("📨 Envoyer", "PES-2026-0001", events.INTAKE_COMPLETED),
    ],
)
async def test_a_failing_keyboard_removal_keeps_what_the_press_did(
    sqlite_bot: Harness, fault: FaultKind, button: str, shown: str, recorded: str
) -> None:
    holder = sqlite_bot.holder()
    if button == "✅ J'accepte":
        await consent_screen(holder)
    else:
        await start_path(holder, IDEA)
        await answer(holder, MATURE_IDEA)
    sqlite_bot.api.inject_fault("editMessageReplyMarkup", fault, chat_id=holder.id)
    holder.press(button)
    await holder.expect(shown)
    assert await sqlite_bot.count_events(recorded) == 1
    await sqlite_bot.api.wait_for_call("editMessageReplyMarkup", 1)  # made, and failed
    if button == "📨 Envoyer":
        await sqlite_bot.staff("Camille").expect("PES-2026-0001")
    await sqlite_bot.settle()
    no_apology(holder)
