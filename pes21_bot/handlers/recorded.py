"""Dossiers recorded by staff on someone's behalf (/nouveau_dossier) and their linking (/lier).

The staff member fills the holder's questionnaire, after a few questions of their own (source,
first contact, oral consent), as a form of the engine: the draft is a Project with
``recorded_by_id`` set, so it never mixes with the staff member's short forms nor with a
dossier of their own as a holder. Sending it goes through services/recorded.py.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler

from pes21_bot import access, buttons, texts
from pes21_bot.content import Content, Html, Question
from pes21_bot.context import Context
from pes21_bot.db.models import OutboxMessage, Project
from pes21_bot.domain.fields import question
from pes21_bot.domain.form_spec import FormSpec
from pes21_bot.domain.vocabulary import PATHS, ProjectStatus
from pes21_bot.handlers import form_engine
from pes21_bot.handlers.access import button, command, pressed_project
from pes21_bot.handlers.form_engine import END, Draft, Flow, answer_press
from pes21_bot.handlers.ui import kick, repeated_press, reply, set_markup, user_info
from pes21_bot.messages import delivery
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.render import fr_datetime
from pes21_bot.services import recorded
from pes21_bot.services.people import ensure_person, find_person
from pes21_bot.texts import STALE_BUTTON, week
from pes21_bot.texts import recorded as t

logger = logging.getLogger(__name__)

RECORDING = 3  # the conversation state while this flow has the focus (the engine's are 0-2)
LINK_PREFIX = "lier-"  # t.me/<bot>?start=lier-CODE

SOURCE, PARTNER, FIRST_CONTACT, CONSENT, CONSENT_ON = tuple(t.PROMPTS)
# Asked before the questionnaire; taken out of the answers when the dossier is sent.
OWN_QUESTIONS = (
    question(SOURCE, "choice", choice_list="recorded_sources"),
    question(PARTNER, "text", max=recorded.PARTNER_MAX, when={SOURCE: [recorded.PARTNER]}),
    question(FIRST_CONTACT, "date"),
    question(CONSENT, "yes_no"),
    question(CONSENT_ON, "date", optional=True),
)


def split(answers: dict[str, Any]) -> tuple[recorded.Origin, dict[str, Any]]:
    """The recording's own answers as an Origin, and the questionnaire's answers."""
    own = {q.id for q in OWN_QUESTIONS}

    def day(qid: str) -> date | None:
        value = answers.get(qid)
        return date.fromisoformat(value) if value else None

    origin = recorded.Origin(
        source=str(answers[SOURCE]),
        partner=answers.get(PARTNER),
        first_contact=day(FIRST_CONTACT),
        consent_on=day(CONSENT_ON),
    )
    return origin, {k: v for k, v in answers.items() if k not in own}


async def _recorder_id(session: AsyncSession, telegram_id: int) -> int | None:
    person = await find_person(session, telegram_id)
    return None if person is None else person.id


class RecordedFlow(Flow):
    """The holder's questionnaire, filled by staff, preceded by the recording's questions."""

    async def load(self, session: AsyncSession, telegram_id: int) -> Draft | None:
        """The dossier this staff member is recording."""
        recorder = await _recorder_id(session, telegram_id)
        project = None if recorder is None else await recorded.current_draft(session, recorder)
        return None if project is None else Draft.of(project, project.path)

    async def store(
        self, session: AsyncSession, draft: Draft, question: Question, value: Any, context: Context
    ) -> None:
        """Store one answer in the draft (no holder event: nobody is answering by chat)."""
        row: Project = draft.row
        row.answers = {**row.answers, question.id: value}
        row.updated_at = context.bot_data.clock.now()
        draft.answers = row.answers

    async def forget(
        self, session: AsyncSession, draft: Draft, question: Question, context: Context
    ) -> None:
        """Take an answer back (/retour, edit from the recap)."""
        row: Project = draft.row
        row.answers = {k: v for k, v in row.answers.items() if k != question.id}
        row.updated_at = context.bot_data.clock.now()
        draft.answers = row.answers

    def spec(self, content: Content, draft: Draft) -> FormSpec:
        """The recording's questions, then the questionnaire of the draft's path."""
        base = content.questionnaires[draft.kind].spec(draft.kind)
        return FormSpec(
            base.kind, (*OWN_QUESTIONS, *base.questions), at_least_one=base.at_least_one
        )

    def prompt(self, content: Content, spec: FormSpec, question: Question) -> str:
        """The recording's prompts from contenus/, the questionnaire's as written."""
        own = t.PROMPTS.get(question.id)
        return content.render(own) if own else question.prompt_team or question.prompt

    def label(self, content: Content, question: Question) -> str:
        """The recording's labels from contenus/, the questionnaire's as written."""
        own = t.LABELS.get(question.id)
        return content.render(own) if own else question.label

    def recap_text(self, content: Content, spec: FormSpec, lines: Html) -> Html:
        """The questionnaire's recap, titled as recorded by the team."""
        title = content.render(t.TITLE, title=content.questionnaires[spec.kind].title)
        return content.render(texts.RECAP, title=title, lines=lines)

    async def finish(
        self, update: Update, context: Context, draft: Draft, *, pressed: bool = False
    ) -> int:
        """'Enregistrer et transmettre': the dossier is created, routed, its cards queued."""
        await _send(update, context, draft.id, pressed=pressed)
        return END

    async def abandon(self, update: Update, context: Context, draft: Draft) -> int:
        """'Abandonner' or /annuler: nothing was counted yet, so no confirmation."""
        data = context.bot_data
        async with data.transaction() as session:
            row = await session.get(Project, draft.id)
            if row is not None and row.status == ProjectStatus.DRAFT:
                await recorded.drop_draft(session, row, data.clock.now())
        await reply(update, data.content.render(t.CANCELLED))
        return END

    def skipped(self, question: Question, answers: dict[str, Any]) -> Any:
        """ "Passer" at the consent's date: the first contact's day, shown as such in the recap."""
        if question.id == CONSENT_ON:
            return answers.get(FIRST_CONTACT)
        return super().skipped(question, answers)

    def for_someone_else(self) -> bool:
        """The staff member types the person's number: theirs is no answer."""
        return True

    async def after_answer(
        self, update: Update, context: Context, question: Question, value: Any
    ) -> int | None:
        """No oral consent: nothing may be kept, the draft is dropped and the way forward said."""
        if question.id != CONSENT or value != "no":
            return None
        assert update.effective_user is not None
        data = context.bot_data
        async with data.transaction() as session:
            draft = await self.load(session, update.effective_user.id)
            if draft is not None:
                await recorded.drop_draft(session, draft.row, data.clock.now())
        link = f"https://t.me/{context.bot.username}"
        await reply(update, data.content.render(week.NO_CONSENT, link=link))
        return END

    async def finished_text(self, update: Update, context: Context, draft_id: int) -> Html | None:
        """A second press: the reference the dossier got."""
        assert update.effective_user is not None
        async with context.bot_data.session_factory() as session:
            row = await session.get(Project, draft_id)
            recorder = await _recorder_id(session, update.effective_user.id)
        if row is None or row.reference is None or row.recorded_by_id != recorder:
            return None
        return context.bot_data.content.render(t.ALREADY_SENT, reference=row.reference)


FLOW = RecordedFlow(buttons.RECORDED_FORM, RECORDING, t.SAVE, t.TIMEOUT, recap_value_max=500)


async def _send(update: Update, context: Context, project_id: int, *, pressed: bool) -> None:
    data = context.bot_data
    content = data.content
    now = data.clock.now()
    queued: list[OutboxMessage] = []
    sent: Html | None = None
    keep: Html | None = None
    async with data.transaction() as session:
        row = await session.get(Project, project_id)
        if row is not None and row.status == ProjectStatus.DRAFT:
            spec = FLOW.spec(content, Draft.of(row, row.path))
            origin, answers = split(spec.clean(row.answers))
            submission = await recorded.record_dossier(
                session,
                data.config,
                path=row.path,
                answers=answers,
                origin=origin,
                recorder_id=row.recorded_by_id,
                now=now,
                draft=row,
            )
            queued = await delivery.queue_cards(session, context, row)
            code, until = await recorded.create_link_code(session, row.id, row.recorded_by_id, now)
            programme = submission.route.programme
            sent = content.render(
                t.SENT,
                reference=row.reference or "",
                programme=content.programme_name(programme),
                code=code,
                until=fr_datetime(until, data.config.tz),
                link=_link_text(context, code),
            )
            # The recorder usually follows it: one press keeps it (no claiming on their card).
            claim = access.BUTTONS[buttons.CLAIM.prefix]
            if access.staff_may(claim, data.config, _user(update), programme):
                keep = content.render(week.KEEP_OFFER)
    if pressed:
        await answer_press(update)
    if sent is None:
        await reply(update, content.render(STALE_BUTTON))
        return
    await reply(update, sent)
    kick(context, queued)
    if keep is not None:
        button = (content.render(week.KEEP_BUTTON), buttons.CLAIM.pack(project_id))
        await reply(update, keep, keyboard([[button]]))


def _user(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _link_text(context: Context, code: str) -> str:
    return f"https://t.me/{context.bot.username}?start={LINK_PREFIX}{code}"


async def on_new_code(update: Update, context: Context) -> None:
    """'Nouveau code pour la personne' on a recorded dossier's panel."""
    if await repeated_press(update, context):
        return  # one new code, not two (the second would void the first)
    target = await pressed_project(update, context, buttons.LINK_CODE)
    if target is None:
        return
    project, _ = target
    data = context.bot_data
    now = data.clock.now()
    async with data.transaction() as session:
        fresh = await session.get(Project, project.id)
        staff = await ensure_person(session, user_info(update), now)
        renewed = (
            None if fresh is None else await recorded.renew_link_code(session, fresh, staff.id, now)
        )
    if renewed is None:
        await answer_press(update, data.content.render(t.ALREADY_LINKED))
        return
    code, until = renewed
    await answer_press(update)
    text = data.content.render(
        t.CODE_RENEWED,
        reference=project.reference or "",
        code=code,
        until=fr_datetime(until, data.config.tz),
        link=_link_text(context, code),
    )
    await reply(update, text)


async def new_dossier(update: Update, context: Context) -> int:
    """/nouveau_dossier: resume the dossier being recorded, or choose its questionnaire."""
    assert update.effective_user is not None
    draft = await form_engine.load(context, FLOW, update.effective_user.id)
    if draft is not None:
        return await form_engine.ask(update, context, FLOW, draft)
    content = context.bot_data.content
    rows = [
        [(content.questionnaires[path].title, buttons.RECORD_PATH.pack(path))]
        for path in PATHS
        if path in content.questionnaires
    ]
    await reply(update, content.render(t.CHOOSE_PATH), keyboard(rows))
    return END


async def on_path(update: Update, context: Context) -> int | None:
    """A questionnaire chosen: open the draft and ask the first question."""
    if await repeated_press(update, context):
        return None  # the form's question is already asked
    query = update.callback_query
    assert query is not None
    parts = buttons.RECORD_PATH.parse(query.data)
    data = context.bot_data
    if (
        parts is None
        or parts.choice not in PATHS
        or parts.choice not in data.content.questionnaires
    ):
        await answer_press(update, data.content.render(STALE_BUTTON))
        return END
    path = parts.choice
    now = data.clock.now()
    async with data.transaction() as session:
        staff = await ensure_person(session, user_info(update), now)
        project = await recorded.open_draft(session, staff.id, path, now)
    await answer_press(update)
    await set_markup(query, None)
    title = data.content.questionnaires[path].title
    await reply(update, data.content.render(t.INTRO, title=title))
    return await form_engine.ask(update, context, FLOW, Draft.of(project, path))


async def link(update: Update, context: Context, raw: str) -> None:
    """Give the sender the dossier of this code (from /lier CODE or the deep link)."""
    data = context.bot_data
    content = data.content
    code = raw.strip()
    if not code:
        await reply(update, content.render(t.LINK_USAGE))
        return
    async with data.transaction() as session:
        result = await recorded.redeem_link_code(
            session, data.config, user_info(update), code, data.clock.now()
        )
    if result.status == recorded.Linked.LINKED and result.project is not None:
        await reply(update, content.render(t.LINKED, reference=result.project.reference or ""))
    elif result.status == recorded.Linked.LOCKED and result.locked_until is not None:
        until = fr_datetime(result.locked_until, data.config.tz)
        await reply(update, content.render(t.LINK_LOCKED, until=until))
    else:
        await reply(update, content.render(t.LINK_REFUSED))


async def link_command(update: Update, context: Context) -> None:
    """/lier CODE."""
    await link(update, context, " ".join(context.args or []))


def start_link_code(args: list[str] | None) -> str | None:
    """The code of a t.me/<bot>?start=lier-CODE link, if /start came with one."""
    if args and args[0].startswith(LINK_PREFIX):
        return args[0][len(LINK_PREFIX) :]
    return None


def recorded_form_entries() -> list[BaseHandler[Update, Context, Any]]:
    """/nouveau_dossier and its questionnaire buttons: part of the forms conversation."""
    return [command("nouveau_dossier", new_dossier), button(buttons.RECORD_PATH, on_path)]


def recorded_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """/lier and the panel's new code, outside any form."""
    return [command("lier", link_command), button(buttons.LINK_CODE, on_new_code)]
