"""Review prompts: the holder's contact, the reminder's buttons, the DLA proposal."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from pes21_bot import buttons, texts
from pes21_bot.content import Content, Html
from pes21_bot.db.models import Project, Review
from pes21_bot.domain.fields import display_phone
from pes21_bot.domain.visibility import Field, Relation, Viewer, visible_fields
from pes21_bot.domain.vocabulary import ReviewState
from pes21_bot.messages.markup import keyboard
from pes21_bot.texts import volunteers as t

COMMENT_MAX = 300


def contact_text(content: Content, project: Project, review: Review) -> Html:
    """The holder's contact details, only while the review is open (domain/visibility.py)."""
    answers = project.answers
    relation = Relation.REVIEW_OPEN if review.state == ReviewState.OPEN else Relation.REVIEW_CLOSED
    shown = visible_fields(Viewer.REVIEWER, relation)
    if Field.CONTACT not in shown or project.holder_id is None or not answers:
        return content.render(t.REVIEW_CONTACT_ERASED)
    empty = content.render(texts.EMPTY_VALUE)
    return content.render(
        t.REVIEW_CONTACT,
        name=answers.get("name") or empty,
        phone=display_phone(str(answers.get("phone") or "")) or empty,
        email=answers.get("email") or empty,
    )


def review_markup(content: Content, review_id: int) -> InlineKeyboardMarkup:
    """The three buttons of a review reminder."""
    return keyboard(
        [
            [(content.render(t.REVIEW_LOG), buttons.REVIEW.pack("go", review_id))],
            [(content.render(t.REVIEW_SNOOZE), buttons.REVIEW.pack("snooze", review_id))],
            [(content.render(t.REVIEW_DECLINE), buttons.REVIEW.pack("decline", review_id))],
        ]
    )


def dla_proposal(
    content: Content, review: Review, project: Project, name: str, comment: str
) -> tuple[Html, list[list[tuple[str, str]]]]:
    """What the DLA staff receive when a review proposes the DLA, with accept / decline rows
    (queued in the outbox, which stores rows of (label, callback data))."""
    text = content.render(
        t.DLA_PROPOSAL,
        reference=project.reference or "",
        name=name,
        comment=comment[:COMMENT_MAX],
    )
    rows: list[list[tuple[str, str]]] = [
        [(content.render(t.DLA_ACCEPT), buttons.DLA.pack("yes", review.id))],
        [(content.render(t.DLA_REFUSE), buttons.DLA.pack("no", review.id))],
    ]
    return text, rows
