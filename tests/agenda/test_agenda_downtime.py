"""An event's reminder is never sent once the event has started; a past event's buttons say so."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.agenda.helpers import open_agenda, registrations, seed_event
from tests.e2e.outbox_helpers import drained
from tests.harness import Harness
from tests.volunteers.helpers import dispatch


async def test_after_a_downtime_over_the_event_no_reminder_and_its_buttons_say_it_is_over(
    both: Harness,
) -> None:
    bot = both
    event = await seed_event(bot, capacity=5)
    zoe = bot.holder()
    await open_agenda(zoe, "Atelier Émergence de mars")
    zoe.press("✍️ S'inscrire : 20/03 Atelier Émergence de mars")
    confirmed = await zoe.expect("vous êtes inscrit·e à")

    # The bot was down over the reminder's time (19/03) and the event (20/03 14:30).
    bot.clock.set(datetime(2026, 3, 21, 9, 0, tzinfo=UTC))
    await dispatch(bot)
    await drained(bot)
    assert not [m for m in zoe.unread() if "Rappel" in (m.text or "")]

    zoe.press("❌ Me désinscrire : 20/03 Atelier Émergence de mars", message=confirmed)
    await zoe.expect("« Atelier Émergence de mars » a déjà commencé ou a eu lieu")
    assert list((await registrations(bot, event.id)).values()) == ["registered"]
