"""Retention: the consent text's "3 ans après notre dernier échange", enforced by a daily job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from pes21_bot.db.models import Person, TeamMember, Volunteer
from pes21_bot.jobs import run_retention
from pes21_bot.services import events
from pes21_bot.services.retention import years_later
from tests.e2e.flows import submit_idea
from tests.harness import OTHER_HOLDER_ID, Harness
from tests.volunteers.helpers import seed_volunteer, stop_jobs, team_row, travel


async def _person(bot: Harness, telegram_id: int) -> Person | None:
    async with bot.session_factory() as session:
        found = await session.execute(select(Person).where(Person.telegram_id == telegram_id))
        return found.scalar_one_or_none()


async def _report(bot: Harness) -> str:
    admin = bot.admin()
    admin.send_command("/rapport", "2026")
    return (await admin.expect("2026")).text or ""


async def test_a_holder_is_anonymised_three_years_after_the_last_exchange(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    stop_jobs(bot)
    old = bot.holder()
    await submit_idea(old)
    camille = bot.staff("Camille")
    camille.press("✋ Je prends", message=await camille.expect("PES-2026-0001"))
    await old.expect("pris en charge")
    last_old = bot.clock.now()

    travel(bot, last_old + timedelta(days=32))
    recent = bot.holder(OTHER_HOLDER_ID, first_name="Yann")
    await submit_idea(recent)
    await camille.expect("PES-2026-0002")
    last_recent = bot.clock.now()
    report_before = await _report(bot)

    # A month before: the admins get the count (once), the holder nothing.
    travel(bot, years_later(last_old, 3) - timedelta(days=20))
    notice_run = await run_retention(bot.app)  # type: ignore[arg-type]
    assert (notice_run.erased, notice_run.noticed) == (0, 1)
    admin = bot.admin()
    notice = await admin.expect("Durée de conservation")
    assert "1 personne sans échange" in (notice.text or "")
    assert (await run_retention(bot.app)).noticed == 0  # type: ignore[arg-type]
    await bot.settle()
    assert old.unread() == []

    # 3 years and a day after the old holder's last exchange; the other one is at 2 years 11 months.
    travel(bot, years_later(last_old, 3) + timedelta(days=1))
    assert bot.clock.now() - last_recent < timedelta(days=365 * 3 - 28)
    run = await run_retention(bot.app)  # type: ignore[arg-type]
    assert run.erased == 1
    await admin.expect("ont été anonymisées aujourd'hui")
    assert await _person(bot, old.id) is None
    kept = await _person(bot, recent.id)
    assert kept is not None and kept.first_name == "Yann"
    first, second = await bot.projects()
    assert first.answers == {} and first.holder_id is None
    assert second.answers["email"] == "zoe@example.org"
    erased = await bot.count_events(events.DATA_ERASED)
    assert erased == 1
    card = bot.api.bot_message(camille.id, (await camille.expect("anonymisées")).message_id)
    assert "Zoé" not in (card.text or "")
    assert old.unread() == []
    assert await _person(bot, camille.id) is not None  # the team is never anonymised
    assert await _report(bot) == report_before


async def test_volunteers_who_left_and_removed_staff_follow_their_own_period(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    stop_jobs(bot)
    start = bot.clock.now()
    await seed_volunteer(bot, 7001, "Inès")
    left = await seed_volunteer(bot, 7002, "Hugo")
    async with bot.session_factory.begin() as session:
        row = (
            await session.execute(select(Volunteer).where(Volunteer.person_id == left.id))
        ).scalar_one()
        row.removed_at = start
        session.add(team_row(7003, "Ancienne salariée", ["dla"], start, removed=True))
        session.add(Person(telegram_id=7003, role="holder", created_at=start, last_seen_at=start))
    # staff_years is 1 (config default), volunteer_years 3.
    travel(bot, years_later(start, 1) + timedelta(days=1))
    assert (await run_retention(bot.app)).erased == 1  # type: ignore[arg-type]
    assert await _person(bot, 7003) is None
    async with bot.session_factory() as session:
        gone = (await session.execute(select(TeamMember))).scalar_one()
        assert gone.name == "" and gone.removed_at is not None
    assert await _person(bot, 7002) is not None
    travel(bot, years_later(start, 3) + timedelta(days=1))
    assert (await run_retention(bot.app)).erased == 1  # type: ignore[arg-type]
    assert await _person(bot, 7002) is None
    assert await _person(bot, 7001) is not None  # an active volunteer stays


def test_years_later_clamps_29_february() -> None:
    leap = datetime(2028, 2, 29, 10, 0, tzinfo=UTC)
    assert years_later(leap, 3) == datetime(2031, 2, 28, 10, 0, tzinfo=UTC)
    assert years_later(leap, 4) == leap.replace(year=2032)


async def test_writing_again_after_the_notice_keeps_the_data(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    stop_jobs(bot)
    holder = bot.holder()
    await submit_idea(holder)
    last = bot.clock.now()
    travel(bot, years_later(last, 3) - timedelta(days=10))
    assert (await run_retention(bot.app)).noticed == 1  # type: ignore[arg-type]
    travel(bot, bot.clock.now() + timedelta(hours=5))
    holder.send_command("/suivi")
    await holder.expect("Vos dossiers")
    # One chat's updates run one after the other: once /aide is answered, the exchange of
    # /suivi (stored after its answer) is in the database.
    holder.send_command("/aide")
    await holder.expect("Voici ce que vous pouvez")
    back = bot.clock.now()
    travel(bot, years_later(last, 3) + timedelta(days=1))
    run = await run_retention(bot.app)  # type: ignore[arg-type]
    assert (run.erased, run.noticed) == (0, 0)
    assert await _person(bot, holder.id) is not None
    # Told again when the new period comes near.
    travel(bot, years_later(back, 3) - timedelta(days=10))
    assert (await run_retention(bot.app)).noticed == 1  # type: ignore[arg-type]
