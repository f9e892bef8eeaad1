"""Past activity recorded late (issue 19): bilans already due are offered once, without alarms."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from tests.harness import Harness
from tests.volunteers.helpers import (
    dispatch,
    end_by_service,
    seed_project,
    seed_volunteer,
    travel,
)

PARIS = ZoneInfo("Europe/Paris")
REMI = 6011


async def test_a_backdated_accompaniment_offers_past_bilans_once_and_raises_no_alarm(
    both: Harness,
) -> None:
    bot = both
    project = await seed_project(bot)
    await seed_volunteer(bot, REMI, "Rémi")
    travel(bot, bot.clock.now().replace(month=12, day=1, hour=10))
    # Ended 01/03 this year, recorded on 01/12: bilans n°1 (01/06) and n°2 (01/09) are past.
    await end_by_service(bot, project, date(2026, 3, 1))
    await dispatch(bot)
    remi, camille = bot.api.user(REMI), bot.staff("Camille")
    offered = [m.text or "" for m in remi.unread()]
    assert sum("n°1" in t for t in offered) == 1 and sum("n°2" in t for t in offered) == 1
    assert not any("n°3" in t for t in offered)

    for days in (8, 30):  # past the follow-up and escalation delays
        travel(bot, bot.clock.now() + timedelta(days=days))
        await dispatch(bot)
    told = [m.text or "" for m in [*remi.unread(), *camille.unread()]]
    assert not any("toujours pas fait" in t or "indisponible" in t for t in told), told
    assert not any("n°1" in t or "n°2" in t for t in told), told
