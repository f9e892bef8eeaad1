"""The one writer of a holder's message to the team: stored on the dossier, then queued to whoever
reads it with "↩️ Répondre" (free text and "✉️ Écrire à l'équipe" lead to the same conversation)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot import buttons
from pes21_bot.config import Config
from pes21_bot.content import Content, Html
from pes21_bot.db.models import OutboxMessage, Person, Project
from pes21_bot.services import bursts, holder_messages, outbox, relay
from pes21_bot.services.people import first_name
from pes21_bot.texts import fair as tf
from pes21_bot.texts import notify as t

TEXT_MAX = 3500  # room for the label within Telegram's 4096 characters
CAPTION_MAX = 800  # within the 1024 of a caption


@dataclass(frozen=True)
class Queued:
    """A holder's message once stored: the rows to send, who reads it, and whether that changed."""

    rows: list[OutboxMessage]
    reader: Html
    reader_changed: bool


def written(content: Content, item: relay.Relayed) -> Html:
    """What was written (or the caption), shortened to fit, as HTML."""
    limit = CAPTION_MAX if item.copied else TEXT_MAX
    text = item.text if len(item.text) <= limit else item.text[: limit - 1] + "…"
    if item.kind == "contact":
        name, _, phone = text.rpartition(" ")
        return content.render(t.RELAY_CONTACT, name=name, phone=phone)
    return Html(html.escape(text, quote=False))


def body(content: Content, label: Html, item: relay.Relayed, hint: Html | None) -> Html:
    """The relayed text (or caption): the label, what was written, the hint."""
    parts = [label, written(content, item), hint or ""]
    return Html("\n\n".join(p for p in parts if p))


async def reader_of(
    session: AsyncSession, config: Config, content: Content, project: Project
) -> tuple[list[int], str, Html]:
    """Where a holder's message goes (the owner, plus the dossier's forum topic if any; else the
    team), a key naming that reader, and how the holder is told."""
    found = await holder_messages.readers(session, config, project)
    if found.owner is not None:
        chats = list(found.chats)
        if project.topic_chat_id is not None:
            chats.append(project.topic_chat_id)
        name = first_name(config, found.owner)
        reader = relay.owner_reader(found.owner.id)
        return chats, reader, content.render(t.WRITE_READER_OWNER, name=name)
    programme = content.programme_name(project.programme or "")
    return found.chats, "team", content.render(t.WRITE_READER_TEAM, programme=programme)


def reader_extras(
    content: Content, chat: int, project_id: int
) -> tuple[Html, outbox.Buttons | None]:
    """How to answer a passed-on message in this chat: the hint, and in private its buttons
    (groups act only on card buttons: there, a Telegram reply is the way to answer)."""
    if chat < 0:
        return content.render(t.RELAY_HINT_GROUP), None
    rows: outbox.Buttons = [
        [(str(content.render(t.RELAY_REPLY_BUTTON)), buttons.RELAY_ANSWER.pack(project_id))],
        [(str(content.render(t.OPEN_DOSSIER)), buttons.PROJECT.pack(project_id))],
    ]
    return content.render(t.RELAY_HINT_IN), rows


async def queue_holder_message(
    session: AsyncSession,
    config: Config,
    content: Content,
    found: tuple[Person, Project],
    first_name: str,
    item: relay.Relayed,
    now: datetime,
) -> Queued:
    """Store a holder's message on their dossier and queue it to its readers, answerable by a
    Telegram reply or "↩️ Répondre" (``found``: the holder and their open dossier)."""
    person, project = found
    chats, key, reader = await reader_of(session, config, content, project)
    changed = await relay.last_reader(session, project.id) != key
    relay.record_in(session, project, person, item, key, now)
    label = content.render(t.RELAY_LABEL_IN, name=first_name, reference=project.reference or "")
    # Past a few messages a minute, the next ones reach each reader bundled (services/bursts.py).
    head = content.render(tf.BUNDLE_HEAD, name=first_name, reference=project.reference or "")
    rows: list[OutboxMessage] = []
    for chat in chats:
        hint, markup = reader_extras(content, chat, project.id)
        row = await bursts.queue_relay_in(
            session,
            chat,
            project.id,
            now,
            single=body(content, label, item, hint),
            head=head,
            written=written(content, item),
            tail=hint,
            buttons=markup,
            bundled=not item.copied,
        )
        if row is not None:
            # The holder's message it copies: an edit of it later reaches the same readers.
            source = [item.chat_id, item.message_id]
            row.payload = {**row.payload, **item.payload(), "source": source}
            rows.append(row)
    return Queued(rows, reader, changed)
