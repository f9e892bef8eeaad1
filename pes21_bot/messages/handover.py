"""What a hand-over tells (services/handover.py): the holders, once each, who follows their
dossier now; the people who receive dossiers; the other admins when nobody else was left; the
admin's confirmation; and every card of a handed dossier, redrawn with its new owner."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.content import Html
from pes21_bot.context import Context
from pes21_bot.db.models import OutboxMessage, Person
from pes21_bot.messages.delivery import claimed_line, queue_to, update_cards
from pes21_bot.services import outbox
from pes21_bot.services.handover import HandOver
from pes21_bot.services.people import display_name, first_name
from pes21_bot.texts import TextKey
from pes21_bot.texts import handover as t


def queue_notices(
    session: AsyncSession,
    context: Context,
    result: HandOver,
    heir_notice: TextKey,
    actor: int,
    **about: str,
) -> list[OutboxMessage]:
    """In the change's transaction: each holder told once (first name only, like the relay), each
    heir told with ``heir_notice`` (given ``references`` and ``about``), the other admins told of
    what they hold now."""
    data = context.bot_data
    content, config, now = data.content, data.config, data.clock.now()
    queued: list[OutboxMessage] = []
    for item in result.handed:
        name = first_name(config, item.heir)
        text = content.render(t.HOLDER_TOLD, reference=item.project.reference or "", name=name)
        queued += queue_to(session, context, item.holder, text)
    for heir, references in result.by_heir().items():
        if heir != actor:
            text = content.render(heir_notice, references=", ".join(references), **about)
            queued.append(outbox.add_message(session, heir, text, now))
    held = result.to_admins()
    if held:
        text = content.render(
            t.ADMINS_NOTICE, name=about.get("name", ""), references=", ".join(held)
        )
        queued += [
            outbox.add_message(session, admin.id, text, now)
            for admin in config.admins
            if admin.id != actor
        ]
    return queued


def handed_lines(context: Context, result: HandOver, people: dict[int, Person]) -> list[Html]:
    """The admin's confirmation: who received which dossiers, one line each."""
    data = context.bot_data
    lines = [data.content.render(t.HANDED_HEADER)] if result.by_heir() else []
    for heir, references in result.by_heir().items():
        person = people.get(heir)
        lines.append(
            data.content.render(
                t.HANDED_LINE,
                name=display_name(data.config, person) if person else "?",
                references=", ".join(references),
            )
        )
    return lines


def heirs(result: HandOver) -> dict[int, Person]:
    """The people who received dossiers, by Telegram id."""
    return {i.heir.telegram_id: i.heir for i in result.handed if i.heir.telegram_id is not None}


async def show_handed(context: Context, result: HandOver) -> None:
    """After the commit: every card of a handed dossier shows who follows it now."""
    data = context.bot_data
    for item in result.handed:
        line = claimed_line(data.content, data.config, item.heir)
        await update_cards(context, item.project, line, True)
