"""/start, the welcome menu (its agenda entry reads the database: messages/agenda.py), the FAQ."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from pes21_bot import buttons, texts
from pes21_bot.content import Content, Html
from pes21_bot.context import Context
from pes21_bot.domain.forms import HOLDER_MESSAGE
from pes21_bot.domain.sources import button_source, clean_source
from pes21_bot.handlers.ui import answer_query, edit_or_send, reply
from pes21_bot.messages import agenda
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.write import write_row
from pes21_bot.services import forms as form_service
from pes21_bot.services import holder_messages, intake
from pes21_bot.services.people import find_person
from pes21_bot.texts import notify as t

MENU_ITEMS = (
    ("idea", texts.MENU_IDEA),
    ("dla", texts.MENU_DLA),
    ("local_authority", texts.MENU_LOCAL_AUTHORITY),
    ("crdva", texts.MENU_CRDVA),
    ("volunteer", texts.MENU_VOLUNTEER),
    ("agenda", texts.MENU_AGENDA),
    ("faq", texts.MENU_FAQ),
)


def menu_markup(
    content: Content, source: str | None, writable: bool = False
) -> InlineKeyboardMarkup:
    """The welcome menu; the deep-link source travels in the buttons, nothing is stored yet.
    With `writable` (a submitted dossier still open), "Écrire à l'équipe" comes first."""
    rows = [
        [(content.render(label), buttons.MENU.pack(item, button_source(source)))]
        for item, label in MENU_ITEMS
    ]
    return keyboard([write_row(content), *rows] if writable else rows)


async def start(update: Update, context: Context) -> None:
    """/start [source]: welcome and menu, or the offer to resume an unfinished intake."""
    assert update.effective_user is not None
    data = context.bot_data
    source = clean_source(context.args[0] if context.args else None)
    async with data.transaction() as session:
        await intake.record_start(
            session, data.config, update.effective_user.id, source, data.clock.now()
        )
        draft = await intake.current_draft(session, update.effective_user.id)
        writable = await leave_message(session, update.effective_user.id)
    content = data.content
    if draft is not None:
        title = content.questionnaires[draft.path].title
        markup = keyboard(
            [
                [(content.render(texts.RESUME), buttons.DRAFT.pack("resume", draft.id))],
                [(content.render(texts.RESTART), buttons.DRAFT.pack("restart", draft.id))],
            ]
        )
        await reply(
            update,
            content.render(texts.DRAFT_PENDING, title=title, answered=len(draft.answers)),
            markup,
        )
        return
    name = update.effective_user.first_name or ""
    await reply(
        update, content.render(texts.WELCOME, name=name), menu_markup(content, source, writable)
    )


async def leave_message(session: AsyncSession, telegram_id: int) -> bool:
    """Back to the menu: a message to the team not typed yet is dropped; returns whether the
    person may write one (a submitted dossier still open)."""
    person = await find_person(session, telegram_id)
    if person is None:
        return False
    draft = await form_service.current_draft(session, person.id)
    if draft is not None and draft.kind == HOLDER_MESSAGE.kind:
        await form_service.take_draft(session, draft.id)
    return bool(await holder_messages.open_projects(session, telegram_id))


async def nudge(update: Update, context: Context) -> None:
    """Free text outside any questionnaire: the menu again, and to someone with a submitted
    dossier still open, the offer to write to the team."""
    assert update.effective_user is not None
    content = context.bot_data.content
    if not await may_write(context, update.effective_user.id):
        await reply(update, content.render(texts.WELCOME_BACK_MENU), menu_markup(content, None))
        return
    text = Html(f"{content.render(t.WRITE_NUDGE)}\n\n{content.render(texts.WELCOME_BACK_MENU)}")
    await reply(update, text, menu_markup(content, None, writable=True))


async def may_write(context: Context, telegram_id: int) -> bool:
    """Whether this person has a submitted dossier still open to write about."""
    async with context.bot_data.session_factory() as session:
        return bool(await holder_messages.open_projects(session, telegram_id))


def _back(content: Content, source: str | None) -> list[tuple[str, str]]:
    return [(content.render(texts.MENU_BACK), buttons.MENU.pack("menu", button_source(source)))]


async def on_menu(update: Update, context: Context) -> None:
    """Menu items that are not a questionnaire: volunteering, agenda, FAQ, back to menu."""
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    parts = buttons.MENU.parse(query.data)
    data = context.bot_data
    content = data.content
    item = parts.item if parts else None
    # The source came with /start; it travels on through every menu screen.
    source = clean_source(parts.source) if parts else None
    if item == "volunteer":
        await edit_or_send(
            query, content.render(texts.VOLUNTEER_INFO), keyboard([_back(content, source)])
        )
    elif item == "agenda":
        assert update.effective_user is not None
        text, rows = await agenda.agenda_screen(context.bot_data, update.effective_user.id)
        await edit_or_send(query, text, keyboard([*rows, _back(content, source)]))
    elif item == "faq":
        rows = [
            [(entry.question, buttons.FAQ.pack(index, button_source(source)))]
            for index, entry in enumerate(content.faq)
        ]
        await edit_or_send(
            query, content.render(texts.FAQ_HEADER), keyboard([*rows, _back(content, source)])
        )
    elif item == "menu":
        assert update.effective_user is not None
        async with data.transaction() as session:
            writable = await leave_message(session, update.effective_user.id)
        await edit_or_send(
            query, content.render(texts.WELCOME_BACK_MENU), menu_markup(content, source, writable)
        )
    else:
        await reply(update, content.render(texts.STALE_BUTTON))


async def on_faq(update: Update, context: Context) -> None:
    """One FAQ answer."""
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    content = context.bot_data.content
    parts = buttons.FAQ.parse(query.data)
    index = parts.entry if parts else None
    if parts is None or not isinstance(index, int) or index >= len(content.faq):
        await reply(update, content.render(texts.STALE_BUTTON))
        return
    source = clean_source(parts.source)
    entry = content.faq[index]
    back = [
        (content.render(texts.MENU_FAQ), buttons.MENU.pack("faq", button_source(source))),
        *_back(content, source),
    ]
    await edit_or_send(
        query,
        content.render(texts.FAQ_ANSWER, question=entry.question, answer=entry.answer),
        keyboard([back]),
    )
