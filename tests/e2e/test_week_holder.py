"""A holder's week without a stumble: consent typed by hand."""

from __future__ import annotations

from tests.e2e.flows import expect_question
from tests.harness import Harness

IDEA = "💡 J'ai une idée de projet"


async def test_typed_yes_at_the_consent_points_to_its_buttons(bot: Harness) -> None:
    holder = bot.holder()
    holder.send_command("/start")
    await holder.expect("Bienvenue")
    holder.press(IDEA)
    await holder.expect("Acceptez-vous")
    holder.send_text("oui")
    hint = await holder.next_message()
    assert "« ✅ J'accepte »" in hint.content
    assert not hint.buttons  # not the main menu again
    holder.send_text("J'accepte")
    await holder.expect("J'accepte")
    holder.press("✅ J'accepte")
    assert "Question 1/" in (await expect_question(holder)).content
