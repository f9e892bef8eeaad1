"""Reminder texts: the weekly digest, the late notice, the reviews of an unreachable volunteer."""

from __future__ import annotations

from datetime import tzinfo

from pes21_bot.content import Content, Html
from pes21_bot.db.models import Project, Review
from pes21_bot.messages.render import fr_date
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
