"""The typed messages that answered form questions: an edit of one of them updates its answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.db.models import AnswerMessage


async def remember(
    session: AsyncSession,
    chat_id: int,
    message_id: int,
    form: str,
    draft_id: int,
    question_id: str,
    now: datetime,
) -> None:
    """Note that this message answered this question (in the answer's transaction)."""
    found = await answered_by(session, chat_id, message_id)
    if found is not None:  # the same message again (a replayed update): the latest question wins
        found.form, found.draft_id, found.question_id = form, draft_id, question_id
        return
    session.add(
        AnswerMessage(
            chat_id=chat_id,
            message_id=message_id,
            form=form,
            draft_id=draft_id,
            question_id=question_id,
            created_at=now,
        )
    )


async def answered_by(session: AsyncSession, chat_id: int, message_id: int) -> AnswerMessage | None:
    """The question this message answered, if it answered one."""
    result = await session.execute(
        select(AnswerMessage).where(
            AnswerMessage.chat_id == chat_id, AnswerMessage.message_id == message_id
        )
    )
    return result.scalars().first()


async def forget_chat(session: AsyncSession, chat_id: int) -> None:
    """Forget every answer message of a chat (the person's data is erased)."""
    await session.execute(delete(AnswerMessage).where(AnswerMessage.chat_id == chat_id))
