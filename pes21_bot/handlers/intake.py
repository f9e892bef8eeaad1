"""The intake questionnaire as a form of the engine: consent and submission are its hooks.

The questions come from contenus/questionnaires.yaml; the draft is the holder's Project in
status "draft". Asking, buttons, /retour, the recap and resuming are the engine's
(:mod:`pes21_bot.handlers.form_engine`).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from pes21_bot import buttons, texts
from pes21_bot.content import Content, Html, Question
from pes21_bot.context import Context
from pes21_bot.db.models import OutboxMessage, Project
from pes21_bot.domain.answers import in_cote_dor
from pes21_bot.domain.fields import fold
from pes21_bot.domain.form_spec import FormSpec
from pes21_bot.domain.sources import clean_source
from pes21_bot.domain.vocabulary import PATHS, ProjectStatus
from pes21_bot.handlers import form_engine
from pes21_bot.handlers.access import button
from pes21_bot.handlers.form_engine import (
    ANSWERING,
    CONFIRM_CANCEL,
    END,
    Draft,
    Flow,
    answer_press,
)
from pes21_bot.handlers.ui import edit_or_send, kick, repeated_press, reply, set_markup, user_info
from pes21_bot.messages import agenda, delivery
from pes21_bot.messages.markup import keyboard
from pes21_bot.services import intake, outbox
from pes21_bot.services.people import find_person
from pes21_bot.texts import week

logger = logging.getLogger(__name__)


class IntakeFlow(Flow):
    """The intake: a Project draft, questions from contenus/, submission to staff."""

    async def load(self, session: AsyncSession, telegram_id: int) -> Draft | None:
        """The holder's unfinished intake."""
        project = await intake.current_draft(session, telegram_id)
        return None if project is None else Draft.of(project, project.path)

    async def store(
        self, session: AsyncSession, draft: Draft, question: Question, value: Any, context: Context
    ) -> None:
        """Store the answer with its event."""
        now = context.bot_data.clock.now()
        await intake.store_answer(session, draft.row, question, value, now)
        draft.answers = draft.row.answers

    async def forget(
        self, session: AsyncSession, draft: Draft, question: Question, context: Context
    ) -> None:
        """Take the answer back (/retour, edit from the recap)."""
        await intake.reopen(session, draft.row, question, context.bot_data.clock.now())
        draft.answers = draft.row.answers

    def spec(self, content: Content, draft: Draft) -> FormSpec:
        """The questionnaire of the draft's path."""
        return content.questionnaires[draft.kind].spec(draft.kind)

    def prompt(self, content: Content, spec: FormSpec, question: Question) -> str:
        """The prompt written in questionnaires.yaml."""
        return question.prompt

    def label(self, content: Content, question: Question) -> str:
        """The label written in questionnaires.yaml."""
        return question.label

    def recap_text(self, content: Content, spec: FormSpec, lines: Html) -> Html:
        """The recap titled with the questionnaire."""
        title = content.questionnaires[spec.kind].title
        return content.render(texts.RECAP, title=title, lines=lines)

    async def finish(
        self, update: Update, context: Context, draft: Draft, *, pressed: bool = False
    ) -> int:
        """'Envoyer': submit the dossier."""
        await submit(update, context, draft.id, pressed=pressed)
        return END

    async def abandon(self, update: Update, context: Context, draft: Draft) -> int:
        """'Abandonner' or /annuler: ask for confirmation first."""
        return await _confirm_cancel(update, context, draft.id)

    async def finished_text(self, update: Update, context: Context, draft_id: int) -> Html | None:
        """A second 'Envoyer': the reference the dossier got."""
        assert update.effective_user is not None
        async with context.bot_data.session_factory() as session:
            reference = await intake.sent_reference(session, update.effective_user.id, draft_id)
        if reference is None:
            return None
        return context.bot_data.content.render(texts.ALREADY_SENT, reference=reference)

    async def after_answer(
        self, update: Update, context: Context, question: Question, value: Any
    ) -> int | None:
        """A postal code outside Côte-d'Or: name the alternatives."""
        if question.type == "postal_code" and in_cote_dor(value) is False:
            await reply(update, context.bot_data.content.outside_department(value))
        return None


FLOW = IntakeFlow(buttons.INTAKE_FORM, ANSWERING, texts.SEND, texts.TIMEOUT, recap_value_max=500)


async def submit(update: Update, context: Context, project_id: int, *, pressed: bool) -> None:
    """Send the draft: reference and routing stored, with the staff cards and the holder's
    confirmation queued in the same transaction (sent after the commit, each on its own, so no
    failing send leaves a dossier unseen by staff)."""
    data = context.bot_data
    content = data.content
    assert update.effective_chat is not None
    queued: list[OutboxMessage] = []
    async with data.transaction() as session:
        fresh = await session.get(Project, project_id)
        submission = None
        if fresh is not None and fresh.status == ProjectStatus.DRAFT:
            submission = await intake.submit(session, fresh, data.config, data.clock.now())
        if fresh is not None and submission is not None:
            programme = submission.route.programme
            members = data.config.staff_for(programme)
            who = (
                content.render(texts.SUBMITTED_WHO, name=members[0].name)
                if len(members) == 1
                else Html("")
            )
            notices = [
                content.render(
                    texts.SUBMITTED,
                    reference=fresh.reference or "",
                    programme=content.programme_name(programme),
                    who=who,
                    days=data.config.programmes[programme].response_days,  # type: ignore[index]
                )
            ]
            queued = await delivery.queue_cards(session, context, fresh)
            queued += [
                outbox.add_message(session, update.effective_chat.id, text, data.clock.now())
                for text in notices
            ]
            if submission.route.suggest_emergence:
                # The next Émergence workshop with its button; the general invitation without one.
                offer = await agenda.queue_emergence_offer(
                    session, data.config, content, update.effective_chat.id, data.clock.now()
                )
                queued += offer or [
                    outbox.add_message(
                        session,
                        update.effective_chat.id,
                        content.render(texts.SUBMITTED_EMERGENCE),
                        data.clock.now(),
                    )
                ]
    if pressed:
        await answer_press(update)
    if submission is None:
        await reply(update, content.render(texts.NO_DRAFT))
        return
    kick(context, queued)


async def _load(context: Context, telegram_id: int) -> Project | None:
    async with context.bot_data.session_factory() as session:
        return await intake.current_draft(session, telegram_id)


async def _confirm_cancel(update: Update, context: Context, project_id: int) -> int:
    content = context.bot_data.content
    markup = keyboard(
        [
            [(content.render(texts.CANCEL_YES), buttons.CANCEL.pack(project_id, "yes"))],
            [(content.render(texts.CANCEL_NO), buttons.CANCEL.pack(project_id, "no"))],
        ]
    )
    await reply(update, content.render(texts.CANCEL_CONFIRM), markup)
    return CONFIRM_CANCEL


async def _stale(update: Update, context: Context) -> None:
    await answer_press(update)
    await reply(update, context.bot_data.content.render(texts.STALE_BUTTON))


async def on_cancel_answer(update: Update, context: Context) -> int:
    """The confirmation buttons of /annuler."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    parts = buttons.CANCEL.parse(query.data)
    data = context.bot_data
    user_id = update.effective_user.id
    wanted = parts.draft if parts is not None else None
    async with data.transaction() as session:
        project = await intake.current_draft(session, user_id)
        if parts is None or project is None or wanted != project.id:
            project = None
        elif parts.answer == "yes":
            await intake.abandon(session, project, data.clock.now())
        repeat = (
            project is None
            and parts is not None
            and parts.answer == "yes"
            and wanted is not None
            and await intake.abandoned(session, user_id, wanted)
        )
    if repeat:  # a second press: the first one's confirmation may not have been shown
        await answer_press(update)
        await edit_or_send(query, data.content.render(texts.CANCELLED))
        return END
    if project is None or parts is None:
        await _stale(update, context)
        return END
    await answer_press(update)
    if parts.answer == "yes":
        await edit_or_send(query, data.content.render(texts.CANCELLED))
        return END
    await edit_or_send(query, data.content.render(texts.CANCEL_ABORTED))
    return await form_engine.ask(
        update, context, FLOW, Draft(project.id, project.path, project.answers, project)
    )


async def waiting_for_cancel_answer(update: Update, context: Context) -> int:
    """Anything typed while the /annuler question is open: ask again."""
    assert update.effective_user is not None
    project = await _load(context, update.effective_user.id)
    if project is None:
        return END
    return await _confirm_cancel(update, context, project.id)


async def begin(update: Update, context: Context, path: str, source: str | None) -> int | None:
    """Consent is given: open (or reuse) the draft and ask; None if it was already open."""
    data = context.bot_data
    assert update.effective_user is not None
    async with data.transaction() as session:
        existing = await intake.current_draft(session, update.effective_user.id)
        project = await intake.begin(session, user_info(update), path, source, data.clock.now())
    if existing is not None and existing.id == project.id:
        return None
    questionnaire = data.content.questionnaires[path]
    await reply(update, data.content.render(texts.INTAKE_INTRO, title=questionnaire.title))
    return await form_engine.ask(update, context, FLOW, Draft.of(project, path))


async def on_path(update: Update, context: Context) -> int:
    """A path from the welcome menu: consent screen first, unless consent was already given."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    parts = buttons.MENU.parse(query.data)
    if parts is None or parts.item not in PATHS:
        await _stale(update, context)
        return END
    path, raw_source = parts.item, parts.source
    source = clean_source(raw_source)
    async with context.bot_data.session_factory() as session:
        person = await find_person(session, update.effective_user.id)
    if person is not None and person.consent == "given":
        state = await begin(update, context, path, source)
        await answer_press(update)
        if state is not None:
            return state
        project = await _load(context, update.effective_user.id)
        assert project is not None
        return await form_engine.ask(update, context, FLOW, Draft.of(project, path))
    await answer_press(update)
    content = context.bot_data.content
    markup = keyboard(
        [
            [(content.render(texts.CONSENT_ACCEPT), buttons.CONSENT.pack(path, "yes", raw_source))],
            [(content.render(texts.CONSENT_REFUSE), buttons.CONSENT.pack(path, "no", raw_source))],
        ]
    )
    await reply(update, content.render(texts.CONSENT_REQUEST), markup)
    return END


async def on_consent(update: Update, context: Context) -> int:
    """The consent buttons: the consent (or the refusal) is recorded before anything is shown."""
    query = update.callback_query
    assert query is not None
    parts = buttons.CONSENT.parse(query.data)
    if parts is None or parts.path not in PATHS:
        await _stale(update, context)
        return END
    path, answer, source = parts.path, parts.answer, clean_source(parts.source)
    data = context.bot_data
    if answer == "yes":
        state = await begin(update, context, path, source)
        if state is None:  # a second press: the draft is already open
            await answer_press(update, data.content.render(texts.CONSENT_ALREADY))
            return ANSWERING
        await answer_press(update)
        await set_markup(query, None)
        return state
    async with data.transaction() as session:
        await intake.refuse_consent(session, path, source, data.clock.now())
    await answer_press(update)
    await set_markup(query, None)
    await reply(update, data.content.render(texts.CONSENT_REFUSED))
    return END


async def on_resume(update: Update, context: Context) -> int | None:
    """'Reprendre' or 'Recommencer' offered by /start during an unfinished intake."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    if await repeated_press(update, context):
        return None  # the question is already asked
    parts = buttons.DRAFT.parse(query.data)
    project = await _load(context, update.effective_user.id)
    if parts is None or project is None or parts.draft != project.id:
        await _stale(update, context)
        return END if project is None else ANSWERING
    if parts.action == "resume":
        await answer_press(update)
        await set_markup(query, None)
        return await form_engine.ask(update, context, FLOW, Draft.of(project, project.path))
    data = context.bot_data
    async with data.transaction() as session:
        fresh = await session.get(Project, project.id)
        assert fresh is not None
        await intake.abandon(session, fresh, data.clock.now())
    await answer_press(update)
    await set_markup(query, None)
    return await begin(update, context, project.path, project.source) or ANSWERING


async def typed_consent(update: Update, context: Context) -> bool:
    """'oui' or 'non' typed by someone the bot knows nothing of: the consent's buttons answer.

    Nothing is stored before consent, so the bot cannot tell which path was chosen: it points
    to the buttons instead of guessing.
    """
    message = update.effective_message
    assert update.effective_user is not None
    if message is None or message.text is None:
        return False
    words = context.bot_data.content.words
    content = context.bot_data.content
    labels = (content.render(texts.CONSENT_ACCEPT), content.render(texts.CONSENT_REFUSE))
    # A label typed by hand comes without its emoji.
    answers = {*words.affirmative, *words.negative, *(label.strip("✅❌ ") for label in labels)}
    if fold(message.text) not in {fold(word) for word in answers}:
        return False
    async with context.bot_data.session_factory() as session:
        person = await find_person(session, update.effective_user.id)
    if person is not None:  # the row is written with the consent: the team has one too
        return False
    await reply(update, content.render(week.CONSENT_TYPED))
    return True


async def no_draft(update: Update, context: Context) -> None:
    """/retour or /annuler while no form is open."""
    await reply(update, context.bot_data.content.render(texts.NO_DRAFT))


def intake_entry_points() -> list[BaseHandler[Update, Context, Any]]:
    """The buttons that open or resume an intake (welcome menu, consent, resume offer)."""
    return [
        # Only the menu's paths: its other items are the welcome's (handlers/welcome.py).
        button(buttons.MENU, on_path, firsts=PATHS),
        button(buttons.CONSENT, on_consent),
        button(buttons.DRAFT, on_resume),
        button(buttons.CANCEL, on_cancel_answer),
    ]


def confirm_cancel_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """While 'Voulez-vous vraiment abandonner ?' is open."""
    private = filters.ChatType.PRIVATE
    return [
        button(buttons.CANCEL, on_cancel_answer),
        MessageHandler(private & ~filters.COMMAND, waiting_for_cancel_answer),
    ]
