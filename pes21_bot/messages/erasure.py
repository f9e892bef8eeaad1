"""What people are told after an erasure, on request (/supprimer) or after the retention period."""

from __future__ import annotations

from pes21_bot import texts
from pes21_bot.content import Html
from pes21_bot.context import Context
from pes21_bot.db.models import OutboxMessage, Person
from pes21_bot.handlers.ui import edit_elsewhere, kick
from pes21_bot.messages.agenda import queue_promoted
from pes21_bot.messages.delivery import queue_owners_reassigned
from pes21_bot.services import data_rights, outbox


async def announce_erasure(context: Context, erasure: data_rights.Erasure, reason: str) -> None:
    """After the commit: blank the cards, then tell owners and reviewers once each (outbox)."""
    data = context.bot_data
    content = data.content
    on_request = reason == data_rights.REQUEST
    notices: list[tuple[int, Html]] = []
    for project in erasure.projects:
        if project.reference is None:
            continue
        blank = content.render(
            texts.CARD_ERASED if on_request else texts.CARD_ANONYMISED, reference=project.reference
        )
        for chat_id, message_id in project.cards:
            await edit_elsewhere(context, chat_id, message_id, blank)
        # After the retention period the owner is told only when reviews were still planned.
        if project.owner_telegram_id is None or not (on_request or project.reviews_cancelled):
            continue
        notice = content.render(
            texts.STAFF_ERASED if on_request else texts.STAFF_ANONYMISED,
            reference=project.reference,
        )
        if project.reviews_cancelled:
            notice = Html(f"{notice}\n{content.render(texts.STAFF_ERASED_REVIEWS)}")
        notices.append((project.owner_telegram_id, notice))
    why = content.render(texts.ERASED_WHY_REQUEST if on_request else texts.ERASED_WHY_RETENTION)
    for telegram_id, references in erasure.reviewers_told.items():
        text = content.render(
            texts.REVIEWER_REVIEWS_CANCELLED,
            count=len(references),
            references=", ".join(references),
            why=why,
        )
        notices.append((telegram_id, text))
    # Written once the cards are blanked, so the notices never speak of a card still showing.
    async with data.transaction() as session:
        queued: list[OutboxMessage] = await queue_owners_reassigned(
            session, context, erasure.name, erasure.moved
        )
        now = data.clock.now()
        queued += [outbox.add_message(session, chat, text, now) for chat, text in notices]
        for event, person_id in erasure.promoted:
            promoted = await session.get(Person, person_id)
            queued += queue_promoted(session, content, data.config.tz, event, promoted, now)
    kick(context, queued)
