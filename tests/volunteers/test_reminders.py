"""Durable reminders through the fake Bot API, with a fake clock: offsets, quiet hours, snooze,
reassignment, 403/429/5xx faults, catch-up after downtime, two processes, escalations, digest."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from pes21_bot.app import build_application
from pes21_bot.db.models import Person, Reminder, Review
from pes21_bot.db.session import make_engine, make_session_factory
from pes21_bot.fake_telegram import FakeRequest
from pes21_bot.jobs import JOB_NAME, dispatch_due_reminders, run_reminders
from pes21_bot.services import events, reminders
from tests.harness import HOLDER_ID, Harness
from tests.volunteers.helpers import (
    CAMILLE,
    dispatch,
    end_by_service,
    events_of,
    reminders_of,
    review,
    rows,
    seed_project,
    seed_volunteer,
    stop_jobs,
    travel,
)

PARIS = ZoneInfo("Europe/Paris")
REMI, SARA = 6011, 6012
FIRST_DUE = datetime(2026, 6, 10, 8, 30, tzinfo=PARIS)


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


async def ended_project(bot: Harness) -> list[Review]:
    """Camille's project, ended on 10/03/2026, its reviews given to Rémi."""
    project = await seed_project(bot)
    await seed_volunteer(bot, REMI, "Rémi")
    return await end_by_service(bot, project, date(2026, 3, 10))


async def test_review_reminders_follow_the_offsets_and_quiet_hours(both: Harness) -> None:
    bot = both
    scheduled = await ended_project(bot)
    due = await reminders_of(bot, Reminder.review_id == scheduled[0].id)
    assert [(r.kind, r.due_at) for r in due] == [
        ("review_due", FIRST_DUE),
        ("review_overdue", FIRST_DUE + timedelta(days=7)),
        ("review_escalation", FIRST_DUE + timedelta(days=21)),
    ]
    remi = bot.api.user(REMI)
    travel(bot, paris(2026, 6, 10, 8, 0))  # before the reminder, and in quiet hours anyway
    assert (await dispatch(bot)).quiet
    travel(bot, paris(2026, 6, 10, 8, 31))
    report = await dispatch(bot)
    assert report.sent == 1
    message = await remi.expect("Bilan à faire")
    text = message.text or ""
    assert "bilan n°1" in text and "06 12 34 56 78" in text and "zoe@example.org" in text
    assert message.buttons == [["Saisir le bilan"], ["Reporter d'une semaine"], ["Je ne peux pas"]]
    assert (await dispatch(bot)).sent == 0  # exactly once
    (sent,) = await events_of(bot, events.REMINDER_SENT)
    assert sent.data == {"reminder_id": due[0].id, "kind": "review_due", "late": False}

    travel(bot, paris(2026, 6, 17, 8, 31))
    await dispatch(bot)
    await remi.expect("Rappel")
    travel(bot, paris(2026, 7, 1, 8, 31))
    await dispatch(bot)
    escalation = await bot.staff("Camille").expect("n'est toujours pas fait")
    assert "Rémi" in (escalation.text or "")
    assert remi.unread() == []


async def test_a_reminder_due_in_quiet_hours_waits_for_the_morning(sbot: Harness) -> None:
    scheduled = await ended_project(sbot)
    async with sbot.session_factory.begin() as session:
        for row in await reminders.pending_for_review(session, scheduled[0].id):
            row.due_at = paris(2026, 6, 13, 21, 0)  # a Saturday evening
    travel(sbot, paris(2026, 6, 13, 21, 5))
    assert (await dispatch(sbot)).quiet
    travel(sbot, paris(2026, 6, 14, 10, 0))  # Sunday: no reminders at all
    assert (await dispatch(sbot)).quiet
    travel(sbot, paris(2026, 6, 15, 8, 30))
    assert (await dispatch(sbot)).sent >= 1
    await sbot.api.user(REMI).expect("Bilan à faire")
    sent = await events_of(sbot, events.REMINDER_SENT)
    assert sent[0].data["late"] is False  # held by quiet hours, not by downtime


async def test_snooze_moves_the_reminder_a_week_later(sbot: Harness) -> None:
    scheduled = await ended_project(sbot)
    remi = sbot.api.user(REMI)
    travel(sbot, paris(2026, 6, 10, 9, 0))
    await dispatch(sbot)
    await remi.expect("Bilan à faire")
    remi.press("Reporter d'une semaine")
    await remi.expect("je vous rappellerai le bilan de PES-2026-0001 le 17/06/2026")
    (snoozed,) = await events_of(sbot, events.REVIEW_SNOOZED)
    assert snoozed.data == {"review_id": scheduled[0].id, "until": "2026-06-17"}
    travel(sbot, paris(2026, 6, 16, 9, 0))
    assert (await dispatch(sbot)).sent == 0
    travel(sbot, paris(2026, 6, 17, 9, 1))
    assert (await dispatch(sbot)).sent == 1
    await remi.expect("Bilan à faire")


async def test_i_cannot_reassigns_to_another_volunteer_and_tells_the_owner(sbot: Harness) -> None:
    scheduled = await ended_project(sbot)
    sara = await seed_volunteer(sbot, SARA, "Sara")
    remi = sbot.api.user(REMI)
    travel(sbot, paris(2026, 6, 10, 9, 0))
    await dispatch(sbot)
    await remi.expect("Bilan à faire")
    remi.press("Je ne peux pas")
    await remi.expect("confié à quelqu'un d'autre")
    told = await sbot.staff("Camille").expect("ne peut plus être fait par Rémi")
    assert "confié à Sara" in (told.text or "")
    assert (await review(sbot, scheduled[0].id)).assignee_id == sara.id
    assert (await dispatch(sbot)).sent == 1
    await sbot.api.user(SARA).expect("Bilan à faire")
    (declined,) = await events_of(sbot, events.REVIEW_DECLINED)
    assert declined.data == {"review_id": scheduled[0].id}
    remi.press_raw(f"rv:decline:{scheduled[0].id}")  # again: already done, nothing changes
    answers = await sbot.api.wait_for_call("answerCallbackQuery", 2)
    assert "réservée" not in answers.params.get("text", "")
    await sbot.settle()
    assert len(await events_of(sbot, events.REVIEW_DECLINED)) == 1
    assert (await review(sbot, scheduled[0].id)).assignee_id == sara.id


async def test_blocked_volunteer_becomes_unreachable_and_reviews_move(sbot: Harness) -> None:
    scheduled = await ended_project(sbot)
    await seed_volunteer(sbot, SARA, "Sara")
    remi = sbot.api.user(REMI)
    remi.block_bot()
    await sbot.settle()
    travel(sbot, paris(2026, 6, 10, 9, 0))
    report = await dispatch(sbot)
    assert report.outcomes["blocked"] == 1
    await sbot.api.user(SARA).expect("Bilan à faire")  # same run: reassigned and sent
    told = await sbot.staff("Camille").expect("a bloqué le bot")
    assert "PES-2026-0001 n°1" in (told.text or "")
    (person,) = await rows(sbot, Person, Person.telegram_id == REMI)
    assert person.unreachable_at is not None
    (unreachable,) = await events_of(sbot, events.VOLUNTEER_UNREACHABLE)
    assert unreachable.data == {"volunteer_id": person.id}
    assert all(r.assignee_id != person.id for r in await rows(sbot, Review))
    (failed,) = await reminders_of(sbot, Reminder.state == "failed", Reminder.kind == "review_due")
    assert failed.last_error is not None and failed.last_error.startswith("403")
    assert len(scheduled) == 3


async def test_429_postpones_by_retry_after(sbot: Harness) -> None:
    await ended_project(sbot)
    remi = sbot.api.user(REMI)
    travel(sbot, paris(2026, 6, 10, 9, 0))
    sbot.api.inject_fault("sendMessage", "429", retry_after=30, chat_id=REMI)
    report = await dispatch(sbot)
    assert report.outcomes["postpone"] == 1 and report.sent == 0
    (row,) = await reminders_of(sbot, Reminder.kind == "review_due", Reminder.last_error == "429")
    assert row.state == "pending" and row.due_at == sbot.clock.now() + timedelta(seconds=30)
    assert (await dispatch(sbot)).sent == 0
    sbot.clock.advance(timedelta(seconds=31))
    assert (await dispatch(sbot)).sent == 1
    await remi.expect("Bilan à faire")
    assert remi.unread() == []


async def test_5xx_and_timeouts_retry_with_backoff(sbot: Harness) -> None:
    first = (await ended_project(sbot))[0].id
    remi = sbot.api.user(REMI)
    travel(sbot, paris(2026, 6, 10, 9, 0))
    sbot.api.inject_fault("sendMessage", "500", chat_id=REMI)
    assert (await dispatch(sbot)).outcomes["retry"] == 1
    (row,) = await reminders_of(sbot, Reminder.kind == "review_due", Reminder.review_id == first)
    assert row.due_at == sbot.clock.now() + timedelta(minutes=1)
    sbot.clock.advance(timedelta(minutes=1))
    sbot.api.inject_fault("sendMessage", "timeout", chat_id=REMI)
    assert (await dispatch(sbot)).outcomes["retry"] == 1
    (row,) = await reminders_of(sbot, Reminder.kind == "review_due", Reminder.review_id == first)
    assert row.due_at == sbot.clock.now() + timedelta(minutes=2) and row.attempts == 2
    sbot.clock.advance(timedelta(minutes=2))
    assert (await dispatch(sbot)).sent == 1
    await remi.expect("Bilan à faire")
    (row,) = await reminders_of(sbot, Reminder.kind == "review_due", Reminder.review_id == first)
    assert row.state == "sent" and row.attempts == 3


async def test_catch_up_after_downtime_sends_once_marked_late(sbot: Harness) -> None:
    await ended_project(sbot)
    await sbot.stop()
    travel(sbot, paris(2026, 6, 12, 15, 0))  # the bot was down when the reminder fell due
    await sbot.start()
    assert sbot.app is not None and sbot.app.job_queue is not None
    (job,) = sbot.app.job_queue.get_jobs_by_name(JOB_NAME)
    stop_jobs(sbot)
    await run_reminders(sbot.app)  # what the job's first run does
    late = await sbot.api.user(REMI).expect("Bilan à faire")
    assert "envoyé en retard" in (late.text or "")
    (sent,) = await events_of(sbot, events.REMINDER_SENT)
    assert sent.data["late"] is True
    await run_reminders(sbot.app)
    assert sbot.api.user(REMI).unread() == []
    assert job.name == JOB_NAME


async def test_two_processes_never_send_the_same_reminder(both: Harness) -> None:
    bot = both
    people = [await seed_volunteer(bot, 7000 + i, f"V{i}") for i in range(24)]
    async with bot.session_factory.begin() as session:
        for person in people:
            reminders.add(
                session,
                reminders.VOLUNTEER_UNREACHABLE,
                bot.clock.now(),
                recipient_id=person.id,
                payload={"name": "X", "reviews": ["PES-2026-0001 n°1"]},
            )
    engine = make_engine(bot.db_url)
    other = build_application(
        bot.config,
        bot.content,
        make_session_factory(engine),
        token=bot.api.token,
        clock=bot.clock,
        request=FakeRequest(bot.api),
        get_updates_request=FakeRequest(bot.api),
    )
    await other.initialize()
    try:
        assert bot.app is not None
        first, second = await asyncio.gather(
            dispatch_due_reminders(bot.app), dispatch_due_reminders(other)
        )
    finally:
        await other.shutdown()
        await engine.dispose()
    assert first.sent + second.sent == 24
    for i in range(24):
        assert len(bot.api.messages(7000 + i)) == 1
    assert len(bot.api.calls_to("sendMessage")) == 24
    assert {r.state for r in await reminders_of(bot)} == {"sent"}


async def test_unclaimed_project_is_announced_again_then_escalated(sbot: Harness) -> None:
    await seed_project(sbot, owner_id=None)  # routed Tuesday 10:30 (Paris), nobody claims
    camille = sbot.staff("Camille")
    travel(sbot, paris(2026, 3, 11, 10, 31))
    await run_reminders(sbot.app)  # type: ignore[arg-type]
    assert camille.unread() == []
    travel(sbot, paris(2026, 3, 12, 10, 31))  # two working days later
    await run_reminders(sbot.app)  # type: ignore[arg-type]
    again = await camille.expect("Toujours sans prise en charge")
    assert "PES-2026-0001" in (again.text or "") and again.buttons[0] == ["✋ Je prends"]
    await run_reminders(sbot.app)  # type: ignore[arg-type]
    assert camille.unread() == []
    travel(sbot, paris(2026, 3, 16, 10, 31))  # Monday: two more working days (weekend skipped)
    await run_reminders(sbot.app)  # type: ignore[arg-type]
    await camille.expect("À attribuer")  # Camille coordinates Bénéfices'Créa
    camille.press("✋ Je prends")
    await camille.expect("Pris en charge par Camille")
    (project,) = await sbot.projects()
    assert project.status == "claimed"


async def test_silent_project_nudges_its_owner_every_30_days(sbot: Harness) -> None:
    await seed_project(sbot)
    camille = sbot.staff("Camille")
    travel(sbot, sbot.clock.now() + timedelta(days=29))
    await run_reminders(sbot.app)  # type: ignore[arg-type]
    assert camille.unread() == []
    travel(sbot, paris(2026, 4, 9, 12, 0))
    await run_reminders(sbot.app)  # type: ignore[arg-type]
    nudge = await camille.expect("Pas de nouvelles du dossier PES-2026-0001 depuis 30 jours")
    assert nudge.buttons == [["🧭 Accompagnement"]]
    await run_reminders(sbot.app)  # type: ignore[arg-type]
    assert camille.unread() == []
    travel(sbot, paris(2026, 5, 9, 12, 0))
    await run_reminders(sbot.app)  # type: ignore[arg-type]
    await camille.expect("depuis 60 jours")


async def test_weekly_digest_on_monday_morning(sbot: Harness) -> None:
    await seed_project(sbot, owner_id=None)  # Bénéfices'Créa, unclaimed
    await seed_project(sbot, path="dla", holder_id=HOLDER_ID + 1, owner_id=None)
    await run_reminders(sbot.app)  # type: ignore[arg-type]  # plans next Monday's digest
    digests = await reminders_of(sbot, Reminder.kind == "digest")
    assert {r.due_at for r in digests} == {paris(2026, 3, 16, 9, 0)}
    assert len(digests) == len(sbot.config.staff)
    travel(sbot, paris(2026, 3, 16, 9, 0))
    await run_reminders(sbot.app)  # type: ignore[arg-type]
    karim = await sbot.staff("Karim").expect("Votre semaine")
    assert "PES-2026-0002" in (karim.text or "") and "PES-2026-0001" not in (karim.text or "")
    camille = await sbot.staff("Camille").expect("Votre semaine")
    assert "PES-2026-0001" in (camille.text or "")
    await run_reminders(sbot.app)  # type: ignore[arg-type]
    assert sbot.staff("Karim").unread() == []
    later = await reminders_of(sbot, Reminder.kind == "digest", Reminder.state == "pending")
    assert {r.due_at for r in later} == {paris(2026, 3, 23, 9, 0)}
    assert all(r.due_at.tzinfo is UTC for r in later)
    assert CAMILLE in {r.chat_id for r in later}


async def test_after_weeks_down_only_this_weeks_digest_is_sent(sbot: Harness) -> None:
    await seed_project(sbot, owner_id=None)
    await run_reminders(sbot.app)  # type: ignore[arg-type]  # plans Monday 16 March's digest
    # The bot is down from Sunday 15 March and comes back on Wednesday 8 April, then restarts on
    # each of the following days: the March digest is never sent, April's are.
    travel(sbot, paris(2026, 4, 8, 10, 0))
    await run_reminders(sbot.app)  # type: ignore[arg-type]
    camille = sbot.staff("Camille")
    assert [m for m in camille.unread() if "Votre semaine" in (m.text or "")] == []
    stale = await reminders_of(sbot, Reminder.kind == "digest", Reminder.due_at < paris(2026, 4, 1))
    assert [r.state for r in stale] == ["cancelled"] * len(sbot.config.staff)
    for day in (9, 10):
        travel(sbot, paris(2026, 4, day, 10, 0))
        await run_reminders(sbot.app)  # type: ignore[arg-type]
    travel(sbot, paris(2026, 4, 14, 11, 0))  # Tuesday: Monday's digest, late but this week's
    await run_reminders(sbot.app)  # type: ignore[arg-type]
    late = [m for m in camille.unread() if "Votre semaine" in (m.text or "")]
    assert len(late) == 1
    assert "PES-2026-0001" in (late[0].text or "")
