"""Post-accompaniment reviews: scheduling, assignment, snooze, decline, logging, DLA proposals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.db.models import Accompaniment, Person, Project, Review
from pes21_bot.domain.assignment import REVIEW_MISSION, choose_volunteer
from pes21_bot.domain.jobs import job_lines, total
from pes21_bot.domain.scheduling import add_months, local_day_start
from pes21_bot.domain.vocabulary import DlaProposal, ProjectStatus, ReviewState
from pes21_bot.services import events, intake, reminders, volunteers
from pes21_bot.services.jobs import record_jobs
from pes21_bot.services.people import UserInfo, ensure_person, find_person

DLA_NEED = "consolidation_dla"


def _today(config: Config, now: datetime) -> date:
    return now.astimezone(config.tz).date()


async def _volunteer_reminders(
    session: AsyncSession, config: Config, review: Review, first_at: datetime, follow_up: bool
) -> None:
    """The assignee's reminder at `first_at`, and (with `follow_up`) one more
    `review_followup_days` later."""
    await reminders.cancel_for_review(session, review.id, reminders.VOLUNTEER_KINDS)
    if review.assignee_id is None:
        return
    planned = [(reminders.REVIEW_DUE, first_at)]
    if follow_up:
        later = first_at + timedelta(days=config.reminders.review_followup_days)
        planned.append((reminders.REVIEW_OVERDUE, later))
    for kind, due in planned:
        reminders.add(
            session,
            kind,
            due,
            recipient_id=review.assignee_id,
            project_id=review.project_id,
            review_id=review.id,
        )


async def assign(
    session: AsyncSession,
    config: Config,
    review: Review,
    assignee_id: int | None,
    now: datetime,
    actor_id: int | None = None,
    follow_up: bool = True,
) -> None:
    """Give the review to someone and plan their reminders (at the due date, or now if past;
    without `follow_up`, only that first one)."""
    review.assignee_id = assignee_id
    project = await session.get(Project, review.project_id)
    events.record(
        session,
        events.REVIEW_ASSIGNED,
        now,
        actor_id=actor_id,
        project_id=review.project_id,
        programme=project.programme if project else None,
        review_id=review.id,
        assignee_id=assignee_id,
    )
    await _volunteer_reminders(session, config, review, max(review.due_at, now), follow_up)


async def staff_in_charge(session: AsyncSession, config: Config, project: Project) -> Person | None:
    """The staff member who answers for a project: its owner if staff, else the staff member who
    ran its latest accompaniment (a volunteer may own an accueil-en-amont dossier)."""
    owner = await session.get(Person, project.owner_id) if project.owner_id else None
    if owner is not None and config.staff_member(owner.telegram_id or 0) is not None:
        return owner
    result = await session.execute(
        select(Person)
        .join(Accompaniment, Accompaniment.staff_id == Person.id)
        .where(Accompaniment.project_id == project.id)
        .order_by(Accompaniment.id.desc())
    )
    for person in result.scalars():
        if config.staff_member(person.telegram_id or 0) is not None:
            return person
    return None


async def chats_in_charge(session: AsyncSession, config: Config, project: Project) -> list[int]:
    """Who is told about a project's bilans: the staff in charge, else the programme's
    coordinator, else every admin."""
    staff = await staff_in_charge(session, config, project)
    if staff is not None and staff.telegram_id is not None:
        return [staff.telegram_id]
    programme = config.programmes.get(project.programme or "")  # type: ignore[call-overload]
    if programme is not None and programme.coordinator:
        return [programme.coordinator]
    return [member.id for member in config.admins]


async def choose_assignee(
    session: AsyncSession,
    config: Config,
    project: Project,
    now: datetime,
    excluded: list[int] | None = None,
) -> int | None:
    """An available reviewing volunteer (least open reviews first), else the staff in charge
    (else the owner, whoever they are)."""
    chosen = choose_volunteer(
        await volunteers.candidates(session), _today(config, now), REVIEW_MISSION, excluded or []
    )
    if chosen is not None:
        return chosen
    staff = await staff_in_charge(session, config, project)
    return staff.id if staff is not None else project.owner_id


async def schedule_reviews(
    session: AsyncSession, config: Config, project: Project, ended_on: date, now: datetime
) -> list[Review]:
    """Reviews at the configured months after the end, all given to one reviewer.

    A review already due when the end is recorded (past activity entered late) is offered once
    as to do: no follow-up, no escalation, never "late" (the bot was not down)."""
    rules = reminders.quiet_rules(config)
    assignee = await choose_assignee(session, config, project, now)
    staff = await staff_in_charge(session, config, project)
    in_charge = staff.id if staff is not None else project.owner_id
    created = []
    for number, months in enumerate(config.reminders.review_offsets_months, start=1):
        due_on = add_months(ended_on, months)
        review = Review(
            project_id=project.id,
            number=number,
            due_at=local_day_start(due_on, rules),
            state=ReviewState.OPEN,
            details={},
        )
        session.add(review)
        await session.flush()
        events.record(
            session,
            events.REVIEW_SCHEDULED,
            now,
            project_id=project.id,
            programme=project.programme,
            review_id=review.id,
            number=number,
            due_on=due_on.isoformat(),
        )
        past = review.due_at <= now
        await assign(session, config, review, assignee, now, follow_up=not past)
        if in_charge is not None and not past:
            _escalation(session, config, review, project.id, in_charge)
        created.append(review)
    return created


def _escalation(
    session: AsyncSession, config: Config, review: Review, project_id: int, in_charge: int
) -> None:
    """The reminder to whoever follows the dossier, some days after a bilan falls due."""
    reminders.add(
        session,
        reminders.REVIEW_ESCALATION,
        review.due_at + timedelta(days=config.reminders.review_escalation_days),
        recipient_id=in_charge,
        project_id=project_id,
        review_id=review.id,
    )


async def replan(
    session: AsyncSession, config: Config, project: Project, ended_on: date, now: datetime
) -> list[Review]:
    """The open reviews of a dossier whose end date was corrected: due again at their months
    after the new end, their reminders planned anew (one already due is offered once)."""
    rules = reminders.quiet_rules(config)
    staff = await staff_in_charge(session, config, project)
    in_charge = staff.id if staff is not None else project.owner_id
    offsets = config.reminders.review_offsets_months
    moved = []
    for review in await open_reviews_of_project(session, project.id):
        if not 1 <= review.number <= len(offsets):
            continue
        review.due_at = local_day_start(add_months(ended_on, offsets[review.number - 1]), rules)
        await reminders.cancel_for_review(session, review.id)
        past = review.due_at <= now
        await _volunteer_reminders(session, config, review, max(review.due_at, now), not past)
        if in_charge is not None and not past:
            _escalation(session, config, review, project.id, in_charge)
        moved.append(review)
    return moved


async def get_review(session: AsyncSession, review_id: int) -> Review | None:
    """A review by id."""
    return await session.get(Review, review_id)


def snoozed_until(review: Review, now: datetime) -> datetime | None:
    """When a running snooze of this review ends (None if it is not snoozed any more)."""
    raw = review.details.get("snoozed_until")
    until = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    return until if until is not None and until > now else None


async def snooze(
    session: AsyncSession, config: Config, review: Review, person: Person, now: datetime
) -> datetime:
    """'Reporter d'une semaine': the assignee's reminders move; the owner's deadline does not."""
    until = now + timedelta(days=config.reminders.snooze_days)
    await _volunteer_reminders(session, config, review, until, True)
    review.details = {**review.details, "snoozed_until": until.isoformat()}
    project = await session.get(Project, review.project_id)
    events.record(
        session,
        events.REVIEW_SNOOZED,
        now,
        actor_id=person.id,
        project_id=review.project_id,
        programme=project.programme if project else None,
        review_id=review.id,
        until=until.astimezone(config.tz).date().isoformat(),
    )
    return until


async def decline(
    session: AsyncSession, config: Config, review: Review, person: Person, now: datetime
) -> int | None:
    """'Je ne peux pas': the review goes to another volunteer, else to the staff owner."""
    declined = [*review.details.get("declined_by", []), person.id]
    review.details = {**review.details, "declined_by": declined}
    project = await session.get(Project, review.project_id)
    assert project is not None
    events.record(
        session,
        events.REVIEW_DECLINED,
        now,
        actor_id=person.id,
        project_id=project.id,
        programme=project.programme,
        review_id=review.id,
    )
    assignee = await choose_assignee(session, config, project, now, declined)
    if assignee == person.id:  # the staff in charge declining their own review keeps it
        staff = await staff_in_charge(session, config, project)
        assignee = staff.id if staff is not None else project.owner_id
    await assign(session, config, review, assignee, now, actor_id=person.id)
    return assignee


@dataclass(frozen=True)
class Reassigned:
    """A review that changed hands, for the staff owner's notice."""

    review: Review
    project: Project
    assignee_id: int | None


async def reassign_open_reviews(
    session: AsyncSession, config: Config, person_id: int, now: datetime
) -> list[Reassigned]:
    """Move every open review of someone who left or became unreachable."""
    result = await session.execute(
        select(Review, Project)
        .join(Project, Review.project_id == Project.id)
        .where(Review.assignee_id == person_id, Review.state == ReviewState.OPEN)
        .order_by(Review.due_at)
    )
    moved = []
    for review, project in result.all():
        assignee = await choose_assignee(session, config, project, now, [person_id])
        await assign(session, config, review, assignee, now)
        moved.append(Reassigned(review, project, assignee))
    return moved


async def cancel_open_reviews(
    session: AsyncSession, project: Project, now: datetime, reason: str
) -> list[Review]:
    """Cancel a project's open reviews and every pending reminder of it (never "en retard")."""
    result = await session.execute(
        select(Review)
        .where(Review.project_id == project.id, Review.state == ReviewState.OPEN)
        .order_by(Review.due_at)
    )
    cancelled = list(result.scalars())
    for review in cancelled:
        review.state = ReviewState.CANCELLED
        review.details = {**review.details, "cancelled": reason}
        events.record(
            session,
            events.REVIEW_CANCELLED,
            now,
            project_id=project.id,
            programme=project.programme,
            review_id=review.id,
            reason=reason,
        )
    await reminders.cancel_for_project(session, project.id)
    return cancelled


async def reviews_of(session: AsyncSession, person_id: int) -> tuple[list[Any], list[Any]]:
    """(open, done) reviews of a person as (review, project) pairs."""
    result = await session.execute(
        select(Review, Project)
        .join(Project, Review.project_id == Project.id)
        .where(
            or_(
                (Review.assignee_id == person_id) & (Review.state == ReviewState.OPEN),
                (Review.done_by_id == person_id) & (Review.state == ReviewState.DONE),
            )
        )
        .order_by(Review.due_at)
    )
    rows = [(r, p) for r, p in result.all()]
    return [r for r in rows if r[0].state == ReviewState.OPEN], [
        r for r in rows if r[0].state == ReviewState.DONE
    ]


async def open_review_of(session: AsyncSession, project_id: int, telegram_id: int) -> Review | None:
    """This person's open review of this dossier, if they have one."""
    person = await find_person(session, telegram_id)
    if person is None:
        return None
    found = await open_reviews_of_project(session, project_id)
    return next((r for r in found if r.assignee_id == person.id), None)


async def open_reviews_of_project(session: AsyncSession, project_id: int) -> list[Review]:
    """Open reviews of a project, soonest first."""
    result = await session.execute(
        select(Review)
        .where(Review.project_id == project_id, Review.state == ReviewState.OPEN)
        .order_by(Review.due_at)
    )
    return list(result.scalars())


@dataclass(frozen=True)
class Completed:
    """A logged review and what follows from it."""

    review: Review
    project: Project
    dla_proposed: bool


async def complete(
    session: AsyncSession,
    review_id: int,
    answers: dict[str, Any],
    actor: Person,
    now: datetime,
) -> Completed | None:
    """Store a review once (conditional update), its events, and a DLA proposal if asked."""
    done = await session.execute(
        update(Review)
        .where(Review.id == review_id, Review.state == ReviewState.OPEN)
        .values(state=ReviewState.DONE, done_at=now, done_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return None
    review = await session.get(Review, review_id, populate_existing=True)
    assert review is not None
    project = await session.get(Project, review.project_id)
    assert project is not None
    review.details = {**review.details, "answers": answers}
    await reminders.cancel_for_review(session, review.id)
    lines = job_lines(answers)
    jobs = total(lines)
    satisfaction = answers.get("satisfaction")
    done_data: dict[str, Any] = {
        "review_id": review.id,
        "situation": answers.get("situation"),
        "jobs_created": jobs,
        "satisfaction": int(satisfaction) if satisfaction else None,
        "hours": answers.get("hours"),
        "km": answers.get("km"),
    }
    where: dict[str, Any] = {
        "actor_id": actor.id,
        "project_id": project.id,
        "programme": project.programme,
    }
    events.record(session, events.REVIEW_DONE, now, **where, **done_data)
    record_jobs(session, lines, "review", now, where)
    proposed = DLA_NEED in (answers.get("needs") or [])
    if proposed:
        review.dla_state = DlaProposal.PENDING
        events.record(session, events.DLA_PROPOSED, now, **where, review_id=review.id)
    return Completed(review, project, proposed)


async def structure_name(session: AsyncSession, project_id: int) -> str | None:
    """The name of the structure created at the end of the accompaniment, if any."""
    result = await session.execute(
        select(Accompaniment)
        .where(Accompaniment.project_id == project_id)
        .order_by(Accompaniment.id.desc())
        .limit(1)
    )
    found = result.scalar_one_or_none()
    return found.details.get("structure_name") if found is not None else None


async def decide_dla(
    session: AsyncSession,
    config: Config,
    review_id: int,
    accept: bool,
    staff: UserInfo,
    now: datetime,
    need: str,
) -> Project | bool | None:
    """Accept (a new DLA project is routed) or decline a proposal; False if already decided."""
    state = DlaProposal.ACCEPTED if accept else DlaProposal.DECLINED
    changed = await session.execute(
        update(Review)
        .where(Review.id == review_id, Review.dla_state == DlaProposal.PENDING)
        .values(dla_state=state)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    review = await session.get(Review, review_id, populate_existing=True)
    assert review is not None
    origin = await session.get(Project, review.project_id)
    assert origin is not None
    person = await ensure_person(session, staff, now)
    if not accept:
        events.record(
            session,
            events.DLA_DECLINED,
            now,
            actor_id=person.id,
            project_id=origin.id,
            programme="dla",
            review_id=review.id,
        )
        return None
    answers: dict[str, Any] = {
        key: origin.answers.get(key)
        for key in ("name", "email", "phone", "postal_code", "commune")
        if key in origin.answers
    }
    answers["structure_name"] = (
        await structure_name(session, origin.id) or origin.answers.get("name") or ""
    )
    answers["need"] = need
    project = Project(
        holder_id=origin.holder_id,
        path="dla",
        status=ProjectStatus.DRAFT,
        answers=answers,
        source="bilan",
        created_at=now,
        updated_at=now,
    )
    session.add(project)
    await session.flush()
    await intake.submit(session, project, config, now)
    events.record(
        session,
        events.DLA_ACCEPTED,
        now,
        actor_id=person.id,
        project_id=origin.id,
        programme="dla",
        review_id=review.id,
        new_project_id=project.id,
    )
    return project
