"""One engine for every chat form: the intake questionnaires and the short forms.

A form kind is a :class:`Flow`: where its draft lives in the database and what its hooks do
(the intake submits a dossier; a review or a volunteer profile calls its completion). The engine
asks the next visible question, reads typed answers and buttons (choices, toggles, "Passer"),
goes back (/retour), edits from the recap and resumes from the database draft: every handler
reloads the draft, so a restart resumes where the last stored answer left it.

State first: the answer is stored (idempotently) before the press is acknowledged and the used
keyboard replaced, and those Telegram calls never raise (the helpers of handlers/ui.py).
"""

from __future__ import annotations

import html
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    BaseHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from pes21_bot import texts
from pes21_bot.buttons import Button, FormButtons
from pes21_bot.content import Content, Html
from pes21_bot.context import Context
from pes21_bot.domain.fields import (
    TYPES,
    Answers,
    Invalid,
    InvalidCode,
    Question,
    Rules,
    check_date,
    date_shortcuts,
    normalise_phone,
    parse_answer,
)
from pes21_bot.domain.form_spec import FormSpec
from pes21_bot.handlers.access import button
from pes21_bot.handlers.ui import (
    answer_query,
    db_driven_conversation,
    edit_or_send,
    repeated_press,
    reply,
    set_markup,
)
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.render import choices_of, format_value, fr_day, shorten
from pes21_bot.services import answer_messages
from pes21_bot.texts import TextKey
from pes21_bot.texts import corrections as correction_texts
from pes21_bot.texts import forms as forms_texts
from pes21_bot.texts import recorded as recorded_texts
from pes21_bot.texts import volunteers as tv
from pes21_bot.texts import week as week_texts

logger = logging.getLogger(__name__)

# Conversation states: which form kind has the focus (see build_form_conversation).
ANSWERING, CONFIRM_CANCEL, FILLING = range(3)
END = ConversationHandler.END
TIMEOUT_AFTER = timedelta(hours=12)
SHORT_LABEL = 3  # choices this short (a 1-5 scale) go five to a row


@dataclass
class Draft:
    """An open form as the engine sees it; `row` is the database object behind it."""

    id: int
    kind: str
    answers: Answers
    row: Any = None

    @classmethod
    def of(cls, row: Any, kind: str) -> Draft:
        """The engine's view of a draft row (a Project, a FormDraft)."""
        return cls(row.id, kind, row.answers, row)


@dataclass(frozen=True)
class Refusal:
    """Why an input was not stored; `reask` repeats the question, `toast` only answers the press."""

    key: TextKey
    params: dict[str, Any] = field(default_factory=dict)
    reask: bool = True
    toast: bool = False


SKIPPED = object()  # the verdict of "Passer": the type's empty value, if skipping is allowed


@dataclass
class Flow(ABC):
    """A form kind: its button families and texts; subclasses store its draft and run its hooks."""

    families: FormButtons  # the button families of pes21_bot/buttons.py it builds and routes
    state: int  # its conversation state while it has the focus
    save_key: TextKey  # the recap's button that finishes the form
    timeout_key: TextKey
    recap_value_max: int  # longer answers are shortened in the recap

    @abstractmethod
    async def load(self, session: AsyncSession, telegram_id: int) -> Draft | None:
        """The user's open draft of this kind, if any."""

    @abstractmethod
    async def store(
        self, session: AsyncSession, draft: Draft, question: Question, value: Any, context: Context
    ) -> None:
        """Store one answer (in the caller's transaction) and update `draft.answers`."""

    @abstractmethod
    async def forget(
        self, session: AsyncSession, draft: Draft, question: Question, context: Context
    ) -> None:
        """Take one answer back so that its question is asked again."""

    @abstractmethod
    def spec(self, content: Content, draft: Draft) -> FormSpec:
        """The questions of this draft."""

    @abstractmethod
    def prompt(self, content: Content, spec: FormSpec, question: Question) -> str:
        """The question as people read it (an Html text or plain text to escape)."""

    @abstractmethod
    def label(self, content: Content, question: Question) -> str:
        """The short name of a question in the recap."""

    @abstractmethod
    def recap_text(self, content: Content, spec: FormSpec, lines: Html) -> Html:
        """The recap's text around its lines."""

    @abstractmethod
    async def finish(
        self, update: Update, context: Context, draft: Draft, *, pressed: bool = False
    ) -> int:
        """Every answer is in (and confirmed if there is a recap): store the form.

        `pressed`: the recap's button was pressed; acknowledge it once the form is stored.
        """

    @abstractmethod
    async def abandon(self, update: Update, context: Context, draft: Draft) -> int:
        """'Abandonner' under the recap, or /annuler."""

    async def finished_text(self, update: Update, context: Context, draft_id: int) -> Html | None:
        """What a second press on the recap's button answers once the form is gone."""
        return None

    async def after_answer(
        self, update: Update, context: Context, question: Question, value: Any
    ) -> int | None:
        """Something to say once an answer is stored (the intake's postal code); a state
        returned ends the turn there (a refused consent closes the recording)."""
        return None

    def skipped(self, question: Question, answers: Answers) -> Any:
        """What "Passer" stores: the type's empty value unless the flow knows better."""
        return TYPES[question.type].skipped()

    def show_counter(self, spec: FormSpec) -> bool:
        """Whether questions carry "Question n/N" (forms with a recap are the long ones)."""
        return spec.recap

    def for_someone_else(self) -> bool:
        """Whether the sender fills it for another person (staff recording a dossier).

        Then the sender's own phone number is no answer: no "share my number" button.
        """
        return False


async def answer_press(update: Update, text: str | None = None) -> None:
    """Acknowledge the button press, after the state change; never raises."""
    if update.callback_query is not None:
        await answer_query(update.callback_query, text)


def today(context: Context) -> date:
    """The local date, by the injectable clock."""
    data = context.bot_data
    return data.clock.now().astimezone(data.config.tz).date()


def rules(context: Context) -> Rules:
    """What parsing needs from config.yaml, contenus/ and the clock."""
    data = context.bot_data
    settings = data.config.intake
    return Rules(
        today(context),
        settings.text_max_length,
        settings.idea_min_length,
        settings.idea_max_length,
        data.content.words,
    )


def question_text(
    content: Content, flow: Flow, spec: FormSpec, answers: Answers, question: Question
) -> Html:
    """The prompt, with "Question n/N" in long forms."""
    prompt = flow.prompt(content, spec, question)
    if not flow.show_counter(spec):
        return prompt if isinstance(prompt, Html) else Html(html.escape(prompt, quote=False))
    number, total = spec.progress(answers, question)
    return content.render(texts.QUESTION, number=number, total=total, prompt=prompt)


Rows = list[list[tuple[str, str]]]
ButtonMaker = Callable[[Context, Flow, Draft, Question, int], Rows]


def _choice_buttons(context: Context, flow: Flow, draft: Draft, q: Question, _mask: int) -> Rows:
    choices = choices_of(context.bot_data.content, q)
    buttons = [
        (label, flow.families.answer.pack(draft.id, q.id, v)) for v, label in choices.items()
    ]
    width = 5 if all(len(label) <= SHORT_LABEL for label in choices.values()) else 1
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def _yes_no_buttons(context: Context, flow: Flow, draft: Draft, q: Question, _mask: int) -> Rows:
    content = context.bot_data.content
    answer = flow.families.answer
    return [
        [
            (content.render(texts.YES), answer.pack(draft.id, q.id, "yes")),
            (content.render(texts.NO), answer.pack(draft.id, q.id, "no")),
        ]
    ]


def _toggle_buttons(context: Context, flow: Flow, draft: Draft, q: Question, mask: int) -> Rows:
    content = context.bot_data.content
    rows: Rows = []
    for index, label in enumerate(choices_of(content, q).values()):
        tick = "✅ " if mask & (1 << index) else ""
        data = flow.families.toggle.pack(draft.id, q.id, mask ^ (1 << index))
        rows.append([(f"{tick}{label}", data)])
    validate = flow.families.validate.pack(draft.id, q.id, mask)
    rows.append([(content.render(texts.VALIDATE), validate)])
    return rows


def _date_buttons(context: Context, flow: Flow, draft: Draft, q: Question, _mask: int) -> Rows:
    content = context.bot_data.content
    rows: Rows = []
    days = (tv.FORM_TODAY, week_texts.FORM_TOMORROW, week_texts.FORM_NEXT_WEEK)
    for number, shortcut in enumerate(date_shortcuts(q, today(context))):
        if q.from_today:
            label = content.render(days[number], date=fr_day(shortcut))
        elif q.future:
            label = content.render(tv.FORM_UNTIL, date=fr_day(shortcut))
        else:
            key = tv.FORM_TODAY if number == 0 else tv.FORM_YESTERDAY
            label = content.render(key, date=fr_day(shortcut))
        rows.append([(label, flow.families.answer.pack(draft.id, q.id, shortcut.isoformat()))])
    return rows


# The buttons of each question type (types answered by typing have none).
BUTTONS: dict[str, ButtonMaker] = {
    "choice": _choice_buttons,
    "yes_no": _yes_no_buttons,
    "multi_choice": _toggle_buttons,
    "date": _date_buttons,
}


def question_markup(
    context: Context, flow: Flow, spec: FormSpec, draft: Draft, q: Question, mask: int = 0
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    """The question's buttons, with "Passer" only where skipping will be accepted."""
    content = context.bot_data.content
    skip = spec.may_skip(q, draft.answers)
    if q.type == "phone" and not flow.for_someone_else():
        buttons = [[KeyboardButton(content.render(texts.SHARE_CONTACT), request_contact=True)]]
        if skip:
            buttons.append([KeyboardButton(content.render(texts.SKIP))])
        return ReplyKeyboardMarkup(buttons, resize_keyboard=True, one_time_keyboard=True)
    maker = BUTTONS.get(q.type)
    rows = maker(context, flow, draft, q, mask) if maker else []
    if skip:
        rows.append([(content.render(texts.SKIP), flow.families.skip.pack(draft.id, q.id))])
    return keyboard(rows) if rows else None


def recap(context: Context, flow: Flow, spec: FormSpec, draft: Draft) -> tuple[Html, Any]:
    """Every visible answer, a button to change each, and the save and cancel buttons."""
    content = context.bot_data.content
    lines, edits = [], []
    for q in spec.visible(draft.answers):
        if q.id not in draft.answers or q.id in spec.preset:
            continue
        value = shorten(format_value(content, q, draft.answers[q.id]), flow.recap_value_max)
        label = flow.label(content, q)
        lines.append(content.render(texts.RECAP_LINE, label=label, value=value))
        edit = flow.families.edit.pack(draft.id, q.id)
        edits.append((content.render(texts.RECAP_EDIT, label=label), edit))
    rows = [edits[i : i + 2] for i in range(0, len(edits), 2)]
    finish = flow.families.recap
    rows.append([(content.render(flow.save_key), finish.pack(draft.id, "save"))])
    rows.append([(content.render(texts.CANCEL), finish.pack(draft.id, "cancel"))])
    return flow.recap_text(content, spec, Html("\n".join(lines))), keyboard(rows)


async def ask(
    update: Update, context: Context, flow: Flow, draft: Draft, *, complete: bool = True
) -> int:
    """The next question, the recap, or (forms without recap) the completion.

    With complete=False a finished form without recap shows its recap instead, so a caller
    that only resumes a form never stores it.
    """
    content = context.bot_data.content
    spec = flow.spec(content, draft)
    question = spec.next_question(draft.answers)
    if question is None:
        if spec.recap or not complete:
            text, markup = recap(context, flow, spec, draft)
            await reply(update, text, markup)
            return flow.state
        return await flow.finish(update, context, draft)
    text = question_text(content, flow, spec, draft.answers, question)
    mask = 0
    previous = _reopened(context, draft, question)
    if previous is not None:
        shown = html.escape(format_value(content, question, previous.value), quote=False)
        line = week_texts.CURRENT_ANSWER if previous.from_recap else week_texts.PREVIOUS_ANSWER
        text = Html(f"{text}\n{content.render(line, answer=shown)}")
        mask = _mask_of(content, question, previous.value)
    await reply(update, text, question_markup(context, flow, spec, draft, question, mask))
    return flow.state


@dataclass(frozen=True)
class Reopened:
    """An answer taken back by /retour or the recap's edit button, kept to show it again."""

    draft_id: int
    question_id: str
    value: Any
    from_recap: bool

    def dump(self) -> dict[str, Any]:
        """As stored in user_data (JSON)."""
        return {
            "draft": self.draft_id,
            "question": self.question_id,
            "value": self.value,
            "recap": self.from_recap,
        }


REOPENED = "form_reopened"  # user_data: the answer last taken back (see Reopened)


def _reopened(context: Context, draft: Draft, question: Question) -> Reopened | None:
    """The answer this question had before it was reopened, if it is the one asked again."""
    raw = (context.user_data or {}).get(REOPENED)
    if not isinstance(raw, dict) or raw.get("draft") != draft.id:
        return None
    if raw.get("question") != question.id:
        return None
    return Reopened(draft.id, question.id, raw.get("value"), bool(raw.get("recap")))


def _mask_of(content: Content, question: Question, value: Any) -> int:
    """The ticks of a multiple-choice answer, to re-edit it without ticking everything again."""
    if question.type != "multi_choice" or not isinstance(value, list):
        return 0
    choices = list(choices_of(content, question))
    return sum(1 << choices.index(v) for v in value if v in choices)


async def load(context: Context, flow: Flow, telegram_id: int) -> Draft | None:
    """The user's open draft of this flow."""
    async with context.bot_data.session_factory() as session:
        return await flow.load(session, telegram_id)


# Judges an input against the draft and its current question: a value, SKIPPED, or a Refusal.
Decide = Callable[[Draft, FormSpec, Question | None], Any]


@dataclass
class Outcome:
    """What became of an input: the draft after it, the question it answered, the verdict."""

    draft: Draft
    spec: FormSpec
    question: Question | None
    verdict: Any
    before: Answers = field(default_factory=dict)  # the answers the question was asked with


async def _store(update: Update, context: Context, flow: Flow, decide: Decide) -> Outcome | None:
    """In one transaction: load the draft, judge the input, store it if accepted."""
    assert update.effective_user is not None
    data = context.bot_data
    async with data.transaction() as session:
        draft = await flow.load(session, update.effective_user.id)
        if draft is None:
            return None
        spec = flow.spec(data.content, draft)
        question = spec.next_question(draft.answers)
        verdict = decide(draft, spec, question)
        if isinstance(verdict, Refusal) or question is None:
            return Outcome(draft, spec, question, verdict)
        if verdict is SKIPPED:
            if not spec.may_skip(question, draft.answers):
                key = forms_texts.CONTACT_REQUIRED if question.optional else texts.OUT_OF_TURN
                return Outcome(draft, spec, question, Refusal(key))
            verdict = flow.skipped(question, draft.answers)
        before = dict(draft.answers)
        await flow.store(session, draft, question, verdict, context)
        message = update.message
        if message is not None:  # typed: an edit of this message later corrects this answer
            await answer_messages.remember(
                session,
                message.chat_id,
                message.message_id,
                form_of(flow),
                draft.id,
                question.id,
                data.clock.now(),
            )
    if context.user_data is not None:
        context.user_data.pop(REOPENED, None)
    return Outcome(draft, spec, question, verdict, before)


def form_of(flow: Flow) -> str:
    """The form kind's stored name: the prefix of its answer buttons, unique to it."""
    return flow.families.answer.prefix


@dataclass(frozen=True)
class Correction:
    """What an edited message did to an open form."""

    flow: Flow
    draft: Draft
    question: Question | None  # the answer it corrects; None: it answered nothing of the form
    verdict: Any = None


async def _correction(update: Update, context: Context, flows: Sequence[Flow]) -> Correction | None:
    """In one transaction: the form the edited message answered, its answer stored again."""
    message = update.edited_message
    assert message is not None and update.effective_user is not None
    data = context.bot_data
    async with data.transaction() as session:
        link = await answer_messages.answered_by(session, message.chat_id, message.message_id)
        opened: list[tuple[Flow, Draft]] = []
        for flow in flows:
            draft = await flow.load(session, update.effective_user.id)
            if draft is not None:
                opened.append((flow, draft))
        if not opened:
            return None
        for flow, draft in opened:
            if link is None or link.form != form_of(flow) or link.draft_id != draft.id:
                continue
            spec = flow.spec(data.content, draft)
            question = spec.question(link.question_id)
            if question is None or question.id not in draft.answers:
                break  # taken back since (/retour): its question is asked anew
            verdict = _typed(update, context, flow)(draft, spec, question)
            if verdict is SKIPPED:  # "Passer" typed into an optional question's answer
                verdict = TYPES[question.type].skipped()
            if not isinstance(verdict, Refusal):
                await flow.store(session, draft, question, verdict, context)
            return Correction(flow, draft, question, verdict)
    flow, draft = opened[0]
    return Correction(flow, draft, None)


async def edited_answer(update: Update, context: Context, flows: Sequence[Flow]) -> bool:
    """An edited message while a form is open: the answer it gave is corrected (validated like
    a typed one) and the person told which; any other edit is never taken as the answer to the
    current question: the person is told how to correct. False when no form is open."""
    correction = await _correction(update, context, flows)
    if correction is None:
        return False
    content = context.bot_data.content
    flow, question, verdict = correction.flow, correction.question, correction.verdict
    if question is None:
        await reply(update, content.render(correction_texts.HOW_TO_CORRECT))
        return True
    label = flow.label(content, question)
    if isinstance(verdict, Refusal):
        refused = content.render(verdict.key, **verdict.params)
        unchanged = content.render(correction_texts.ANSWER_UNCHANGED, label=label)
        await reply(update, Html(f"{refused}\n{unchanged}"))
        return True
    value = format_value(content, question, verdict)
    await reply(update, content.render(correction_texts.ANSWER_CHANGED, label=label, value=value))
    await flow.after_answer(update, context, question, verdict)  # as for a typed answer
    # The question being asked (or the recap, with the corrected answer) comes back below.
    await ask(update, context, flow, correction.draft, complete=False)
    return True


async def _follow_up(update: Update, context: Context, flow: Flow, outcome: Outcome) -> int:
    """Tell the person what became of their input, then ask the next question."""
    content = context.bot_data.content
    verdict, question = outcome.verdict, outcome.question
    if isinstance(verdict, Refusal):
        text = content.render(verdict.key, **verdict.params)
        if verdict.toast:
            await answer_press(update, text)
            return flow.state
        await answer_press(update)
        await reply(update, text)
        if verdict.reask:
            return await ask(update, context, flow, outcome.draft)
        return flow.state
    await answer_press(update)
    assert question is not None
    query = update.callback_query
    if query is not None:
        before = question_text(content, flow, outcome.spec, outcome.before, question)
        chosen = html.escape(format_value(content, question, verdict), quote=False)
        if verdict in (None, []):  # "Passer": said so, rather than a dash
            chosen = content.render(week_texts.SKIPPED)
        await edit_or_send(query, Html(f"{before}\n➡️ <i>{chosen}</i>"))
    if question.type == "phone":
        await reply(update, content.render(texts.NOTED), ReplyKeyboardRemove())
    state = await flow.after_answer(update, context, question, verdict)
    if state is not None:
        return state
    return await ask(update, context, flow, outcome.draft)


def _typed(update: Update, context: Context, flow: Flow) -> Decide:
    """The judge of a typed message (or a shared contact) for the current question."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    sender = update.effective_user.id
    content = context.bot_data.content
    parse_rules = rules(context)

    def decide(_draft: Draft, _spec: FormSpec, question: Question | None) -> Any:
        if question is None:
            return Refusal(forms_texts.invalid(InvalidCode.USE_BUTTONS))
        contact = message.contact
        if contact is not None and question.type == "phone":
            if flow.for_someone_else() and contact.user_id == sender:
                return Refusal(recorded_texts.OWN_CONTACT)
            if not flow.for_someone_else() and contact.user_id not in (None, sender):
                return Refusal(forms_texts.FOREIGN_CONTACT)
            return normalise_phone(contact.phone_number) or contact.phone_number
        if message.text is None:
            return Refusal(forms_texts.NOT_TEXT)
        skip = content.render(texts.SKIP).casefold()
        if question.optional and message.text.strip().casefold() == skip:
            return SKIPPED
        value = parse_answer(question, message.text, parse_rules, choices_of(content, question))
        if isinstance(value, Invalid):
            return Refusal(forms_texts.invalid(value.code), value.params)
        return value

    return decide


async def typed_answer(update: Update, context: Context, flow: Flow) -> int | None:
    """A typed answer for this flow's draft; None if the user has no draft of this kind."""
    outcome = await _store(update, context, flow, _typed(update, context, flow))
    if outcome is None:
        return None
    return await _follow_up(update, context, flow, outcome)


@dataclass(frozen=True)
class Press:
    """A pressed engine button: its draft, its question (the recap's word), its other fields."""

    draft_id: int
    code: str
    rest: tuple[int | str, ...]


def press_of(update: Update, family: Button) -> Press | None:
    """The pressed button's data, parsed by its family; None if malformed or forged."""
    query = update.callback_query
    assert query is not None
    values = family.parse(query.data)
    if values is None:
        return None
    draft_id, code, *rest = values
    assert isinstance(draft_id, int) and isinstance(code, str)  # every engine family starts so
    return Press(draft_id, code, tuple(rest))


ButtonValue = Callable[[Context, tuple[int | str, ...], Question], Any]


def _already(
    context: Context, flow: Flow, draft: Draft, spec: FormSpec, press: Press, value: ButtonValue
) -> Refusal | None:
    """A second press of the button that gave an answer: say what was answered, change nothing."""
    answered = spec.question(press.code)
    if answered is None or answered.id not in draft.answers:
        return None
    pressed = value(context, press.rest, answered)
    if pressed is SKIPPED:
        pressed = flow.skipped(answered, draft.answers)
    stored = draft.answers[answered.id]
    if pressed != stored and not (pressed in (None, []) and stored in (None, [])):
        return None
    shown = format_value(context.bot_data.content, answered, stored)
    return Refusal(texts.ALREADY_ANSWERED, {"answer": shown}, toast=True)


async def _button(
    update: Update, context: Context, flow: Flow, family: Button, value: ButtonValue
) -> int:
    """Common path of the question buttons: judge against the draft, store, follow up."""
    press = press_of(update, family)
    content = context.bot_data.content

    def decide(draft: Draft, spec: FormSpec, question: Question | None) -> Any:
        if press is None or press.draft_id != draft.id:
            return Refusal(texts.STALE_BUTTON)
        if question is None or question.id != press.code:
            return _already(context, flow, draft, spec, press, value) or Refusal(texts.OUT_OF_TURN)
        return value(context, press.rest, question)

    outcome = await _store(update, context, flow, decide)
    if outcome is None:
        await answer_press(update)
        await reply(update, content.render(texts.STALE_BUTTON))
        return END
    return await _follow_up(update, context, flow, outcome)


def _chosen(context: Context, rest: tuple[int | str, ...], question: Question) -> Any:
    raw = str(rest[0])
    if question.type == "yes_no" and raw in ("yes", "no"):
        return raw
    if question.type == "choice" and raw in choices_of(context.bot_data.content, question):
        return raw
    if question.type == "date":
        try:
            if check_date(question, date.fromisoformat(raw), today(context)) is None:
                return raw
        except ValueError:
            pass
    return Refusal(texts.OUT_OF_TURN)


def _mask(context: Context, mask: int | str, question: Question) -> int | None:
    if question.type != "multi_choice" or not isinstance(mask, int):
        return None
    return mask if mask < 1 << len(choices_of(context.bot_data.content, question)) else None


def _validated(context: Context, rest: tuple[int | str, ...], question: Question) -> Any:
    mask = _mask(context, rest[0], question)
    if mask is None:
        return Refusal(texts.OUT_OF_TURN)
    if mask == 0:
        return SKIPPED if question.optional else Refusal(forms_texts.MULTI_EMPTY, reask=False)
    choices = choices_of(context.bot_data.content, question)
    return [v for i, v in enumerate(choices) if mask & (1 << i)]


def _skip(_context: Context, _rest: tuple[int | str, ...], question: Question) -> Any:
    return SKIPPED if question.optional else Refusal(texts.OUT_OF_TURN)


async def on_toggle(update: Update, context: Context, flow: Flow) -> int:
    """Tick or untick one option of a multi-choice question (nothing stored until 'Valider')."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    press = press_of(update, flow.families.toggle)
    content = context.bot_data.content
    draft = await load(context, flow, update.effective_user.id)
    if draft is None or press is None or press.draft_id != draft.id:
        await answer_press(update)
        await reply(update, content.render(texts.STALE_BUTTON))
        return END if draft is None else flow.state
    spec = flow.spec(content, draft)
    question = spec.next_question(draft.answers)
    asked = question is not None and question.id == press.code
    mask = _mask(context, press.rest[0], question) if question and asked else None
    if question is None or mask is None:
        verdict = Refusal(texts.OUT_OF_TURN)
        return await _follow_up(update, context, flow, Outcome(draft, spec, question, verdict))
    await answer_press(update)
    markup = question_markup(context, flow, spec, draft, question, mask)
    text = question_text(content, flow, spec, draft.answers, question)
    assert isinstance(markup, InlineKeyboardMarkup)
    await edit_or_send(query, text, markup)
    return flow.state


async def _recap_button(
    update: Update, context: Context, flow: Flow, family: Button
) -> tuple[Draft, str] | int:
    """A button of the recap: the draft and the button's word, or the state after a refusal."""
    assert update.effective_user is not None
    content = context.bot_data.content
    press = press_of(update, family)
    draft = await load(context, flow, update.effective_user.id)
    if press is None or draft is None or press.draft_id != draft.id:
        done = None
        if press is not None and family is flow.families.recap:
            done = await flow.finished_text(update, context, press.draft_id)
        await answer_press(update, done)
        if done is None:
            await reply(update, content.render(texts.STALE_BUTTON))
        return flow.state if draft is not None else END
    if flow.spec(content, draft).next_question(draft.answers) is not None:
        await answer_press(update)
        await reply(update, content.render(texts.OUT_OF_TURN))
        return await ask(update, context, flow, draft)
    return draft, press.code


async def on_recap(update: Update, context: Context, flow: Flow) -> int:
    """The save ('Envoyer', 'Enregistrer') or 'Abandonner' button under the recap."""
    found = await _recap_button(update, context, flow, flow.families.recap)
    if isinstance(found, int):
        return found
    draft, action = found
    if action == "cancel":
        await answer_press(update)
        return await flow.abandon(update, context, draft)
    state = await flow.finish(update, context, draft, pressed=True)
    query = update.callback_query
    assert query is not None
    await set_markup(query, None)
    return state


async def on_edit(update: Update, context: Context, flow: Flow) -> int:
    """An answer's button under the recap: ask that question again."""
    if await repeated_press(update, context):
        return flow.state  # the question is already asked again
    found = await _recap_button(update, context, flow, flow.families.edit)
    if isinstance(found, int):
        return found
    draft, question_id = found
    await answer_press(update)
    spec = flow.spec(context.bot_data.content, draft)
    question = spec.question(question_id)
    if question is None or question_id in spec.preset or question_id not in draft.answers:
        await reply(update, context.bot_data.content.render(texts.OUT_OF_TURN))
        return await ask(update, context, flow, draft)
    return await reopen(update, context, flow, question, from_recap=True)


async def reopen(
    update: Update, context: Context, flow: Flow, question: Question, *, from_recap: bool = False
) -> int:
    """Take an answer back and ask its question again, showing the answer it had."""
    assert update.effective_user is not None
    async with context.bot_data.transaction() as session:
        draft = await flow.load(session, update.effective_user.id)
        if draft is None:
            return END
        value = draft.answers.get(question.id)
        await flow.forget(session, draft, question, context)
    if context.user_data is not None:
        reopened = Reopened(draft.id, question.id, value, from_recap)
        context.user_data[REOPENED] = reopened.dump()
    return await ask(update, context, flow, draft)


async def _restore(update: Update, context: Context, flow: Flow, question: Question) -> int:
    """/retour while an answer is re-edited from the recap: keep the old answer, recap again."""
    assert update.effective_user is not None
    async with context.bot_data.transaction() as session:
        draft = await flow.load(session, update.effective_user.id)
        if draft is None:
            return END
        previous = _reopened(context, draft, question)
        if previous is not None:
            await flow.store(session, draft, question, previous.value, context)
    if context.user_data is not None:
        context.user_data.pop(REOPENED, None)
    return await ask(update, context, flow, draft)


async def go_back(update: Update, context: Context, flow: Flow, draft: Draft) -> int:
    """/retour: ask the previous question of the draft again (back to the recap from an edit)."""
    content = context.bot_data.content
    spec = flow.spec(content, draft)
    current = spec.next_question(draft.answers)
    if current is not None:
        reopened = _reopened(context, draft, current)
        if reopened is not None and reopened.from_recap:
            return await _restore(update, context, flow, current)
    previous = spec.previous_question(draft.answers)
    if previous is None:
        await reply(update, content.render(texts.NOTHING_TO_GO_BACK))
        return await ask(update, context, flow, draft)
    return await reopen(update, context, flow, previous)


async def cancel(update: Update, context: Context, flow: Flow, draft: Draft) -> int:
    """/annuler: the flow's abandon hook."""
    return await flow.abandon(update, context, draft)


Callback = Callable[[Update, Context], Coroutine[Any, Any, Any]]
PerFlow = Callable[[Update, Context, Flow], Awaitable[int | None]]
PerDraft = Callable[[Update, Context, Flow, Draft], Awaitable[int]]


def on_draft(run: PerDraft) -> PerFlow:
    """`run` on the user's open draft of the flow; None if they have none."""

    async def per_flow(update: Update, context: Context, flow: Flow) -> int | None:
        assert update.effective_user is not None
        draft = await load(context, flow, update.effective_user.id)
        return None if draft is None else await run(update, context, flow, draft)

    return per_flow


def _first_draft(flows: Sequence[Flow], run: PerFlow, none: Callback) -> Callback:
    """Try each flow in order until one has a draft; `none` answers when none has."""

    async def handle(update: Update, context: Context) -> int:
        for flow in flows:
            state = await run(update, context, flow)
            if state is not None:
                return state
        await none(update, context)
        return END

    return handle


def _buttons(flow: Flow) -> list[BaseHandler[Update, Context, Any]]:
    """The engine's buttons for one flow, by its callback family."""

    def bound(handler: Callable[[Update, Context, Flow], Awaitable[int]]) -> Callback:
        async def run(update: Update, context: Context) -> int:
            return await handler(update, context, flow)

        return run

    async def choice(update: Update, context: Context, flow: Flow) -> int:
        return await _button(update, context, flow, flow.families.answer, _chosen)

    async def validate(update: Update, context: Context, flow: Flow) -> int:
        return await _button(update, context, flow, flow.families.validate, _validated)

    async def skip(update: Update, context: Context, flow: Flow) -> int:
        return await _button(update, context, flow, flow.families.skip, _skip)

    families = flow.families
    handlers: dict[Button[Any], Callable[[Update, Context, Flow], Awaitable[int]]] = {
        families.answer: choice,
        families.toggle: on_toggle,
        families.validate: validate,
        families.skip: skip,
        families.edit: on_edit,
        families.recap: on_recap,
    }
    return [button(family, bound(handler)) for family, handler in handlers.items()]


@dataclass(frozen=True)
class Composition:
    """What app.py gives the factory besides the flows (all the forms' own handlers)."""

    entry_points: list[BaseHandler[Update, Context, Any]]
    extra_states: dict[int, list[BaseHandler[Update, Context, Any]]]
    on_start: Callback  # /start inside a form: the welcome; drafts are kept
    no_draft_text: Callback  # free text when no form is open
    no_draft_command: Callback  # /retour or /annuler when no form is open


def build_form_conversation(
    flows: Sequence[Flow], composition: Composition
) -> ConversationHandler[Context]:
    """One ConversationHandler for every form kind (private chats, persistent).

    `flows` come in priority order. While a flow has the focus (its state), free text, /retour
    and /annuler go to its draft, else to the drafts of the flows after it; with no focus they
    go to the last flow (the intake), which owns free text whenever a draft is open.
    """
    private = filters.ChatType.PRIVATE
    buttons = [handler for flow in flows for handler in _buttons(flow)]

    def typed(order: Sequence[Flow]) -> list[BaseHandler[Update, Context, Any]]:
        text = _first_draft(order, typed_answer, composition.no_draft_text)
        back = _first_draft(order, on_draft(go_back), composition.no_draft_command)
        drop = _first_draft(order, on_draft(cancel), composition.no_draft_command)
        return [
            CommandHandler("retour", back, filters=private),
            CommandHandler("annuler", drop, filters=private),
            MessageHandler(private & ~filters.COMMAND, text),
        ]

    async def timed_out(update: Update, context: Context) -> None:
        assert update.effective_user is not None
        for flow in flows:
            if await load(context, flow, update.effective_user.id) is not None:
                await reply(update, context.bot_data.content.render(flow.timeout_key))
                return

    states: dict[object, list[BaseHandler[Update, Context, Any]]] = {
        flow.state: [*composition.entry_points, *buttons, *typed(flows[index:])]
        for index, flow in enumerate(flows)
    }
    for state, extra in composition.extra_states.items():
        states[state] = [*extra, *composition.entry_points, *buttons]
    states[ConversationHandler.TIMEOUT] = [MessageHandler(filters.ALL, timed_out)]
    return db_driven_conversation(
        entry_points=[*composition.entry_points, *buttons, *typed(flows[-1:])],
        states=states,
        fallbacks=[
            CommandHandler("start", composition.on_start, filters=private),
            *typed(flows[-1:])[:2],
        ],
        name="form_engine",
        persistent=True,
        conversation_timeout=TIMEOUT_AFTER,
        # Entry points would take precedence over a state's handlers: every state lists them.
        allow_reentry=False,
    )
