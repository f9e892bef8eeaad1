"""Every answer is validated; bad input gets a French re-ask and changes nothing."""

from __future__ import annotations

import pytest

from pes21_bot.fake_telegram import FakeUser
from tests.e2e.flows import MATURE_IDEA, answer, expect_question, start_path
from tests.harness import Harness

IDEA = "💡 J'ai une idée de projet"


async def _answers(bot: Harness) -> dict[str, object]:
    (project,) = await bot.projects()
    return project.answers


async def _reach(user: FakeUser, steps: int) -> None:
    await start_path(user, IDEA)
    if steps:
        await answer(user, MATURE_IDEA[:steps])


@pytest.mark.parametrize(
    ("steps", "bad", "expected"),
    [
        (0, "   ", "pas reçu de réponse"),
        (0, "x" * 121, "trop longue (120"),
        (1, "zoe-at-example", "e-mail ne semble pas valide"),
        (2, "12 34", "numéro ne semble pas valide"),
        (3, "2100", "5 chiffres"),
        (3, "dijon", "5 chiffres"),
        (5, "Trop court", "pouvez-vous en dire un peu plus"),
        (5, "y" * 2001, "2000 caractères au plus"),
        (6, "astronautique", "choisir une réponse avec les boutons"),
        (8, "beaucoup", "nombre entier"),
        (8, "0", "entre 1 et 500"),
        (8, "100000000", "nombre entier"),
    ],
)
async def test_invalid_answer_is_refused_and_question_asked_again(
    sqlite_bot: Harness, steps: int, bad: str, expected: str
) -> None:
    holder = sqlite_bot.holder()
    await _reach(holder, steps)
    before = await _answers(sqlite_bot)
    holder.send_text(bad)
    await holder.expect(expected)
    again = await expect_question(holder)
    assert f"Question {steps + 1}/" in (again.text or "")
    assert await _answers(sqlite_bot) == before


async def test_choice_can_be_typed_by_number_or_label(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await _reach(holder, 6)
    holder.send_text("3")  # third sector in the list
    await expect_question(holder)
    holder.send_text("le projet se structure")
    await expect_question(holder)
    answers = await _answers(sqlite_bot)
    assert answers["sector"] == "environment"
    assert answers["stage"] == "structuring"


@pytest.mark.parametrize("send", ["photo", "sticker", "voice", "document"])
async def test_non_text_message_at_a_text_step_is_politely_refused(
    sqlite_bot: Harness, send: str
) -> None:
    holder = sqlite_bot.holder()
    await _reach(holder, 1)
    if send == "document":
        holder.send_document("cv.pdf", b"%PDF-1.4")
    else:
        getattr(holder, f"send_{send}")()
    await holder.expect("Je ne peux pas lire ce type de message")
    again = await expect_question(holder)
    assert "Question 2/" in (again.text or "")
    assert await _answers(sqlite_bot) == {"name": "Zoé Martin"}


async def test_out_of_turn_button_changes_nothing(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await _reach(holder, 6)
    sector_question = holder.messages[-1]
    holder.press("Culture, arts", message=sector_question)
    await expect_question(holder)  # stage question
    # The email question's "Passer" button is still on screen: pressing it now is out of turn.
    holder.press_raw(f"s:{(await sqlite_bot.projects())[0].id}:email")
    await holder.expect("correspond à une autre étape")
    again = await expect_question(holder)
    assert "Où en est votre projet" in (again.text or "")
    answers = await _answers(sqlite_bot)
    assert answers["email"] == "zoe@example.org"
    assert "stage" not in answers


async def test_contact_is_required_when_both_are_skipped(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await _reach(holder, 0)
    holder.send_text("Camille Petit")
    await expect_question(holder)
    holder.press("Passer")
    await expect_question(holder)
    holder.send_text("Passer")  # the phone question offers "Passer" on the reply keyboard
    await holder.expect("au moins un moyen de vous joindre")
    again = await expect_question(holder)
    assert "téléphone" in (again.text or "")
    assert "phone" not in await _answers(sqlite_bot)


async def test_shared_contact_fills_the_phone_but_not_someone_elses(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await _reach(holder, 2)
    holder.send_contact("+33 6 98 76 54 32", user_id=999)
    await holder.expect("votre propre numéro")
    await expect_question(holder)
    holder.send_contact("+33698765432")
    await holder.expect("C'est noté")
    await expect_question(holder)
    assert (await _answers(sqlite_bot))["phone"] == "+33698765432"


async def test_multi_choice_needs_at_least_one_option(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await _reach(holder, 10)
    holder.press("✔️ Valider")
    await holder.expect("au moins une réponse")
    assert "needs" not in await _answers(sqlite_bot)
    holder.press("Réseau")
    ticked = await holder.next_message()
    assert ["✅ Réseau"] in ticked.buttons
    holder.press("✔️ Valider")
    await expect_question(holder)
    assert (await _answers(sqlite_bot))["needs"] == ["network"]


async def test_forged_multi_choice_mask_is_refused(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await _reach(holder, 10)
    project_id = (await sqlite_bot.projects())[0].id
    holder.press_raw(f"v:{project_id}:needs:99999")
    await holder.expect("correspond à une autre étape")
    assert "needs" not in await _answers(sqlite_bot)


async def test_outside_cote_dor_is_recorded_with_alternatives(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await _reach(holder, 3)
    holder.send_text("75011")
    await holder.expect("hors de Côte-d'Or")
    await expect_question(holder)
    assert (await _answers(sqlite_bot))["postal_code"] == "75011"


@pytest.mark.parametrize(
    ("postal_code", "region", "structure"),
    [
        ("75011", "Île-de-France", "CRESS) Île-de-France"),
        ("25000", "Bourgogne-Franche-Comté", "cress-bfc.org"),
        ("97411", "La Réunion", "CRESS) de La Réunion"),
        ("20090", "Corse", "CRESS) de Corse"),
    ],
)
async def test_outside_cote_dor_names_the_regions_structures(
    sqlite_bot: Harness, postal_code: str, region: str, structure: str
) -> None:
    holder = sqlite_bot.holder()
    await _reach(holder, 3)
    holder.send_text(postal_code)
    advice = await holder.expect("hors de Côte-d'Or")
    assert f"({region})" in (advice.text or "")
    assert structure in (advice.text or "")
    if region != "Bourgogne-Franche-Comté":
        assert "Bourgogne" not in (advice.text or "")
