"""Reminders as sent: review prompts, unclaimed and stale projects, escalations, the digest."""

from __future__ import annotations

from datetime import tzinfo

from telegram import InlineKeyboardMarkup

from pes21_bot.config import Config
from pes21_bot.content import Content, Html
from pes21_bot.db.models import Person, Project, Review
from pes21_bot.messages.cards import accompaniment_row, card_fields, chat_card_markup
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.render import card_text, fr_date
from pes21_bot.messages.reviews import contact_text, review_markup
from pes21_bot.services.people import display_name
from pes21_bot.services.reminders import Digest
from pes21_bot.texts import volunteers as t

DIGEST_LISTED = 10


def with_late(content: Content, late: bool, text: Html) -> Html:
    """The reminder's text, with a note when it is sent after its time (the bot was down)."""
    if not late:
        return text
    return Html(f"{text}\n\n{content.render(t.LATE)}")


def _block(content: Content, lines: list[Html]) -> Html:
    shown = lines[:DIGEST_LISTED]
    if len(lines) > DIGEST_LISTED:
        shown.append(content.render(t.DIGEST_MORE, count=len(lines) - DIGEST_LISTED))
    return Html("\n".join(shown)) if shown else content.render(t.DIGEST_NONE)


def _projects(content: Content, found: list[Project]) -> Html:
    return _block(
        content,
        [
            content.render(
                t.DIGEST_LINE,
                reference=p.reference or "",
                detail=content.programme_name(p.programme or ""),
            )
            for p in found
        ],
    )


def _reviews(
    content: Content, found: list[tuple[Review, Project]], zone: tzinfo, done: bool = False
) -> Html:
    return _block(
        content,
        [
            content.render(
                t.DIGEST_LINE,
                reference=p.reference or "",
                detail=content.render(
                    t.DIGEST_REVIEW,
                    number=r.number,
                    date=fr_date(r.done_at if done else r.due_at, zone),
                ),
            )
            for r, p in found
        ],
    )


def digest_text(content: Content, digest: Digest, zone: tzinfo) -> Html:
    """The weekly digest of a staff member's programmes."""
    return content.render(
        t.DIGEST,
        new=_projects(content, digest.new),
        unclaimed=_projects(content, digest.unclaimed),
        due=_reviews(content, digest.due, zone),
        overdue=_reviews(content, digest.overdue, zone),
        done=_reviews(content, digest.done, zone, done=True),
    )


def review_label(content: Content, project: Project, review: Review) -> str:
    """A review as listed to the staff owner of an unreachable volunteer: 'PES-2026-0042 n°2'."""
    rendered = content.render(
        t.UNREACHABLE_REVIEW, reference=project.reference or "", number=review.number
    )
    return str(rendered)


Built = tuple[Html, InlineKeyboardMarkup | None]


def review_escalation(
    content: Content, config: Config, project: Project, review: Review, assignee: Person | None
) -> Built:
    """To the staff owner: a review is still not done, long after its date."""
    text = content.render(
        t.OWNER_ESCALATION,
        reference=project.reference or "",
        number=review.number,
        date=fr_date(review.due_at, config.tz),
        name=display_name(config, assignee),
    )
    return text, None


def review_reminder(
    content: Content,
    config: Config,
    project: Project,
    review: Review,
    owner: Person | None,
    overdue: bool,
) -> Built:
    """To the assignee: a review to log (or late), with the holder's contact and the buttons."""
    text = content.render(
        t.REVIEW_OVERDUE if overdue else t.REVIEW_REMINDER,
        reference=project.reference or "",
        number=review.number,
        date=fr_date(review.due_at, config.tz),
        contact=contact_text(content, project, review),
        owner=display_name(config, owner),
    )
    return text, review_markup(content, review.id)


def unclaimed_card(
    content: Content, config: Config, project: Project, escalated: bool, chat_id: int
) -> Built:
    """The card again, headed 'still unclaimed' (staff) or 'to assign' (the coordinator);
    a welcoming volunteer's copy without contact details (nobody holds it yet)."""
    settings = config.reminders
    if escalated:
        header = content.render(
            t.ESCALATED,
            days=settings.unclaimed_sla_working_days + settings.escalation_working_days,
            programme=content.programme_name(project.programme or ""),
        )
    else:
        header = content.render(t.UNCLAIMED, days=settings.unclaimed_sla_working_days)
    card = card_text(content, config, project, fields=card_fields(config, chat_id, None))
    markup = chat_card_markup(config, content, project, chat_id, None)
    return Html(f"{header}\n\n{card}"), markup


def stale_project(content: Content, project: Project, days: int) -> Built:
    """To the staff owner: no news of a followed project for a while, with its button."""
    text = content.render(t.STALE, reference=project.reference or "", days=days)
    return text, keyboard([accompaniment_row(content, project)])


def volunteer_unreachable(content: Content, name: str, reviews: list[str]) -> Built:
    """To the staff owner: a volunteer blocked the bot, their reviews went to someone else."""
    return content.render(t.OWNER_UNREACHABLE, name=name, reviews=", ".join(reviews)), None
