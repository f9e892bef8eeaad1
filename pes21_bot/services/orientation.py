"""Orientations a welcoming volunteer proposes for an accueil-en-amont dossier, decided by staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.db.models import OrientationProposal, Person, Project
from pes21_bot.domain.vocabulary import VOLUNTEER_PROGRAMME
from pes21_bot.services import events

PENDING, ACCEPTED, REFUSED = "pending", "accepted", "refused"
# What the volunteer proposes: another programme, an Émergence workshop, or closing.
REDIRECT, EMERGENCE, CLOSE = "redirect", "emergence", "close"


def deciders(config: Config) -> list[int]:
    """Who is asked: the accueil-en-amont staff, else its coordinator, else the admins."""
    staff = [m.id for m in config.staff_for(VOLUNTEER_PROGRAMME)]
    if staff:
        return staff
    coordinator = config.programmes[VOLUNTEER_PROGRAMME].coordinator
    return [coordinator] if coordinator else [m.id for m in config.admins]


async def get(session: AsyncSession, proposal_id: int) -> OrientationProposal | None:
    """A proposal by id."""
    return await session.get(OrientationProposal, proposal_id)


async def pending_of(session: AsyncSession, project_id: int) -> OrientationProposal | None:
    """The proposal of this dossier still waiting for staff, if any."""
    result = await session.execute(
        select(OrientationProposal)
        .where(OrientationProposal.project_id == project_id, OrientationProposal.state == PENDING)
        .limit(1)
    )
    return result.scalar_one_or_none()


async def propose(
    session: AsyncSession,
    project: Project,
    volunteer: Person,
    choice: str,
    target: str | None,
    now: datetime,
) -> OrientationProposal | None:
    """Record a proposal (target: the programme or the close reason); None if one is pending."""
    if await pending_of(session, project.id) is not None:
        return None
    proposal = OrientationProposal(
        project_id=project.id,
        volunteer_id=volunteer.id,
        choice=choice,
        programme=target if choice == REDIRECT else None,
        reason=target if choice == CLOSE else None,
        state=PENDING,
        created_at=now,
    )
    session.add(proposal)
    await session.flush()
    events.record(
        session,
        events.ORIENTATION_PROPOSED,
        now,
        actor_id=volunteer.id,
        project_id=project.id,
        programme=project.programme,
        **_details(proposal),
    )
    return proposal


async def decide(
    session: AsyncSession, proposal_id: int, accept: bool, decider: Person, now: datetime
) -> OrientationProposal | None:
    """Accept or refuse a pending proposal, once (a conditional UPDATE); None if already done."""
    result = await session.execute(
        update(OrientationProposal)
        .where(OrientationProposal.id == proposal_id, OrientationProposal.state == PENDING)
        .values(state=ACCEPTED if accept else REFUSED, decided_by_id=decider.id, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    proposal = await session.get(OrientationProposal, proposal_id, populate_existing=True)
    assert proposal is not None
    events.record(
        session,
        events.ORIENTATION_ACCEPTED if accept else events.ORIENTATION_REFUSED,
        now,
        actor_id=decider.id,
        project_id=proposal.project_id,
        programme=VOLUNTEER_PROGRAMME,
        **_details(proposal),
    )
    return proposal


def _details(proposal: OrientationProposal) -> dict[str, object]:
    details: dict[str, object] = {"proposal_id": proposal.id, "choice": proposal.choice}
    if proposal.programme:
        details["programme_to"] = proposal.programme
    if proposal.reason:
        details["reason"] = proposal.reason
    return details
