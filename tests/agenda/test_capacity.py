"""Places under concurrency: many registrations at once never take more than the capacity."""

from __future__ import annotations

import asyncio

from pes21_bot.services import agenda
from pes21_bot.services.people import UserInfo, ensure_person
from tests.agenda.helpers import registrations, seats_taken, seed_event
from tests.harness import Harness


async def test_concurrent_registrations_fill_exactly_the_places(both: Harness) -> None:
    bot = both
    event = await seed_event(bot, capacity=2)
    now = bot.clock.now()
    async with bot.session_factory() as session, session.begin():
        people = [await ensure_person(session, UserInfo(7000 + n), now) for n in range(6)]
        await session.flush()
        ids = [p.id for p in people]

    async def press(person_id: int) -> agenda.Registered | None:
        async with bot.session_factory() as session, session.begin():
            fresh = await agenda.get_event(session, event.id)
            assert fresh is not None
            return await agenda.register(session, bot.config, fresh, person_id, now)

    results = await asyncio.gather(*(press(i) for i in ids))
    assert sum(r is not None and r.state == agenda.REGISTERED for r in results) == 2
    assert sum(r is None for r in results) == 4  # offered the waiting list
    assert await seats_taken(bot, event.id) == 2
    assert sorted((await registrations(bot, event.id)).values()) == ["registered"] * 2
