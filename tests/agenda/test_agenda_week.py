"""/atelier without a stumble: the date's buttons, an event today, an example in the future."""

from __future__ import annotations

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
