"""/rapport and /stats: "Sensibilisation et formations" from the events held in the period."""

from __future__ import annotations

from datetime import UTC, datetime

from pes21_bot.services import agenda
from tests.harness import Harness

# The Pôle's 2023 report, dated in 2025 here: (kind, partner, run by the Pôle, how many).
HELD = [
    ("crdva", None, True, 5),
    ("paroles_experts", None, True, 2),
    ("emergence", None, True, 6),
    ("emergence", None, False, 1),  # the Pôle only took part: not one of "its" workshops
    ("formation", "IRTESS/IRTS", True, 6),
    ("formation", "Francas", True, 1),
    ("formation", "IUT Dijon-Auxerre", True, 1),
    ("club", None, True, 3),
]


async def seed_held(bot: Harness) -> None:
    """Events held in 2025, two walk-ins each; one more held in 2026 (outside /rapport 2025)."""
    now = bot.clock.now()
    async with bot.session_factory() as session, session.begin():
        rows = [
            (k, p, r, datetime(2025, 5, 1 + i, 12, tzinfo=UTC))
            for k, p, r, n in HELD
            for i in range(n)
        ]
        rows.append(("crdva", None, True, datetime(2026, 1, 15, 12, tzinfo=UTC)))
        for kind, partner, runs, at in rows:
            new = agenda.NewEvent(
                kind, "Atelier", at, "Dijon", None, agenda.EVERYONE, runs, partner
            )
            event = agenda.add_event(session, new, None, now)
            await session.flush()
            await agenda.mark_held(session, event, 2, None, now)


async def test_rapport_counts_workshops_trainings_and_club_meetings(sbot: Harness) -> None:
    bot = sbot
    await seed_held(bot)
    admin = bot.admin()
    admin.send_command("/rapport", "2025")
    message = await admin.expect("Rapport d'activité")
    lines = (message.text or "").split("\n")
    assert "En 2025, la sensibilisation et les formations, c'est :" in lines
    assert (
        "• 13 ateliers animés par le Pôle — Atelier Émergence : 6, Atelier CRDVA : 5, "
        "Paroles d'Experts : 2"
    ) in lines
    assert "• 8 formations — IRTESS/IRTS : 6, Francas : 1, IUT Dijon-Auxerre : 1" in lines
    assert "• 3 rencontres du Club des entrepreneurs" in lines
    # A workshop the Pôle only took part in is not one of its workshops: it counts apart.
    assert "• 1 autre événement — Atelier Émergence : 1" in lines
    assert any(line.startswith("• 50 participant·es") for line in lines)  # 25 events × 2

    admin.send_command("/stats", "2025")
    stats = await admin.expect("Sensibilisation et formations")
    assert "• 3 rencontres du Club des entrepreneurs" in (stats.text or "")


async def test_a_staff_member_sees_the_block_too_and_an_empty_year_says_so(sbot: Harness) -> None:
    camille = sbot.staff("Camille")
    camille.send_command("/rapport", "2025")
    message = await camille.expect("Rapport d'activité")
    assert "aucun événement tenu dans la période" in (message.text or "")
