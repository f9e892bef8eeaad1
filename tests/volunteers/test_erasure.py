"""Erasure (/supprimer) ends what still concerned the person: open reviews and their reminders."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pes21_bot.db.models import Reminder, Review
from pes21_bot.jobs import run_reminders
from pes21_bot.services import events, reminders
from tests.harness import HOLDER_ID, Harness
from tests.volunteers.helpers import (
    end_by_service,
    events_of,
    reminders_of,
    rows,
    seed_project,
    seed_volunteer,
    travel,
)

PARIS = ZoneInfo("Europe/Paris")
REMI = 6021


async def test_erasure_cancels_open_reviews_and_tells_volunteer_and_owner_once(
    both: Harness,
) -> None:
    sbot = both
    project = await seed_project(sbot)
    await seed_volunteer(sbot, REMI, "Rémi")
    scheduled = await end_by_service(sbot, project, date(2026, 3, 10))
    assert len(scheduled) == 3
    holder = sbot.api.user(HOLDER_ID, first_name="Zoé")
    holder.send_command("/supprimer")
    await holder.expect("Voulez-vous vraiment effacer")
    holder.press("Oui, tout effacer")
    await holder.expect("vos données personnelles sont effacées")

    remi = sbot.api.user(REMI)
    told = await remi.expect("annulé")
    assert (project.reference or "?") in (told.text or "")
    await sbot.settle()
    assert remi.unread() == []  # once, not once per review
    owner_notice = await sbot.staff("Camille").expect("effacé à la demande")
    assert "bilans" in (owner_notice.text or "")

    cancelled = await rows(sbot, Review, Review.project_id == project.id)
    assert [r.state for r in cancelled] == ["cancelled"] * 3
    assert (
        await reminders_of(sbot, Reminder.project_id == project.id, Reminder.state == "pending")
        == []
    )
    assert len(await events_of(sbot, events.REVIEW_CANCELLED)) == 3

    # A year later nobody is asked to call a person who can no longer be reached.
    travel(sbot, datetime(2027, 4, 1, 10, 0, tzinfo=PARIS))
    assert sbot.app is not None
    await run_reminders(sbot.app)  # plans the periodic rows too: no "no news" nudge either
    await sbot.settle()
    assert remi.unread() == []
    assert not [
        m for m in sbot.staff("Camille").unread() if (project.reference or "?") in (m.text or "")
    ]
    sent = await events_of(sbot, events.REMINDER_SENT)
    assert not [e for e in sent if e.data.get("kind") in reminders.VOLUNTEER_KINDS]

    admin = sbot.admin()
    admin.send_command("/stats", "2026")
    figures = await admin.expect("Bilans faits")
    assert "en retard : 0" in (figures.text or "")
    assert "annulés : 3" in (figures.text or "")


async def test_an_erased_dossier_is_no_longer_nudged(sbot: Harness) -> None:
    project = await seed_project(sbot)
    holder = sbot.api.user(HOLDER_ID, first_name="Zoé")
    holder.send_command("/supprimer")
    holder.press("Oui, tout effacer", message=await holder.expect("Voulez-vous vraiment effacer"))
    camille = sbot.staff("Camille")
    await camille.expect("effacé à la demande")
    travel(sbot, sbot.clock.now() + timedelta(days=45))
    assert sbot.app is not None
    await run_reminders(sbot.app)
    await sbot.settle()
    assert not [m for m in camille.unread() if (project.reference or "?") in (m.text or "")]
    stale = await reminders_of(sbot, Reminder.kind == reminders.PROJECT_STALE)
    assert stale == []
