"""The intake conversation: consent, one question per message, recap, submission.

The database is the source of truth: every handler reloads the holder's draft and asks the first
unanswered question, so a restart or a crash resumes exactly where the last stored answer left it,
whatever PTB's (periodically flushed) conversation state says.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from pes21_bot import texts
from pes21_bot.content import PATHS, Content, Html, Question, Questionnaire
from pes21_bot.context import BotData, Context
from pes21_bot.db.models import Project
from pes21_bot.domain.answers import Bounds, Invalid, in_cote_dor, is_visible, normalise_phone
from pes21_bot.domain.answers import parse_text_answer as parse_answer
from pes21_bot.handlers import common, staff, welcome
from pes21_bot.handlers.render import answer_lines, format_value
from pes21_bot.handlers.ui import (
    answer_query,
    as_int,
    db_driven_conversation,
    edit_or_send,
    keyboard,
    kick,
    pack,
    reply,
    set_markup,
    unpack,
    user_info,
)
from pes21_bot.services import intake, outbox
from pes21_bot.services.people import find_person

logger = logging.getLogger(__name__)

# Conversation states
ANSWERING, CONFIRM_CANCEL = range(2)
END = ConversationHandler.END
TIMEOUT_AFTER = timedelta(hours=12)
RECAP_VALUE_MAX = 500

INVALID_TEXTS = {
    "empty": texts.INVALID_EMPTY,
    "too_short": texts.INVALID_TOO_SHORT,
    "too_long": texts.INVALID_TOO_LONG,
    "email": texts.INVALID_EMAIL,
    "phone": texts.INVALID_PHONE,
    "postal_code": texts.INVALID_POSTAL_CODE,
    "number": texts.INVALID_NUMBER,
    "number_range": texts.INVALID_NUMBER_RANGE,
    "yes_no": texts.INVALID_YES_NO,
    "choice": texts.INVALID_CHOICE,
    "use_buttons": texts.INVALID_USE_BUTTONS,
}


def _bounds(data: BotData) -> Bounds:
    settings = data.config.intake
    return Bounds(settings.text_max_length, settings.idea_min_length, settings.idea_max_length)


def _progress(questionnaire: Questionnaire, answers: dict[str, Any]) -> tuple[int, int]:
    visible = [q for q in questionnaire.questions if is_visible(q, answers)]
    answered = sum(1 for q in visible if q.id in answers)
    return answered + 1, len(visible)


def _question_markup(
    content: Content, project_id: int, question: Question, mask: int = 0
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    rows: list[list[tuple[str, str]]] = []
    if question.type == "choice":
        rows = [
            [(label, pack("a", project_id, question.id, value))]
            for value, label in question.choices.items()
        ]
    elif question.type == "yes_no":
        rows = [
            [
                (content.render(texts.YES), pack("a", project_id, question.id, "yes")),
                (content.render(texts.NO), pack("a", project_id, question.id, "no")),
            ]
        ]
    elif question.type == "multi_choice":
        for index, label in enumerate(question.choices.values()):
            mark = "✅ " if mask & (1 << index) else ""
            rows.append(
                [(f"{mark}{label}", pack("t", project_id, question.id, mask ^ (1 << index)))]
            )
        rows.append([(content.render(texts.VALIDATE), pack("v", project_id, question.id, mask))])
    elif question.type == "phone":
        buttons = [[KeyboardButton(content.render(texts.SHARE_CONTACT), request_contact=True)]]
        if question.optional:
            buttons.append([KeyboardButton(content.render(texts.SKIP))])
        return ReplyKeyboardMarkup(buttons, resize_keyboard=True, one_time_keyboard=True)
    if question.optional:
        rows.append([(content.render(texts.SKIP), pack("s", project_id, question.id))])
    return keyboard(rows) if rows else None


def _question_text(
    content: Content, questionnaire: Questionnaire, answers: dict[str, Any], question: Question
) -> Html:
    number, total = _progress(questionnaire, answers)
    return content.render(texts.QUESTION, number=number, total=total, prompt=question.prompt)


def _recap(content: Content, project: Project) -> tuple[Html, InlineKeyboardMarkup]:
    questionnaire = content.questionnaires[project.path]
    lines = answer_lines(content, questionnaire, project.answers, RECAP_VALUE_MAX)
    text = content.render(texts.RECAP, title=questionnaire.title, lines=lines)
    edits = [
        (content.render(texts.RECAP_EDIT, label=q.label), pack("e", project.id, q.id))
        for q in questionnaire.questions
        if q.id in project.answers and is_visible(q, project.answers)
    ]
    rows = [edits[i : i + 2] for i in range(0, len(edits), 2)]
    rows.append([(content.render(texts.SEND), pack("r", project.id, "send"))])
    rows.append([(content.render(texts.CANCEL), pack("r", project.id, "cancel"))])
    return text, keyboard(rows)


async def ask(update: Update, context: Context, project: Project) -> int:
    """Send the next question of the draft, or its recap when every answer is in."""
    content = context.bot_data.content
    questionnaire = content.questionnaires[project.path]
    question = intake.next_question(questionnaire, project.answers)
    if question is None:
        text, markup = _recap(content, project)
        await reply(update, text, markup)
        return ANSWERING
    text = _question_text(content, questionnaire, project.answers, question)
    await reply(update, text, _question_markup(content, project.id, question))
    return ANSWERING


async def _load_draft(context: Context, telegram_id: int) -> Project | None:
    async with context.bot_data.session_factory() as session:
        return await intake.current_draft(session, telegram_id)


async def _refuse(update: Update, context: Context, key: texts.TextKey, **params: object) -> None:
    await reply(update, context.bot_data.content.render(key, **params))


@dataclass(frozen=True)
class Refusal:
    """Why an input was not stored, as a French text; `reask` repeats the current question."""

    key: texts.TextKey
    params: dict[str, Any] = field(default_factory=dict)
    reask: bool = True


# Judges an input against the draft and its current question: a value to store, or a Refusal.
Decide = Callable[[Project, Question | None], Any]


async def _answer(
    update: Update, context: Context, decide: Decide
) -> tuple[Project | None, Question | None, Any]:
    """In one transaction: load the draft, judge the input, store it if accepted."""
    assert update.effective_user is not None
    data = context.bot_data
    async with data.transaction() as session:
        project = await intake.current_draft(session, update.effective_user.id)
        if project is None:
            return None, None, None
        questionnaire = data.content.questionnaires[project.path]
        question = intake.next_question(questionnaire, project.answers)
        verdict = decide(project, question)
        if isinstance(verdict, Refusal) or question is None:
            return project, question, verdict
        if intake.missing_contact(questionnaire, project.answers, question, verdict):
            return project, question, Refusal(texts.INVALID_CONTACT_REQUIRED)
        await intake.store_answer(session, project, question, verdict, data.clock.now())
    return project, question, verdict


async def _follow_up(
    update: Update, context: Context, project: Project, question: Question | None, verdict: Any
) -> int:
    """Tell the person what became of their input, then ask the next question."""
    content = context.bot_data.content
    if isinstance(verdict, Refusal):
        await _refuse(update, context, verdict.key, **verdict.params)
        return await ask(update, context, project) if verdict.reask else ANSWERING
    assert question is not None
    if update.callback_query is not None and question.type in ("choice", "yes_no", "multi_choice"):
        await _show_chosen(update, context, project, question, verdict)
    if question.type == "phone":
        await reply(update, content.render(texts.NOTED), ReplyKeyboardRemove())
    if question.type == "postal_code" and in_cote_dor(verdict) is False:
        await reply(update, content.render(texts.OUTSIDE_DEPARTMENT))
    return await ask(update, context, project)


async def on_message(update: Update, context: Context) -> int:
    """A typed answer (or a shared contact, or anything else) while a draft is open."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    sender = update.effective_user.id
    content = context.bot_data.content
    bounds = _bounds(context.bot_data)

    def decide(_project: Project, question: Question | None) -> Any:
        if question is None:
            return Refusal(texts.INVALID_USE_BUTTONS)
        contact = message.contact
        if contact is not None and question.type == "phone":
            if contact.user_id not in (None, sender):
                return Refusal(texts.INVALID_FOREIGN_CONTACT)
            return normalise_phone(contact.phone_number) or contact.phone_number
        if message.text is None:
            return Refusal(texts.INVALID_NOT_TEXT)
        skip = content.render(texts.SKIP).casefold()
        if question.optional and message.text.strip().casefold() == skip:
            return None
        value = parse_answer(question, message.text, bounds)
        if isinstance(value, Invalid):
            return Refusal(INVALID_TEXTS[value.code], value.params)
        return value

    project, question, verdict = await _answer(update, context, decide)
    if project is None:
        if message.text is None:
            await common.not_text(update, context)
        else:
            await welcome.nudge(update, context)
        return END
    return await _follow_up(update, context, project, question, verdict)


def _judge_button(
    parts: list[str] | None, project: Project, question: Question | None
) -> Refusal | None:
    """A question button must belong to this draft and to its current question."""
    if parts is None or as_int(parts[0]) != project.id:
        return Refusal(texts.STALE_BUTTON)
    if question is None or question.id != parts[1]:
        return Refusal(texts.OUT_OF_TURN)
    return None


async def _on_button(
    update: Update,
    context: Context,
    prefix: str,
    count: int,
    decide: Callable[[list[str], Question], Any],
) -> int:
    """Common path of the question buttons: judge, store, follow up."""
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    parts = unpack(query.data, prefix, count)

    def judged(project: Project, question: Question | None) -> Any:
        refusal = _judge_button(parts, project, question)
        if refusal is not None:
            return refusal
        assert parts is not None and question is not None
        return decide(parts[2:], question)

    project, question, verdict = await _answer(update, context, judged)
    if project is None:
        await _refuse(update, context, texts.STALE_BUTTON)
        return END
    return await _follow_up(update, context, project, question, verdict)


def _choice(rest: list[str], question: Question) -> Any:
    allowed = ("yes", "no") if question.type == "yes_no" else tuple(question.choices)
    if question.type not in ("choice", "yes_no") or rest[0] not in allowed:
        return Refusal(texts.OUT_OF_TURN)
    return rest[0]


def _validated_mask(rest: list[str], question: Question) -> Any:
    mask = _mask(rest[0], question)
    if question.type != "multi_choice" or mask is None:
        return Refusal(texts.OUT_OF_TURN)
    if mask == 0:
        return Refusal(texts.INVALID_MULTI_EMPTY, reask=False)
    return [v for i, v in enumerate(question.choices) if mask & (1 << i)]


def _skip(_rest: list[str], question: Question) -> Any:
    return None if question.optional else Refusal(texts.OUT_OF_TURN)


async def on_choice(update: Update, context: Context) -> int:
    """A choice or yes/no button."""
    return await _on_button(update, context, "a", 3, _choice)


async def on_validate(update: Update, context: Context) -> int:
    """Confirm the ticked options of a multi-choice question."""
    return await _on_button(update, context, "v", 3, _validated_mask)


async def on_skip(update: Update, context: Context) -> int:
    """'Passer' on an optional question."""
    return await _on_button(update, context, "s", 2, _skip)


async def _show_chosen(
    update: Update, context: Context, project: Project, question: Question, value: Any
) -> None:
    """Replace the question's buttons by the answer given, so old buttons cannot be pressed."""
    query = update.callback_query
    assert query is not None
    content = context.bot_data.content
    questionnaire = content.questionnaires[project.path]
    before = {k: v for k, v in project.answers.items() if k != question.id}
    text = _question_text(content, questionnaire, before, question)
    chosen = html.escape(format_value(content, question, value), quote=False)
    await edit_or_send(query, Html(f"{text}\n➡️ <i>{chosen}</i>"))


def _mask(text: str, question: Question) -> int | None:
    mask = as_int(text)
    if mask is None or mask >= 1 << len(question.choices):
        return None
    return mask


async def on_toggle(update: Update, context: Context) -> int:
    """Tick or untick one option of a multi-choice question (nothing stored until 'Valider')."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    await answer_query(query)
    parts = unpack(query.data, "t", 3)
    project = await _load_draft(context, update.effective_user.id)
    if project is None:
        await _refuse(update, context, texts.STALE_BUTTON)
        return END
    content = context.bot_data.content
    questionnaire = content.questionnaires[project.path]
    question = intake.next_question(questionnaire, project.answers)
    refusal = _judge_button(parts, project, question)
    mask = None
    if refusal is None:
        assert parts is not None and question is not None
        mask = _mask(parts[2], question) if question.type == "multi_choice" else None
    if mask is None or question is None:
        verdict = refusal or Refusal(texts.OUT_OF_TURN)
        return await _follow_up(update, context, project, question, verdict)
    markup = _question_markup(content, project.id, question, mask)
    assert isinstance(markup, InlineKeyboardMarkup)
    text = _question_text(content, questionnaire, project.answers, question)
    await edit_or_send(query, text, markup)
    return ANSWERING


async def _draft_button(
    update: Update, context: Context, prefix: str, count: int, id_at: int = 0
) -> tuple[Project, list[str]] | int:
    """A button acting on the draft: its parts and the draft, or the state after a refusal."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    await answer_query(query)
    parts = unpack(query.data, prefix, count)
    project = await _load_draft(context, update.effective_user.id)
    if parts is None or project is None or as_int(parts[id_at]) != project.id:
        await _refuse(update, context, texts.STALE_BUTTON)
        return END if project is None else ANSWERING
    return project, parts


async def on_recap(update: Update, context: Context) -> int:
    """'Envoyer' or 'Abandonner' under the recap."""
    found = await _draft_button(update, context, "r", 2)
    if isinstance(found, int):
        return found
    project, parts = found
    query = update.callback_query
    assert query is not None
    questionnaire = context.bot_data.content.questionnaires[project.path]
    if intake.next_question(questionnaire, project.answers) is not None:
        await _refuse(update, context, texts.OUT_OF_TURN)
        return await ask(update, context, project)
    if parts[1] == "cancel":
        return await _confirm_cancel(update, context, project)
    if parts[1] != "send":
        await _refuse(update, context, texts.STALE_BUTTON)
        return ANSWERING
    await submit(update, context, project)
    await set_markup(query, None)
    return END


async def submit(update: Update, context: Context, project: Project) -> None:
    """Send the draft: reference, routing, the holder's answer and the staff cards."""
    data = context.bot_data
    assert update.effective_chat is not None
    async with data.transaction() as session:
        fresh = await session.get(Project, project.id)
        if fresh is None or fresh.status != "draft":
            await _refuse(update, context, texts.NO_DRAFT)
            return
        submission = await intake.submit(session, fresh, data.config, data.clock.now())
        programme = submission.route.programme
        members = data.config.staff_for(programme)
        who = (
            data.content.render(texts.SUBMITTED_WHO, name=members[0].name)
            if len(members) == 1
            else Html("")
        )
        # Cards and confirmation are queued with the submission: sent after the commit, each
        # on its own, so no failing send leaves a dossier unseen by staff.
        queued = await staff.queue_cards(session, context, fresh)
        notices = [
            data.content.render(
                texts.SUBMITTED,
                reference=fresh.reference or "",
                programme=data.content.programme_name(programme),
                who=who,
                days=data.config.programmes[programme].response_days,  # type: ignore[index]
            )
        ]
        if submission.route.suggest_emergence:
            notices.append(data.content.render(texts.SUBMITTED_EMERGENCE))
        queued += [
            outbox.add_message(session, update.effective_chat.id, text, data.clock.now())
            for text in notices
        ]
    kick(context, queued)


async def on_edit(update: Update, context: Context) -> int:
    """An answer's button under the recap: ask that question again."""
    found = await _draft_button(update, context, "e", 2)
    if isinstance(found, int):
        return found
    project, parts = found
    query = update.callback_query
    assert query is not None
    questionnaire = context.bot_data.content.questionnaires[project.path]
    if parts[1] not in project.answers or parts[1] not in {q.id for q in questionnaire.questions}:
        await _refuse(update, context, texts.OUT_OF_TURN)
        return await ask(update, context, project)
    return await _reopen_and_ask(update, context, project, questionnaire.question(parts[1]))


async def _reopen_and_ask(
    update: Update, context: Context, project: Project, question: Question
) -> int:
    data = context.bot_data
    async with data.transaction() as session:
        fresh = await session.get(Project, project.id)
        assert fresh is not None
        await intake.reopen(session, fresh, question, data.clock.now())
    return await ask(update, context, fresh)


async def go_back(update: Update, context: Context) -> int:
    """/retour: ask the previous question again."""
    assert update.effective_user is not None
    project = await _load_draft(context, update.effective_user.id)
    if project is None:
        await _refuse(update, context, texts.NO_DRAFT)
        return END
    questionnaire = context.bot_data.content.questionnaires[project.path]
    current = intake.next_question(questionnaire, project.answers)
    previous = intake.previous_question(questionnaire, project.answers, current)
    if previous is None:
        await _refuse(update, context, texts.NOTHING_TO_GO_BACK)
        return await ask(update, context, project)
    return await _reopen_and_ask(update, context, project, previous)


async def _confirm_cancel(update: Update, context: Context, project: Project) -> int:
    content = context.bot_data.content
    markup = keyboard(
        [
            [(content.render(texts.CANCEL_YES), pack("x", project.id, "yes"))],
            [(content.render(texts.CANCEL_NO), pack("x", project.id, "no"))],
        ]
    )
    await reply(update, content.render(texts.CANCEL_CONFIRM), markup)
    return CONFIRM_CANCEL


async def cancel(update: Update, context: Context) -> int:
    """/annuler: ask for confirmation before dropping the draft."""
    assert update.effective_user is not None
    project = await _load_draft(context, update.effective_user.id)
    if project is None:
        await _refuse(update, context, texts.NO_DRAFT)
        return END
    return await _confirm_cancel(update, context, project)


async def on_cancel_answer(update: Update, context: Context) -> int:
    """The confirmation buttons of /annuler."""
    found = await _draft_button(update, context, "x", 2)
    if isinstance(found, int):
        return found
    project, parts = found
    query = update.callback_query
    assert query is not None
    data = context.bot_data
    if parts[1] == "yes":
        async with data.transaction() as session:
            fresh = await session.get(Project, project.id)
            assert fresh is not None
            await intake.abandon(session, fresh, data.clock.now())
        await edit_or_send(query, data.content.render(texts.CANCELLED))
        return END
    await edit_or_send(query, data.content.render(texts.CANCEL_ABORTED))
    return await ask(update, context, project)


async def waiting_for_cancel_answer(update: Update, context: Context) -> int:
    """Anything typed while the /annuler question is open: ask again."""
    assert update.effective_user is not None
    project = await _load_draft(context, update.effective_user.id)
    if project is None:
        return END
    return await _confirm_cancel(update, context, project)


async def begin(update: Update, context: Context, path: str, source: str | None) -> int:
    """Consent is given: open (or reuse) the draft and ask the first question."""
    data = context.bot_data
    async with data.transaction() as session:
        project = await intake.begin(session, user_info(update), path, source, data.clock.now())
    questionnaire = data.content.questionnaires[path]
    if not project.answers:
        await reply(update, data.content.render(texts.INTAKE_INTRO, title=questionnaire.title))
    return await ask(update, context, project)


async def on_path(update: Update, context: Context) -> int:
    """A path from the welcome menu: consent screen first, unless consent was already given."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    await answer_query(query)
    parts = unpack(query.data, "m", 2)
    if parts is None or parts[0] not in PATHS:
        await _refuse(update, context, texts.STALE_BUTTON)
        return END
    path, source = parts[0], welcome.clean_source(parts[1])
    async with context.bot_data.session_factory() as session:
        person = await find_person(session, update.effective_user.id)
    if person is not None and person.consent == "given":
        return await begin(update, context, path, source)
    content = context.bot_data.content
    markup = keyboard(
        [
            [(content.render(texts.CONSENT_ACCEPT), pack("c", path, "yes", parts[1]))],
            [(content.render(texts.CONSENT_REFUSE), pack("c", path, "no", parts[1]))],
        ]
    )
    await reply(update, content.render(texts.CONSENT_REQUEST), markup)
    return END


async def on_consent(update: Update, context: Context) -> int:
    """The consent buttons."""
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    parts = unpack(query.data, "c", 3)
    if parts is None or parts[0] not in PATHS or parts[1] not in ("yes", "no"):
        await _refuse(update, context, texts.STALE_BUTTON)
        return END
    path, answer, source = parts[0], parts[1], welcome.clean_source(parts[2])
    await query.edit_message_reply_markup(None)
    if answer == "yes":
        return await begin(update, context, path, source)
    data = context.bot_data
    async with data.transaction() as session:
        await intake.refuse_consent(session, path, source, data.clock.now())
    await reply(update, data.content.render(texts.CONSENT_REFUSED))
    return END


async def on_resume(update: Update, context: Context) -> int:
    """'Reprendre' or 'Recommencer' offered by /start during an unfinished intake."""
    found = await _draft_button(update, context, "d", 2, id_at=1)
    if isinstance(found, int):
        return found
    project, parts = found
    query = update.callback_query
    assert query is not None
    await query.edit_message_reply_markup(None)
    if parts[0] == "resume":
        return await ask(update, context, project)
    data = context.bot_data
    async with data.transaction() as session:
        fresh = await session.get(Project, project.id)
        assert fresh is not None
        await intake.abandon(session, fresh, data.clock.now())
    return await begin(update, context, project.path, project.source)


async def restart_command(update: Update, context: Context) -> int:
    """/start inside the conversation: the welcome (which offers to resume), state reset."""
    await welcome.start(update, context)
    return END


async def timed_out(update: Update, context: Context) -> None:
    """No answer for a long while: the draft is kept; say how to come back."""
    await reply(update, context.bot_data.content.render(texts.TIMEOUT))


def build_intake_conversation() -> ConversationHandler[Context]:
    """The intake ConversationHandler (private chats only, persistent)."""
    private = filters.ChatType.PRIVATE
    answer_handlers: list[Any] = [
        CallbackQueryHandler(on_choice, pattern=r"^a:"),
        CallbackQueryHandler(on_toggle, pattern=r"^t:"),
        CallbackQueryHandler(on_validate, pattern=r"^v:"),
        CallbackQueryHandler(on_skip, pattern=r"^s:"),
        CallbackQueryHandler(on_edit, pattern=r"^e:"),
        CallbackQueryHandler(on_recap, pattern=r"^r:"),
        CallbackQueryHandler(on_cancel_answer, pattern=r"^x:"),
        CommandHandler("retour", go_back, filters=private),
        CommandHandler("annuler", cancel, filters=private),
        MessageHandler(private & ~filters.COMMAND, on_message),
    ]
    return db_driven_conversation(
        entry_points=[
            CallbackQueryHandler(on_path, pattern=r"^m:(idea|dla|local_authority|crdva):"),
            CallbackQueryHandler(on_consent, pattern=r"^c:"),
            CallbackQueryHandler(on_resume, pattern=r"^d:"),
            *answer_handlers,
        ],
        states={
            ANSWERING: answer_handlers,
            CONFIRM_CANCEL: [
                CallbackQueryHandler(on_cancel_answer, pattern=r"^x:"),
                MessageHandler(private & ~filters.COMMAND, waiting_for_cancel_answer),
            ],
            ConversationHandler.TIMEOUT: [MessageHandler(filters.ALL, timed_out)],
        },
        fallbacks=[
            CommandHandler("start", restart_command, filters=private),
            CommandHandler("retour", go_back, filters=private),
            CommandHandler("annuler", cancel, filters=private),
        ],
        name="intake",
        persistent=True,
        conversation_timeout=TIMEOUT_AFTER,
        allow_reentry=True,
    )
