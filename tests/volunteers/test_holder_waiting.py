"""Nobody left waiting: the holder is told once, at the announced working day, that the team has
their dossier (quiet hours respected, not once claimed, not after erasure, once across restarts)."""

from __future__ import annotations

from pes21_bot.db.models import Reminder
from pes21_bot.fake_telegram import BotMessage
from pes21_bot.services import projects
from pes21_bot.services.people import UserInfo
from tests.e2e.flows import submit_idea
from tests.harness import Harness
from tests.volunteers.helpers import CAMILLE, paris_2026, reminders_of, stop_jobs, tick, travel

NOTICE = "est bien reçu"


def notices(messages: list[BotMessage]) -> list[BotMessage]:
    return [m for m in messages if NOTICE in (m.text or "")]


async def test_the_holder_is_told_once_on_the_fifth_working_day(both: Harness) -> None:
    zoe = both.holder()
    await submit_idea(zoe)  # Tuesday 10 March, 10:30 in Dijon: "sous 5 jours ouvrés"
    zoe.unread()
    travel(both, paris_2026(3, 17, 10, 29))  # weekend skipped: Tuesday 17 is the fifth working day
    await tick(both)
    assert notices(zoe.unread()) == []
    travel(both, paris_2026(3, 17, 10, 31))
    await tick(both)
    notice = await zoe.expect(NOTICE)
    text = notice.text or ""
    assert "PES-2026-0001" in text and "5 jours ouvrés" in text
    assert both.config.pole.phone in text and both.config.pole.email in text
    assert notice.buttons == [["✉️ Écrire à l'équipe"]]
    # The team's own escalation stays: Camille coordinates Bénéfices'Créa.
    assert any("À attribuer" in (m.text or "") for m in both.staff("Camille").unread())
    await tick(both)
    await both.restart()
    stop_jobs(both)
    travel(both, paris_2026(3, 24, 11, 0))
    await tick(both)
    assert notices(zoe.unread()) == []
    sent = await reminders_of(both, Reminder.kind == "holder_waiting")
    assert [r.state for r in sent] == ["sent"]


async def test_quiet_hours_delay_the_notice_to_the_morning(sbot: Harness) -> None:
    zoe = sbot.holder()
    travel(sbot, paris_2026(3, 10, 19, 0))
    await submit_idea(zoe)
    zoe.unread()
    travel(sbot, paris_2026(3, 17, 21, 0))  # due at 19:00, quiet from 20:00
    await tick(sbot)
    assert notices(zoe.unread()) == []
    travel(sbot, paris_2026(3, 18, 8, 31))
    await tick(sbot)
    await zoe.expect(NOTICE)


async def test_no_notice_once_claimed(sbot: Harness) -> None:
    zoe = sbot.holder()
    await submit_idea(zoe)
    camille = sbot.staff("Camille")
    await camille.expect("PES-2026-0001")
    camille.press("✋ Je prends")
    await camille.expect("Pris en charge par Camille")
    travel(sbot, paris_2026(3, 20, 12, 0))
    await tick(sbot)
    assert notices(zoe.unread()) == []
    assert await reminders_of(sbot, Reminder.kind == "holder_waiting") == []


async def test_claimed_after_the_notice_was_planned_cancels_it(sbot: Harness) -> None:
    zoe = sbot.holder()
    travel(sbot, paris_2026(3, 10, 19, 0))
    await submit_idea(zoe)
    travel(sbot, paris_2026(3, 17, 21, 0))  # planned, but quiet hours hold it
    await tick(sbot)
    camille = sbot.staff("Camille")
    camille.unread()
    async with sbot.session_factory.begin() as session:
        (project,) = await sbot.projects()
        await projects.claim(session, project.id, UserInfo(CAMILLE, "Camille"), sbot.clock.now())
    zoe.unread()
    travel(sbot, paris_2026(3, 18, 9, 0))
    await tick(sbot)
    assert notices(zoe.unread()) == []
    (row,) = await reminders_of(sbot, Reminder.kind == "holder_waiting")
    assert row.state == "cancelled"


async def test_an_erased_holder_is_never_told(sbot: Harness) -> None:
    zoe = sbot.holder()
    await submit_idea(zoe)
    zoe.send_command("/supprimer")
    await zoe.expect("Voulez-vous vraiment effacer")
    zoe.press("Oui, tout effacer")
    await zoe.expect("vos données personnelles sont effacées")
    travel(sbot, paris_2026(3, 20, 12, 0))
    await tick(sbot)
    assert notices(zoe.unread()) == []
    assert await reminders_of(sbot, Reminder.kind == "holder_waiting") == []


async def test_a_holder_who_blocked_the_bot_is_not_retried(sbot: Harness) -> None:
    zoe = sbot.holder()
    await submit_idea(zoe)
    zoe.block_bot()
    travel(sbot, paris_2026(3, 17, 11, 0))
    await tick(sbot)
    (row,) = await reminders_of(sbot, Reminder.kind == "holder_waiting")
    assert row.state == "failed" and (row.last_error or "").startswith("403")
    travel(sbot, paris_2026(3, 18, 11, 0))
    await tick(sbot)
    assert [r.state for r in await reminders_of(sbot, Reminder.kind == "holder_waiting")] == [
        "failed"
    ]
