"""A welcoming volunteer who holds an accueil-en-amont dossier talks with its holder through the
bot like staff do (issue 10); once someone else holds it, their replies are refused."""

from __future__ import annotations

from sqlalchemy import select

from pes21_bot.db.models import Event, Project
from pes21_bot.services import events
from tests.e2e.outbox_helpers import drained
from tests.harness import Harness
from tests.volunteers.test_mission import WENDY, _held_by_wendy


async def test_the_welcoming_volunteer_relays_like_staff(sbot: Harness) -> None:
    project = await _held_by_wendy(sbot)
    holder = sbot.holder()
    wendy = sbot.api.user(WENDY, "Wendy")
    holder.send_text("Quand peut-on se voir ?")
    await holder.expect("est transmis à Wendy, qui suit votre dossier")
    relayed = await wendy.expect("Quand peut-on se voir ?")
    assert (project.reference or "") in relayed.content
    wendy.send_text("Jeudi à 10 h, au Pôle.", reply_to=relayed.message_id)
    answer = await holder.expect("Jeudi à 10 h")
    assert "L'équipe du Pôle" in answer.content and "Wendy" in answer.content
    async with sbot.session_factory() as session:
        kinds = (
            await session.execute(
                select(Event.kind)
                .where(Event.kind.in_((events.HOLDER_MESSAGE, events.RELAY_TO_HOLDER)))
                .order_by(Event.id)
            )
        ).scalars()
        assert list(kinds) == [events.HOLDER_MESSAGE, events.RELAY_TO_HOLDER]


async def test_a_volunteer_who_does_not_hold_it_is_refused(sbot: Harness) -> None:
    await _held_by_wendy(sbot)
    holder = sbot.holder()
    wendy = sbot.api.user(WENDY, "Wendy")
    holder.send_text("Une question")
    relayed = await wendy.expect("Une question")
    await drained(sbot)
    async with sbot.session_factory.begin() as session:
        stored = (await session.execute(select(Project))).scalar_one()
        stored.owner_id = None  # handed back: Wendy no longer holds it
    wendy.send_text("je réponds quand même", reply_to=relayed.message_id)
    await wendy.expect("Vous ne suivez pas ce dossier")
    assert not any("je réponds" in m.content for m in sbot.api.messages(holder.id))
