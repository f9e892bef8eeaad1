"""Short chat forms, one question per message, stored answer by answer in the database.

A person fills at most one form at a time (a review, an accompaniment step, their volunteer
profile). Every handler reloads the draft from the database and asks its first unanswered
field, so a restart resumes where the last stored answer left it. Feature modules register what
happens when a form is complete with :func:`register`.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from pes21_bot import texts
from pes21_bot.content import Content, Html
from pes21_bot.context import Context
from pes21_bot.db.models import FormDraft
from pes21_bot.domain.answers import Invalid
from pes21_bot.domain.forms import (
    FORMS,
    Field,
    FormSpec,
    date_shortcuts,
    parse_typed,
    valid_date_value,
)
from pes21_bot.handlers import intake
from pes21_bot.handlers.ui import answer_query, as_int, edit_or_send, pack, reply, unpack, user_info
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.render import fr_day
from pes21_bot.services import forms as form_service
from pes21_bot.services.people import ensure_person, find_person
from pes21_bot.texts import volunteers as t

logger = logging.getLogger(__name__)

FILLING = 0
END = ConversationHandler.END
RECAP_VALUE_MAX = 300

Completer = Callable[[Update, Context, FormDraft, dict[str, Any]], Awaitable[None]]
_COMPLETERS: dict[str, Completer] = {}

INVALID = {
    "empty": texts.INVALID_EMPTY,
    "too_long": texts.INVALID_TOO_LONG,
    "number": texts.INVALID_NUMBER,
    "number_range": texts.INVALID_NUMBER_RANGE,
    "use_buttons": texts.INVALID_USE_BUTTONS,
    "date": t.FORM_INVALID_DATE,
    "date_past": t.FORM_INVALID_DATE_PAST,
    "date_future": t.FORM_INVALID_DATE_FUTURE,
    "decimal": t.FORM_INVALID_DECIMAL,
}


def register(kind: str, completer: Completer) -> None:
    """Say what storing a complete form of this kind does."""
    _COMPLETERS[kind] = completer


def today(context: Context) -> date:
    """The local date, by the injectable clock."""
    data = context.bot_data
    return data.clock.now().astimezone(data.config.tz).date()


def choices(content: Content, spec: Field) -> dict[str, str]:
    """Values and labels of a choice field (review needs: the intake's list plus the DLA one)."""
    if spec.choices == "review_needs":
        needs = content.questionnaires["idea"].question("needs").choices
        return {**needs, **content.lists["review_extra_needs"]}
    return content.lists[spec.choices or ""]


def format_answer(content: Content, spec: Field, value: Any) -> str:
    """An answer as a person reads it (not yet escaped)."""
    if value is None or value == [] or value == "":
        return content.render(texts.EMPTY_VALUE)
    if spec.type == "choice":
        return choices(content, spec).get(str(value), str(value))
    if spec.type == "multi":
        labels = choices(content, spec)
        return ", ".join(labels.get(v, v) for v in value)
    if spec.type == "date":
        return fr_day(date.fromisoformat(value))
    if spec.type == "decimal":
        return content.render(t.FORM_HOURS, hours=f"{value:g}".replace(".", ","))
    return str(value)


def _prompt(content: Content, spec: FormSpec, draft: FormDraft, item: Field) -> Html:
    prompt = content.render(t.PROMPTS[(spec.kind, item.id)])
    if not spec.recap:
        return prompt
    visible = spec.visible_fields(draft.answers)
    number = [f.id for f in visible].index(item.id) + 1
    return content.render(texts.QUESTION, number=number, total=len(visible), prompt=prompt)


def _markup(
    context: Context, draft: FormDraft, item: Field, mask: int = 0
) -> InlineKeyboardMarkup | None:
    content = context.bot_data.content
    rows: list[list[tuple[str, str]]] = []
    if item.type == "choice":
        buttons = [
            (label, pack("fa", draft.id, item.id, v)) for v, label in choices(content, item).items()
        ]
        width = 5 if item.choices == "satisfaction" else 1
        rows = [buttons[i : i + width] for i in range(0, len(buttons), width)]
    elif item.type == "multi":
        for index, label in enumerate(choices(content, item).values()):
            tick = "✅ " if mask & (1 << index) else ""
            rows.append([(f"{tick}{label}", pack("ft", draft.id, item.id, mask ^ (1 << index)))])
        rows.append([(content.render(texts.VALIDATE), pack("fv", draft.id, item.id, mask))])
    elif item.type == "date":
        day = today(context)
        for number, shortcut in enumerate(date_shortcuts(item, day)):
            if item.future:
                label = content.render(t.FORM_UNTIL, date=fr_day(shortcut))
            else:
                label_key = t.FORM_TODAY if number == 0 else t.FORM_YESTERDAY
                label = content.render(label_key, date=fr_day(shortcut))
            rows.append([(label, pack("fa", draft.id, item.id, shortcut.isoformat()))])
    if item.optional:
        rows.append([(content.render(texts.SKIP), pack("fs", draft.id, item.id))])
    return keyboard(rows) if rows else None


def _recap(context: Context, spec: FormSpec, draft: FormDraft) -> tuple[Html, InlineKeyboardMarkup]:
    content = context.bot_data.content
    lines = []
    edits = []
    for item in spec.visible_fields(draft.answers):
        value = format_answer(content, item, draft.answers.get(item.id))
        if len(value) > RECAP_VALUE_MAX:
            value = value[:RECAP_VALUE_MAX] + "…"
        label = content.render(t.LABELS[item.id])
        lines.append(content.render(texts.RECAP_LINE, label=label, value=value))
        edits.append((content.render(texts.RECAP_EDIT, label=label), pack("fe", draft.id, item.id)))
    text = content.render(
        t.FORM_RECAP, title=content.render(t.TITLES[spec.kind]), lines=Html("\n".join(lines))
    )
    rows = [edits[i : i + 2] for i in range(0, len(edits), 2)]
    rows.append([(content.render(t.FORM_SAVE), pack("fr", draft.id, "save"))])
    rows.append([(content.render(texts.CANCEL), pack("fr", draft.id, "cancel"))])
    return text, keyboard(rows)


async def load_draft(context: Context, telegram_id: int) -> FormDraft | None:
    """The form this user is filling in, if any."""
    async with context.bot_data.session_factory() as session:
        person = await find_person(session, telegram_id)
        if person is None:
            return None
        return await form_service.current_draft(session, person.id)


async def begin(
    update: Update,
    context: Context,
    kind: str,
    target_id: int | None,
    preset: dict[str, Any] | None = None,
) -> int:
    """Open a form (replacing any other unfinished one) and ask its first question."""
    data = context.bot_data
    now = data.clock.now()
    async with data.transaction() as session:
        person = await ensure_person(session, user_info(update), now)
        draft = await form_service.open_draft(
            session, person.id, kind, target_id, dict(preset or {}), now
        )
    return await ask(update, context, draft)


async def ask(update: Update, context: Context, draft: FormDraft) -> int:
    """The next question, the recap, or (forms without recap) the completion."""
    spec = FORMS[draft.kind]
    item = spec.next_field(draft.answers)
    if item is None:
        if spec.recap:
            text, markup = _recap(context, spec, draft)
            await reply(update, text, markup)
            return FILLING
        return await _complete(update, context, draft)
    content = context.bot_data.content
    await reply(update, _prompt(content, spec, draft, item), _markup(context, draft, item))
    return FILLING


async def _complete(update: Update, context: Context, draft: FormDraft) -> int:
    data = context.bot_data
    async with data.transaction() as session:
        if not await form_service.take_draft(session, draft.id):
            return END  # completed meanwhile (double press)
    spec = FORMS[draft.kind]
    await _COMPLETERS[draft.kind](update, context, draft, spec.clean(draft.answers))
    return END


async def _store(
    update: Update, context: Context, draft: FormDraft, item: Field, value: Any
) -> int:
    data = context.bot_data
    async with data.transaction() as session:
        fresh = await form_service.set_answer(session, draft.id, item.id, value, data.clock.now())
    if fresh is None:
        await reply(update, data.content.render(texts.STALE_BUTTON))
        return END
    return await ask(update, context, fresh)


async def on_text(update: Update, context: Context) -> int:
    """A typed answer to the current question."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    draft = await load_draft(context, update.effective_user.id)
    if draft is None:
        # PTB's state said a form was open but the database has none: let the intake decide.
        await intake.on_message(update, context)
        return END
    content = context.bot_data.content
    spec = FORMS[draft.kind]
    item = spec.next_field(draft.answers)
    if item is None or message.text is None:
        key = texts.INVALID_USE_BUTTONS if item is None else texts.INVALID_NOT_TEXT
        await reply(update, content.render(key))
        return await ask(update, context, draft)
    if item.optional and message.text.strip().casefold() == content.render(texts.SKIP).casefold():
        return await _store(update, context, draft, item, None)
    value = parse_typed(item, message.text, today(context))
    if isinstance(value, Invalid):
        await reply(update, content.render(INVALID[value.code], **value.params))
        return await ask(update, context, draft)
    return await _store(update, context, draft, item, value)


async def _button_target(
    update: Update, context: Context, prefix: str, count: int
) -> tuple[FormDraft, Field, list[str]] | None:
    """Check a form button against the presser's draft and its current question."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    await answer_query(query)
    parts = unpack(query.data, prefix, count)
    draft = await load_draft(context, update.effective_user.id)
    content = context.bot_data.content
    if parts is None or draft is None or as_int(parts[0]) != draft.id:
        await reply(update, content.render(texts.STALE_BUTTON))
        return None
    spec = FORMS[draft.kind]
    item = spec.next_field(draft.answers)
    if item is None or item.id != parts[1]:
        await reply(update, content.render(texts.OUT_OF_TURN))
        await ask(update, context, draft)
        return None
    return draft, item, parts[2:]


def _mask(raw: str, content: Content, item: Field) -> int | None:
    mask = as_int(raw)
    if mask is None or mask >= 1 << len(choices(content, item)):
        return None
    return mask


async def _show_chosen(
    update: Update, context: Context, draft: FormDraft, item: Field, value: Any
) -> None:
    """Replace the question's buttons by the answer, so they cannot be pressed twice."""
    query = update.callback_query
    assert query is not None
    content = context.bot_data.content
    prompt = _prompt(content, FORMS[draft.kind], draft, item)
    chosen = html.escape(format_answer(content, item, value), quote=False)
    await edit_or_send(query, Html(f"{prompt}\n➡️ <i>{chosen}</i>"))


async def on_answer(update: Update, context: Context) -> int:
    """A choice or date button."""
    target = await _button_target(update, context, "fa", 3)
    if target is None:
        return FILLING
    draft, item, (value,) = target
    content = context.bot_data.content
    if item.type == "choice":
        valid = value in choices(content, item)
    else:
        valid = item.type == "date" and valid_date_value(item, value, today(context))
    if not valid:
        await reply(update, content.render(texts.OUT_OF_TURN))
        return await ask(update, context, draft)
    await _show_chosen(update, context, draft, item, value)
    return await _store(update, context, draft, item, value)


async def _ticked(
    update: Update, context: Context, prefix: str
) -> tuple[FormDraft, Field, int] | int:
    """The multi-choice question of a pressed button and its ticked options (as a bit mask)."""
    target = await _button_target(update, context, prefix, 3)
    if target is None:
        return FILLING
    draft, item, (raw,) = target
    content = context.bot_data.content
    mask = _mask(raw, content, item) if item.type == "multi" else None
    if mask is None:
        await reply(update, content.render(texts.OUT_OF_TURN))
        return await ask(update, context, draft)
    return draft, item, mask


async def on_toggle(update: Update, context: Context) -> int:
    """Tick or untick one option of a multi-choice question."""
    ticked = await _ticked(update, context, "ft")
    if isinstance(ticked, int):
        return ticked
    draft, item, mask = ticked
    content = context.bot_data.content
    query = update.callback_query
    assert query is not None
    prompt = _prompt(content, FORMS[draft.kind], draft, item)
    await edit_or_send(query, prompt, _markup(context, draft, item, mask))
    return FILLING


async def on_validate(update: Update, context: Context) -> int:
    """Confirm the ticked options."""
    ticked = await _ticked(update, context, "fv")
    if isinstance(ticked, int):
        return ticked
    draft, item, mask = ticked
    content = context.bot_data.content
    if mask == 0 and not item.optional:
        await reply(update, content.render(texts.INVALID_MULTI_EMPTY))
        return FILLING
    values = [v for i, v in enumerate(choices(content, item)) if mask & (1 << i)]
    await _show_chosen(update, context, draft, item, values)
    return await _store(update, context, draft, item, values)


async def on_skip(update: Update, context: Context) -> int:
    """'Passer' on an optional question."""
    target = await _button_target(update, context, "fs", 2)
    if target is None:
        return FILLING
    draft, item, _ = target
    if not item.optional:
        await reply(update, context.bot_data.content.render(texts.OUT_OF_TURN))
        return await ask(update, context, draft)
    empty: Any = [] if item.type == "multi" else None
    return await _store(update, context, draft, item, empty)


async def _recap_target(
    update: Update, context: Context, prefix: str
) -> tuple[FormDraft, str] | None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    await answer_query(query)
    parts = unpack(query.data, prefix, 2)
    draft = await load_draft(context, update.effective_user.id)
    content = context.bot_data.content
    if parts is None or draft is None or as_int(parts[0]) != draft.id:
        await reply(update, content.render(texts.STALE_BUTTON))
        return None
    if FORMS[draft.kind].next_field(draft.answers) is not None:
        await reply(update, content.render(texts.OUT_OF_TURN))
        await ask(update, context, draft)
        return None
    return draft, parts[1]


async def on_edit(update: Update, context: Context) -> int:
    """An answer's button under the recap: ask that question again."""
    target = await _recap_target(update, context, "fe")
    if target is None:
        return FILLING
    draft, field_id = target
    spec = FORMS[draft.kind]
    if spec.field(field_id) is None or field_id in spec.preset:
        await reply(update, context.bot_data.content.render(texts.STALE_BUTTON))
        return FILLING
    data = context.bot_data
    async with data.transaction() as session:
        fresh = await form_service.forget_answer(session, draft.id, field_id, data.clock.now())
    if fresh is None:
        await reply(update, data.content.render(texts.STALE_BUTTON))
        return END
    return await ask(update, context, fresh)


async def on_recap(update: Update, context: Context) -> int:
    """'Enregistrer' or 'Abandonner' under the recap."""
    target = await _recap_target(update, context, "fr")
    if target is None:
        return FILLING
    draft, action = target
    query = update.callback_query
    assert query is not None
    if action == "cancel":
        return await cancel(update, context)
    if action != "save":
        await reply(update, context.bot_data.content.render(texts.STALE_BUTTON))
        return FILLING
    await query.edit_message_reply_markup(None)
    return await _complete(update, context, draft)


async def cancel(update: Update, context: Context) -> int:
    """/annuler (or 'Abandonner'): drop the form being filled in."""
    assert update.effective_user is not None
    data = context.bot_data
    draft = await load_draft(context, update.effective_user.id)
    if draft is None:  # no form open: /annuler is about the intake questionnaire, if any
        await intake.cancel(update, context)
        return END
    async with data.transaction() as session:
        await form_service.take_draft(session, draft.id)
    await reply(update, data.content.render(t.FORM_CANCELLED))
    return END


async def timed_out(update: Update, context: Context) -> None:
    """No answer for a long while: the answers are kept; say how to come back."""
    await reply(update, context.bot_data.content.render(t.FORM_TIMEOUT))


async def resume(update: Update, context: Context, kinds: tuple[str, ...]) -> int | None:
    """Ask again the question of an unfinished form of these kinds, if there is one."""
    assert update.effective_user is not None
    draft = await load_draft(context, update.effective_user.id)
    if draft is None or draft.kind not in kinds:
        return None
    return await ask(update, context, draft)
