"""The accompaniment of a claimed project: start, co-accompanying volunteer, milestones, end."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.db.models import Accompaniment, Event, Project, Review
from pes21_bot.domain.jobs import LINES, job_lines
from pes21_bot.domain.real_dates import dated
from pes21_bot.domain.vocabulary import ProjectStatus
from pes21_bot.services import events, relay, reviews, satisfaction
from pes21_bot.services.jobs import record_jobs
from pes21_bot.services.people import UserInfo, ensure_person

ENDED_REASON = "accompaniment_ended"


async def current(session: AsyncSession, project_id: int) -> Accompaniment | None:
    """The accompaniment in progress, if any."""
    result = await session.execute(
        select(Accompaniment)
        .where(Accompaniment.project_id == project_id, Accompaniment.ended_on.is_(None))
        .order_by(Accompaniment.id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def starts_after(session: AsyncSession, project_id: int, day: date) -> date | None:
    """The running accompaniment's start when `day` comes before it (an end or a step cannot);
    else None."""
    running = await current(session, project_id)
    return running.started_on if running is not None and day < running.started_on else None


def milestones_for(config: Config, programme: str | None) -> list[str]:
    """Milestones staff can record for a programme."""
    return list(config.accompaniment.milestones.get(programme or "", []))  # type: ignore[call-overload]


async def start(
    session: AsyncSession,
    project: Project,
    staff: UserInfo,
    started_on: date,
    now: datetime,
    *,
    tz: tzinfo = UTC,
) -> Accompaniment | None:
    """Start accompanying a claimed project; None if it is not (or no longer) claimed.

    The event is dated at `started_on` (local day in `tz`), so one started earlier outside the
    bot counts in its real year.
    """
    if project.status != ProjectStatus.CLAIMED:
        return None
    person = await ensure_person(session, staff, now)
    accompaniment = Accompaniment(
        project_id=project.id,
        staff_id=person.id,
        started_on=started_on,
        details={},
        created_at=now,
        updated_at=now,
    )
    session.add(accompaniment)
    project.status = ProjectStatus.ACCOMPANYING
    project.updated_at = now
    await session.flush()
    moment, recorded = dated(started_on, now, tz)
    events.record(
        session,
        events.ACCOMPANIMENT_STARTED,
        moment,
        actor_id=person.id,
        project_id=project.id,
        programme=project.programme,
        started_on=started_on.isoformat(),
        **recorded,
    )
    return accompaniment


async def attach_volunteer(
    session: AsyncSession, project: Project, volunteer_id: int, staff: UserInfo, now: datetime
) -> bool:
    """Name the volunteer who co-accompanies; False if no accompaniment is in progress."""
    accompaniment = await current(session, project.id)
    if accompaniment is None:
        return False
    person = await ensure_person(session, staff, now)
    accompaniment.volunteer_id = volunteer_id
    accompaniment.updated_at = now
    project.updated_at = now
    events.record(
        session,
        events.VOLUNTEER_ATTACHED,
        now,
        actor_id=person.id,
        project_id=project.id,
        programme=project.programme,
        volunteer_id=volunteer_id,
    )
    return True


async def record_milestone(
    session: AsyncSession,
    project: Project,
    answers: dict[str, Any],
    staff: UserInfo,
    now: datetime,
    *,
    tz: tzinfo = UTC,
) -> None:
    """A milestone dated at its day (and jobs consolidated or collective action for the DLA)."""
    person = await ensure_person(session, staff, now)
    extra = {k: answers[k] for k in ("jobs_consolidated", "action") if k in answers}
    project.updated_at = now
    moment, recorded = dated(date.fromisoformat(answers["on"]), now, tz)
    events.record(
        session,
        events.MILESTONE,
        moment,
        actor_id=person.id,
        project_id=project.id,
        programme=project.programme,
        milestone=answers["milestone"],
        on=answers["on"],
        **extra,
        **recorded,
    )


async def end(
    session: AsyncSession,
    config: Config,
    project: Project,
    answers: dict[str, Any],
    staff: UserInfo,
    now: datetime,
) -> list[Review] | None:
    """End with an outcome: events, project closed, reviews scheduled; None if not running.

    The events are dated at `ended_on` (the structure's at its creation day, when given).
    """
    accompaniment = await current(session, project.id)
    if accompaniment is None or project.status != ProjectStatus.ACCOMPANYING:
        return None
    person = await ensure_person(session, staff, now)
    ended_on = date.fromisoformat(answers["ended_on"])
    outcome = answers["outcome"]
    accompaniment.ended_on = ended_on
    accompaniment.outcome = outcome
    kept = ["legal_form", "structure_name", "created_on"]
    kept += [i for ids in LINES for i in (ids.count, ids.contract, ids.time, ids.more)]
    accompaniment.details = {k: answers[k] for k in kept if k in answers}
    accompaniment.updated_at = now
    project.status = ProjectStatus.CLOSED
    project.close_reason = ENDED_REASON
    project.closed_at = now
    project.updated_at = now
    where: dict[str, Any] = {
        "actor_id": person.id,
        "project_id": project.id,
        "programme": project.programme,
    }
    ended = {"outcome": outcome, "ended_on": ended_on.isoformat()}
    moment, recorded = dated(ended_on, now, config.tz)
    events.record(session, events.ACCOMPANIMENT_ENDED, moment, **where, **ended, **recorded)
    if outcome == "structure_created":
        created_on = answers.get("created_on")
        structure = {
            "legal_form": answers.get("legal_form"),
            "name": answers.get("structure_name"),
            "created_on": created_on,
        }
        day = date.fromisoformat(created_on) if created_on else ended_on
        created_at, noted = dated(day, now, config.tz)
        events.record(session, events.STRUCTURE_CREATED, created_at, **where, **structure, **noted)
    record_jobs(session, job_lines(answers), "accompaniment", moment, {**where, **recorded})
    await satisfaction.schedule(session, config, project, ended_on, now)
    relay.queue_topic_close(session, project, now)
    return await reviews.schedule_reviews(session, config, project, ended_on, now)


async def milestones_done(session: AsyncSession, project_id: int) -> list[dict[str, Any]]:
    """Milestones recorded for a project (their event data), oldest first."""
    result = await session.execute(
        select(Event.data)
        .where(Event.project_id == project_id, Event.kind == events.MILESTONE)
        .order_by(Event.occurred_at, Event.id)
    )
    return [dict(data) for data in result.scalars()]


# Why a corrected date is refused: it would put the start after the end or a step, or the end
# before the start or a step.
AFTER_END, AFTER_STEP, BEFORE_START, BEFORE_STEP = (
    "after_end",
    "after_step",
    "before_start",
    "before_step",
)


async def latest(session: AsyncSession, project_id: int) -> Accompaniment | None:
    """The dossier's latest accompaniment, running or ended."""
    result = await session.execute(
        select(Accompaniment)
        .where(Accompaniment.project_id == project_id)
        .order_by(Accompaniment.id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def _steps(session: AsyncSession, project_id: int) -> list[date]:
    return sorted(
        date.fromisoformat(str(m["on"])) for m in await milestones_done(session, project_id)
    )


async def _redate(
    session: AsyncSession,
    project_id: int,
    kind: str,
    key: str,
    day: date,
    now: datetime,
    tz: tzinfo,
) -> None:
    """The latest event of this kind moves to the corrected day (the figures follow it)."""
    event = await session.scalar(
        select(Event)
        .where(Event.project_id == project_id, Event.kind == kind)
        .order_by(Event.id.desc())
        .limit(1)
    )
    if event is None:
        return
    moment, recorded = dated(day, now, tz)
    event.occurred_at = moment
    event.data = {**event.data, key: day.isoformat(), **recorded}


async def correct(
    session: AsyncSession,
    config: Config,
    project: Project,
    field: str,
    day: date,
    staff: UserInfo,
    now: datetime,
) -> str | None:
    """Correct the start ("start") or the end ("end") of the dossier's accompaniment: the record
    and its event re-dated, the correction in the history, the open bilans and the survey not
    sent yet re-planned after a new end. Returns why it is refused (nothing changed), or None
    once done."""
    found = await latest(session, project.id)
    if found is None or (field == "end" and found.ended_on is None):
        return BEFORE_START if field == "start" else AFTER_END
    steps = await _steps(session, project.id)
    if field == "start":
        if found.ended_on is not None and day > found.ended_on:
            return AFTER_END
        if steps and day > steps[0]:
            return AFTER_STEP
        was, found.started_on = found.started_on, day
        await _redate(
            session, project.id, events.ACCOMPANIMENT_STARTED, "started_on", day, now, config.tz
        )
    else:
        if day < found.started_on:
            return BEFORE_START
        if steps and day < steps[-1]:
            return BEFORE_STEP
        assert found.ended_on is not None
        was, found.ended_on = found.ended_on, day
        await _redate(
            session, project.id, events.ACCOMPANIMENT_ENDED, "ended_on", day, now, config.tz
        )
        await reviews.replan(session, config, project, day, now)
        await satisfaction.replan(session, config, project, day, now)
    found.updated_at = now
    await _note_correction(session, project, staff, now, field, was.isoformat(), day)
    return None


async def steps(session: AsyncSession, project_id: int) -> list[Event]:
    """The dossier's recorded steps (their events), oldest first."""
    result = await session.execute(
        select(Event)
        .where(Event.project_id == project_id, Event.kind == events.MILESTONE)
        .order_by(Event.occurred_at, Event.id)
    )
    return list(result.scalars())


async def step(session: AsyncSession, project_id: int, event_id: int) -> Event | None:
    """One recorded step of this dossier, by its event id."""
    found = await session.get(Event, event_id)
    if found is None or found.project_id != project_id or found.kind != events.MILESTONE:
        return None
    return found


async def correct_step(
    session: AsyncSession,
    config: Config,
    project: Project,
    event_id: int,
    day: date,
    staff: UserInfo,
    now: datetime,
) -> str | None:
    """Move a recorded step to its right day, inside the accompaniment (not before its start,
    not after its end once ended); the correction in the history. Returns why it is refused
    (nothing changed), or None once done."""
    found = await latest(session, project.id)
    event = await step(session, project.id, event_id)
    if found is None or event is None or day < found.started_on:
        return BEFORE_START
    if found.ended_on is not None and day > found.ended_on:
        return AFTER_END
    was = str(event.data["on"])
    moment, recorded = dated(day, now, config.tz)
    event.occurred_at = moment
    event.data = {**event.data, "on": day.isoformat(), **recorded}
    project.updated_at = now
    milestone = event.data.get("milestone")
    await _note_correction(session, project, staff, now, "step", was, day, milestone=milestone)
    return None


async def _note_correction(
    session: AsyncSession,
    project: Project,
    staff: UserInfo,
    now: datetime,
    field: str,
    was: str,
    day: date,
    **extra: object,
) -> None:
    """The correction in the dossier's history: which date, from what, to what, by whom."""
    person = await ensure_person(session, staff, now)
    events.record(
        session,
        events.ACCOMPANIMENT_CORRECTED,
        now,
        actor_id=person.id,
        project_id=project.id,
        programme=project.programme,
        field=field,
        was=was,
        to=day.isoformat(),
        **extra,
    )
