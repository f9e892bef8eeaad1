"""A holder's burst of messages to the team: the first few go at once, the next ones bundled.

Every message is stored on the dossier (services/relay.record_in) whatever happens here; this
only decides how it reaches each reader: beyond ``FREE_PER_MINUTE`` text messages in a minute
to one chat about one dossier, the next ones join one pending message, sent a minute after the
previous one (by the outbox sweep), so a holder typing fast does not ring the team 100 times.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.db.models import OutboxMessage
from pes21_bot.services import outbox
from pes21_bot.services.relay import RELAY_IN

FREE_PER_MINUTE = 3
EVERY = timedelta(minutes=1)
# A bundle stays within Telegram's 4,096 characters; a longer one starts the next bundle.
BUNDLE_MAX = 3800
BUNDLE = "bundle"


async def _recent(session: AsyncSession, chat_id: int, project_id: int, now: datetime) -> int:
    found = await session.execute(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.kind == RELAY_IN,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.project_id == project_id,
            OutboxMessage.created_at > now - EVERY,
        )
    )
    return int(found.scalar_one())


async def _open_bundle(
    session: AsyncSession, chat_id: int, project_id: int
) -> OutboxMessage | None:
    """The latest bundle of this chat and dossier, if it still waits for its minute."""
    found = await session.execute(
        select(OutboxMessage)
        .where(
            OutboxMessage.kind == RELAY_IN,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.project_id == project_id,
            OutboxMessage.state == outbox.PENDING,
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    row = found.scalar_one_or_none()
    return row if row is not None and BUNDLE in row.payload else None


def _render(parts: list[str], head: str, tail: str) -> str:
    return "\n\n".join(p for p in [head, "\n\n".join(parts), tail] if p)


async def queue_relay_in(
    session: AsyncSession,
    chat_id: int,
    project_id: int,
    now: datetime,
    *,
    single: str,
    head: str,
    written: str,
    tail: str,
    buttons: outbox.Buttons | None,
    bundled: bool,
) -> OutboxMessage | None:
    """Queue one holder's message for one reader; the row to send now, or None when bundled.

    ``single`` is the message on its own; ``head`` (the bundle's title), ``written`` (this
    message's part) and ``tail`` (the hint) build a bundle. Files (``bundled`` false) are
    always passed on one by one.
    """
    if not bundled or await _recent(session, chat_id, project_id, now) < FREE_PER_MINUTE:
        return outbox.add_message(
            session, chat_id, single, now, buttons=buttons, project_id=project_id, kind=RELAY_IN
        )
    pending = await _open_bundle(session, chat_id, project_id)
    if pending is not None:
        bundle = dict(pending.payload[BUNDLE])
        parts = [*bundle["parts"], written]
        text = _render(parts, bundle["head"], bundle["tail"])
        if len(text) <= BUNDLE_MAX:
            bundle["parts"] = parts
            # A new dict: the JSON column notices a reassignment, not an in-place change.
            pending.payload = {**pending.payload, BUNDLE: bundle, "text": text}
            return None
    last = pending.due_at if pending is not None else now
    row = outbox.add_message(
        session,
        chat_id,
        _render([written], head, tail),
        now,
        buttons=buttons,
        project_id=project_id,
        kind=RELAY_IN,
    )
    row.due_at = max(now, last) + EVERY
    row.payload = {**row.payload, BUNDLE: {"parts": [written], "head": head, "tail": tail}}
    return None
