"""The drafts of the short forms filled in by chat (a review, an accompaniment step, a volunteer
profile...): one FormDraft row per person. The intake's draft is a Project (services/intake.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.db.models import FormDraft


async def current_draft(session: AsyncSession, person_id: int) -> FormDraft | None:
    """The form this person is filling in, if any."""
    result = await session.execute(select(FormDraft).where(FormDraft.person_id == person_id))
    return result.scalar_one_or_none()


async def open_draft(
    session: AsyncSession,
    person_id: int,
    kind: str,
    target_id: int | None,
    answers: dict[str, Any],
    now: datetime,
) -> FormDraft:
    """A new draft, replacing any unfinished one of this person."""
    await session.execute(delete(FormDraft).where(FormDraft.person_id == person_id))
    draft = FormDraft(
        person_id=person_id,
        kind=kind,
        target_id=target_id,
        answers=answers,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    return draft


async def take_draft(session: AsyncSession, draft_id: int) -> bool:
    """Remove the draft to complete it; False if it was already taken (a double press)."""
    removed = await session.execute(
        delete(FormDraft).where(FormDraft.id == draft_id).returning(FormDraft.id)
    )
    return removed.scalar_one_or_none() is not None


async def set_answer(
    session: AsyncSession, draft_id: int, field_id: str, value: Any, now: datetime
) -> FormDraft | None:
    """Store one answer (None is an answer: skipped); None if the draft is gone."""
    return await _change(session, draft_id, now, lambda answers: answers.update({field_id: value}))


async def forget_answer(
    session: AsyncSession, draft_id: int, field_id: str, now: datetime
) -> FormDraft | None:
    """Forget one answer so that its question is asked again; None if the draft is gone."""
    return await _change(session, draft_id, now, lambda answers: answers.pop(field_id, None))


async def _change(
    session: AsyncSession, draft_id: int, now: datetime, edit: Callable[[dict[str, Any]], object]
) -> FormDraft | None:
    draft = await session.get(FormDraft, draft_id)
    if draft is None:
        return None
    answers = dict(draft.answers)
    edit(answers)
    # A new dict, so that the JSON column is seen as changed.
    draft.answers = answers
    draft.updated_at = now
    return draft
