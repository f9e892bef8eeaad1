"""Role checks and forged buttons: holders, volunteers and staff of another programme are refused
every staff and admin action; accueil en amont cards reach welcoming volunteers, who may claim."""

from __future__ import annotations

from datetime import date

import pytest

from pes21_bot.db.models import Review
from pes21_bot.fake_telegram import FakeUser
from tests.e2e.flows import EARLY_IDEA, answer, start_path
from tests.e2e.outbox_helpers import drained
from tests.harness import Harness
from tests.volunteers.helpers import (
    end_by_service,
    rows,
    seed_project,
    seed_volunteer,
)

REFUSED = "Cette action est réservée"
REMI = 6011


async def _refused(bot: Harness, user: FakeUser, action: tuple[str, str]) -> None:
    kind, value = action
    before = len(bot.api.calls_to("answerCallbackQuery"))
    if kind == "command":
        name, _, args = value.partition(" ")
        user.send_command(name, args)
        reply = await user.next_message()
        assert REFUSED in (reply.text or "") or "réservée aux bénévoles" in (reply.text or ""), (
            value,
            reply.text,
        )
        return
    user.press_raw(value)
    call = await bot.api.wait_for_call("answerCallbackQuery", before + 1)
    await bot.settle()
    text = call.params.get("text") or ""
    assert REFUSED in text, (value, text)


@pytest.mark.parametrize("who", ["holder", "volunteer", "other_staff"])
async def test_every_staff_and_admin_action_is_refused(sbot: Harness, who: str) -> None:
    project = await seed_project(sbot)  # Bénéfices'Créa, claimed by Camille
    await seed_volunteer(sbot, REMI, "Rémi", ("reviews", "welcoming", "co_accompaniment"))
    scheduled = await end_by_service(
        sbot, await seed_project(sbot, holder_id=5009), date(2026, 3, 10)
    )
    pid, other_rid = project.id, scheduled[0].id
    async with sbot.session_factory.begin() as session:
        found = await session.get(Review, other_rid)
        assert found is not None
        found.assignee_id = None  # nobody's review: only Camille's programme may log it
        found.dla_state = "pending"
    users = {
        "holder": sbot.holder(),
        "volunteer": sbot.api.user(REMI),
        "other_staff": sbot.staff("Karim"),
    }
    user = users[who]
    actions = [
        ("command", "/invitation benevole"),
        ("command", "/retirer"),
        ("button", f"acc:{pid}"),
        ("button", f"acs:{pid}"),
        ("button", f"acm:{pid}"),
        ("button", f"acmp:{pid}:diagnostic"),
        ("button", f"ace:{pid}"),
        ("button", f"acv:{pid}"),
        ("button", f"acvp:{pid}:1"),
        ("button", "vr:1"),
        ("button", "vrx:1:yes"),
        ("button", f"claim:{pid}"),
        ("button", f"redir:{pid}"),
        ("button", f"closeas:{pid}:other"),
        ("button", f"rv:go:{other_rid}"),
        ("button", f"rv:snooze:{other_rid}"),
        ("button", f"rv:decline:{other_rid}"),
    ]
    if who != "other_staff":  # Karim is the DLA staff: the proposal is his to decide
        actions.append(("button", f"dla:yes:{other_rid}"))
        actions.append(("command", "/benevoles"))
    if who == "holder":  # a volunteer's /dossiers lists the dossiers they hold (none here)
        actions.append(("command", "/dossiers"))
    for action in actions:
        await _refused(sbot, user, action)
    (fresh, *_) = await sbot.projects()
    assert fresh.status == "claimed"
    assert (await rows(sbot, Review, Review.id == other_rid))[0].state == "open"


async def test_forged_buttons_get_a_short_answer(sbot: Harness) -> None:
    staff = sbot.staff("Camille")
    await seed_volunteer(sbot, REMI, "Rémi")
    forged = [
        "fa:1:x:y",
        "fa:999999999999999999999:contact_date:2026-01-01",
        "ft:1:needs:99999",
        "fv:abc:needs:1",
        "fs:1:comment",
        "fe:1:km",
        "fr:1:save",
        "rv:go:abc",
        "rv:explode:1",
        "vp:missions",
        "vp:nothing",
        "vr:abc",
        "vrx:1:maybe",
        "acc:notanumber",
        "acs:999",
        "acm:",
        "acmp:1:nope",
        "ace:-1",
        "acv:1:2:3",
        "acvp:1:x",
        "dla:maybe:1",
        "x" * 64,
    ]
    for user in (staff, sbot.api.user(REMI), sbot.admin()):
        for data in forged:
            user.press_raw(data)
        await sbot.settle()
        await sbot.api.wait_for_call("answerCallbackQuery", 1)
    for user in (staff, sbot.api.user(REMI), sbot.admin()):
        for message in user.unread():
            assert "problème technique" not in (message.text or ""), message.text


async def test_early_projects_reach_welcoming_volunteers_who_may_claim(sbot: Harness) -> None:
    wendy = await seed_volunteer(sbot, 6020, "Wendy", ("welcoming",))
    await seed_volunteer(sbot, 6021, "Paul", ("welcoming",), paused_until=date(2026, 12, 1))
    await seed_volunteer(sbot, 6022, "Rémi", ("reviews",))
    holder = sbot.holder()
    await start_path(holder, "💡 J'ai une idée de projet")
    await answer(holder, EARLY_IDEA)
    holder.press("📨 Envoyer")
    await holder.expect("PES-2026-0001")
    card = await sbot.api.user(6020).expect("PES-2026-0001")
    await sbot.staff("Camille").expect("PES-2026-0001")
    await sbot.staff("Léa").expect("PES-2026-0001")
    assert sbot.api.messages(6021) == [] and sbot.api.messages(6022) == []
    await drained(sbot)  # a card is recorded just after its delivery; a person is never this quick
    volunteer = sbot.api.user(6020)
    before = len(sbot.api.calls_to("answerCallbackQuery"))
    assert card.buttons == [["✋ Je prends"]]  # only claiming is open to volunteers
    (sent,) = await sbot.projects()
    volunteer.press_raw(f"redir:{sent.id}", message_id=card.message_id)
    call = await sbot.api.wait_for_call("answerCallbackQuery", before + 1)
    assert REFUSED in (call.params.get("text") or "")
    volunteer.press("✋ Je prends", message=card)
    await volunteer.expect("Pris en charge par Wendy")
    await holder.expect("pris en charge par Wendy")
    (project,) = await sbot.projects()
    assert project.owner_id == wendy.id and project.status == "claimed"
