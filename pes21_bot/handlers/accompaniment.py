"""Staff record an accompaniment: start, co-accompanying volunteer, milestones, end and outcome."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Update

from pes21_bot import buttons, texts
from pes21_bot.buttons import Button
from pes21_bot.content import Content, Html
from pes21_bot.context import Context
from pes21_bot.db.models import FormDraft, OutboxMessage, Project
from pes21_bot.domain.assignment import CO_ACCOMPANIMENT_MISSION
from pes21_bot.domain.vocabulary import FOLLOWED_STATUSES, ProjectStatus
from pes21_bot.handlers import forms
from pes21_bot.handlers.access import button, pressed_project, project_checked
from pes21_bot.handlers.ui import answer_query, kick, repeated_press, reply, set_markup, user_info
from pes21_bot.messages.delivery import queue_to, update_cards
from pes21_bot.messages.dossier import back_markup
from pes21_bot.messages.markup import keyboard
from pes21_bot.messages.render import fr_date, fr_day
from pes21_bot.services import accompaniment, projects, recorded, reviews, volunteers
from pes21_bot.services.people import Role, display_name
from pes21_bot.texts import volunteers as t
from pes21_bot.texts import week

logger = logging.getLogger(__name__)

ACTIVE = FOLLOWED_STATUSES
RUNNING = (ProjectStatus.ACCOMPANYING,)


async def _pressed(
    update: Update,
    context: Context,
    family: Button,
    statuses: tuple[str, ...] | None = None,
) -> tuple[Project, tuple[int | str, ...], CallbackQuery] | None:
    """The project of a pressed button and its other fields, checked for rights and status.

    A refusal is answered on the button; on success the caller answers it.
    """
    query = update.callback_query
    assert query is not None
    pressed = await pressed_project(update, context, family)
    if pressed is None:
        return None
    project, parts = pressed
    if statuses is not None and project.status not in statuses:
        key = t.ACC_NOT_CLAIMED if statuses == (ProjectStatus.CLAIMED,) else t.ACC_NOT_RUNNING
        await answer_query(query, context.bot_data.content.render(key, reference=project.reference))
        return None
    return project, parts, query


async def on_menu(update: Update, context: Context) -> None:
    """'Accompagnement': where it stands and what can be recorded next."""
    if await repeated_press(update, context):
        return
    pressed = await _pressed(update, context, buttons.ACCOMPANIMENT)
    if pressed is None:
        return
    project, _, query = pressed
    await answer_query(query)
    text, markup = await menu(context, project)
    await reply(update, text, markup)


async def menu(context: Context, project: Project) -> tuple[Html, InlineKeyboardMarkup | None]:
    """The accompaniment summary and its buttons."""
    data = context.bot_data
    content = data.content
    async with data.session_factory() as session:
        current = await accompaniment.current(session, project.id)
        if current is None and project.status == ProjectStatus.CLOSED:
            current = await accompaniment.latest(session, project.id)  # its dates to correct
        done = await accompaniment.milestones_done(session, project.id)
        helper_id = current.volunteer_id if current is not None else None
        people = await projects.people_by_id(
            session, {i for i in (helper_id, project.owner_id) if i}
        )
    # Without a co-accompanying volunteer, the welcoming volunteer who holds it, if any.
    helper = people.get(helper_id or 0)
    owner = people.get(project.owner_id or 0)
    if helper is None and owner is not None and owner.role == Role.VOLUNTEER:
        helper = owner
    started = (
        content.render(t.ACC_STARTED_ON, date=fr_day(current.started_on))
        if current is not None
        else content.render(t.ACC_NOT_STARTED)
    )
    volunteer = display_name(data.config, helper) if helper else content.render(t.ACC_NO_VOLUNTEER)
    lines = [
        content.render(
            t.ACC_MILESTONE_LINE,
            date=fr_day(date.fromisoformat(item["on"])),
            milestone=content.label("milestones", item["milestone"]),
        )
        for item in done[-15:]
    ]
    text = content.render(
        t.ACC_MENU,
        reference=project.reference or "",
        status=content.label("project_status", project.status),
        started=started,
        volunteer=volunteer,
        milestones=Html("\n".join(lines)) if lines else content.render(t.ACC_NO_MILESTONE),
    )
    rows: list[list[tuple[str, str]]] = []
    if project.status == ProjectStatus.CLAIMED:
        rows.append([(content.render(t.ACC_START), buttons.ACC_START.pack(project.id))])
    if project.status in ACTIVE and accompaniment.milestones_for(data.config, project.programme):
        rows.append([(content.render(t.ACC_MILESTONE), buttons.ACC_MILESTONES.pack(project.id))])
    if project.status == ProjectStatus.ACCOMPANYING:
        rows.append([(content.render(t.ACC_ATTACH), buttons.ACC_VOLUNTEERS.pack(project.id))])
        rows.append([(content.render(t.ACC_END), buttons.ACC_END.pack(project.id))])
    rows += _fix_rows(content, project, bool(done))
    return text, keyboard(rows) if rows else None


def _fix_rows(content: Content, project: Project, has_steps: bool) -> list[list[tuple[str, str]]]:
    """Correcting a date: the start while it runs, the start and the end once it has ended, and
    a recorded step in both cases."""
    fields = {
        ProjectStatus.ACCOMPANYING: ("start",),
        ProjectStatus.CLOSED: ("start", "end"),
    }.get(ProjectStatus(project.status), ())
    if (
        project.status == ProjectStatus.CLOSED
        and project.close_reason != accompaniment.ENDED_REASON
    ):
        return []
    if fields and has_steps:
        fields = (*fields, "steps")
    labels = {"start": week.ACC_FIX_START, "end": week.ACC_FIX_END, "steps": week.ACC_FIX_STEP}
    return [
        [(content.render(labels[field]), buttons.ACC_FIX.pack(project.id, field))]
        for field in fields
    ]


async def on_start(update: Update, context: Context) -> int | None:
    """'Démarrer': ask the start date."""
    if await repeated_press(update, context):
        return None  # the form's question is already asked
    pressed = await _pressed(update, context, buttons.ACC_START, statuses=(ProjectStatus.CLAIMED,))
    if pressed is None:
        return forms.END
    project, _, query = pressed
    state = await forms.begin(update, context, "acc_start", project.id)
    await answer_query(query)
    return state


async def on_milestone_menu(update: Update, context: Context) -> None:
    """'Noter une étape': the programme's milestones."""
    if await repeated_press(update, context):
        return
    pressed = await _pressed(update, context, buttons.ACC_MILESTONES, statuses=ACTIVE)
    if pressed is None:
        return
    project, _, query = pressed
    content = context.bot_data.content
    await answer_query(query)
    rows = [
        [(content.label("milestones", name), buttons.ACC_MILESTONE.pack(project.id, name))]
        for name in accompaniment.milestones_for(context.bot_data.config, project.programme)
    ]
    await reply(
        update, content.render(t.ACC_CHOOSE_MILESTONE, reference=project.reference), keyboard(rows)
    )


async def on_milestone(update: Update, context: Context) -> int | None:
    """A milestone chosen: ask its date (and its DLA details)."""
    if await repeated_press(update, context):
        return None  # the form's question is already asked
    pressed = await _pressed(update, context, buttons.ACC_MILESTONE, statuses=ACTIVE)
    if pressed is None:
        return forms.END
    project, parts, query = pressed
    milestone = str(parts[0])
    if milestone not in accompaniment.milestones_for(context.bot_data.config, project.programme):
        await answer_query(query, context.bot_data.content.render(texts.STALE_BUTTON))
        return forms.END
    state = await forms.begin(
        update, context, "acc_milestone", project.id, {"milestone": milestone}
    )
    await answer_query(query)
    return state


async def on_end(update: Update, context: Context) -> int | None:
    """'Clore l'accompagnement': outcome, details, end date, recap."""
    if await repeated_press(update, context):
        return None  # the form's question is already asked
    pressed = await _pressed(
        update, context, buttons.ACC_END, statuses=(ProjectStatus.ACCOMPANYING,)
    )
    if pressed is None:
        return forms.END
    project, _, query = pressed
    state = await forms.begin(update, context, "acc_end", project.id)
    await answer_query(query)
    return state


async def on_volunteer_menu(update: Update, context: Context) -> None:
    """'Associer un·e bénévole': available volunteers with the co-accompanying mission."""
    if await repeated_press(update, context):
        return
    pressed = await _pressed(
        update, context, buttons.ACC_VOLUNTEERS, statuses=(ProjectStatus.ACCOMPANYING,)
    )
    if pressed is None:
        return
    project, _, query = pressed
    data = context.bot_data
    content = data.content
    await answer_query(query)
    async with data.session_factory() as session:
        views = await volunteers.available_with_mission(
            session, CO_ACCOMPANIMENT_MISSION, forms.today(context)
        )
    if not views:
        await reply(update, content.render(t.ACC_NO_VOLUNTEER_AVAILABLE))
        return
    rows = [
        [(display_name(data.config, v.person), buttons.ACC_VOLUNTEER.pack(project.id, v.person.id))]
        for v in views[:30]
    ]
    await reply(
        update, content.render(t.ACC_CHOOSE_VOLUNTEER, reference=project.reference), keyboard(rows)
    )


async def on_volunteer(update: Update, context: Context) -> None:
    """A volunteer chosen: attached to the accompaniment, and told."""
    pressed = await _pressed(update, context, buttons.ACC_VOLUNTEER)
    if pressed is None:
        return
    project, parts, query = pressed
    data = context.bot_data
    content = data.content
    person_id = parts[0]
    async with data.session_factory() as session:
        views = await volunteers.available_with_mission(
            session, CO_ACCOMPANIMENT_MISSION, forms.today(context)
        )
    chosen = next((v for v in views if v.person.id == person_id), None)
    if chosen is None:
        await answer_query(query, content.render(texts.STALE_BUTTON))
        return
    name = display_name(data.config, chosen.person)
    assert update.effective_user is not None
    staff_name = data.config.member_name(update.effective_user.id) or ""
    queued: list[OutboxMessage] = []
    async with data.transaction() as session:
        fresh = await projects.get_project(session, project.id)
        assert fresh is not None
        running = await accompaniment.current(session, fresh.id)
        already = running is not None and running.volunteer_id == chosen.person.id
        attached = already or await accompaniment.attach_volunteer(
            session, fresh, chosen.person.id, user_info(update), data.clock.now()
        )
        if attached and not already:
            queued = queue_to(
                session,
                context,
                chosen.person,
                content.render(t.ACC_VOLUNTEER_TOLD, reference=project.reference, staff=staff_name),
            )
    if not attached:
        await answer_query(query, content.render(t.ACC_NOT_RUNNING, reference=project.reference))
        return
    done = content.render(t.ACC_ATTACHED, reference=project.reference, name=name)
    if already:  # a second press: say what was done, change nothing
        await answer_query(query, done)
        await set_markup(query, None)
        return
    kick(context, queued)
    await answer_query(query)
    await set_markup(query, None)
    await reply(update, done)


async def _form_project(update: Update, context: Context, draft: FormDraft) -> Project | None:
    return await project_checked(update, context, buttons.ACCOMPANIMENT, draft.target_id)


async def _complete_start(
    update: Update, context: Context, draft: FormDraft, answers: dict[str, Any]
) -> None:
    project = await _form_project(update, context, draft)
    if project is None:
        return
    data = context.bot_data
    content = data.content
    started_on = date.fromisoformat(answers["started_on"])
    async with data.transaction() as session:
        fresh = await projects.get_project(session, project.id)
        assert fresh is not None
        started = await accompaniment.start(
            session, fresh, user_info(update), started_on, data.clock.now(), tz=data.config.tz
        )
        contact = await recorded.first_contact(session, fresh) or fresh.submitted_at
    if started is None:
        await reply(update, content.render(t.ACC_NOT_CLAIMED, reference=project.reference))
        return
    started_text = content.render(
        t.ACC_STARTED, reference=project.reference, date=fr_day(started_on)
    )
    if contact is not None and started_on < contact.astimezone(data.config.tz).date():
        warning = content.render(
            week.ACC_START_BEFORE_CONTACT, contact=fr_day(contact.astimezone(data.config.tz).date())
        )
        started_text = Html(f"{started_text}\n{warning}")
    await reply(update, started_text)
    assert update.effective_user is not None
    name = data.config.member_name(update.effective_user.id) or ""
    await _refresh_cards(context, fresh, content.render(t.ACC_CARD_STARTED, name=name))
    text, markup = await menu(context, fresh)
    await reply(update, text, markup)


async def _complete_milestone(
    update: Update, context: Context, draft: FormDraft, answers: dict[str, Any]
) -> int | None:
    project = await _form_project(update, context, draft)
    if project is None:
        return None
    data = context.bot_data
    content = data.content
    if project.status not in ACTIVE:
        await reply(update, content.render(t.ACC_NOT_RUNNING, reference=project.reference))
        return None
    reopened = await _date_refused(update, context, draft, project, "on")
    if reopened is not None:
        return reopened
    async with data.transaction() as session:
        fresh = await projects.get_project(session, project.id)
        assert fresh is not None
        await accompaniment.record_milestone(
            session, fresh, answers, user_info(update), data.clock.now(), tz=data.config.tz
        )
    await reply(
        update,
        content.render(
            t.ACC_MILESTONE_SAVED,
            reference=project.reference,
            milestone=content.label("milestones", answers["milestone"]),
            date=fr_day(date.fromisoformat(answers["on"])),
        ),
        back_markup(content, fresh, in_place=False),
    )
    return None


async def _complete_end(
    update: Update, context: Context, draft: FormDraft, answers: dict[str, Any]
) -> int | None:
    project = await _form_project(update, context, draft)
    if project is None:
        return None
    data = context.bot_data
    content = data.content
    reopened = await _date_refused(update, context, draft, project, "ended_on")
    if reopened is not None:
        return reopened
    async with data.transaction() as session:
        fresh = await projects.get_project(session, project.id)
        assert fresh is not None
        scheduled = await accompaniment.end(
            session, data.config, fresh, answers, user_info(update), data.clock.now()
        )
        assignees = await projects.people_by_id(
            session, {r.assignee_id for r in scheduled or [] if r.assignee_id}
        )
        queued = (
            queue_to(
                session,
                context,
                await projects.holder_of(session, fresh),
                content.render(t.ACC_HOLDER_ENDED, reference=project.reference),
            )
            if scheduled is not None
            else []
        )
    if scheduled is None:
        await reply(update, content.render(t.ACC_NOT_RUNNING, reference=project.reference))
        return None
    outcome = content.label("outcomes", answers["outcome"])
    lines = [
        content.render(
            t.ACC_REVIEW_LINE,
            number=review.number,
            date=fr_date(review.due_at, data.config.tz),
            assignee=display_name(data.config, assignees.get(review.assignee_id or 0)),
        )
        for review in scheduled
    ]
    await reply(
        update,
        content.render(
            t.ACC_ENDED,
            reference=project.reference,
            outcome=outcome,
            reviews=Html("\n".join(lines)),
        ),
    )
    assert update.effective_user is not None
    name = data.config.member_name(update.effective_user.id) or ""
    kick(context, queued)
    await _refresh_cards(
        context, fresh, content.render(t.ACC_CARD_ENDED, name=name, outcome=outcome)
    )
    return None


async def _date_refused(
    update: Update, context: Context, draft: FormDraft, project: Project, question: str
) -> int | None:
    """An end or a step dated before the accompaniment's start is refused, nothing stored: the
    date is asked again, the other answers kept (the form's state returned); else None."""
    data = context.bot_data
    day = date.fromisoformat(str(draft.answers[question]))
    async with data.session_factory() as session:
        started_on = await accompaniment.starts_after(session, project.id, day)
    if started_on is None:
        return None
    text = data.content.render(
        week.ACC_BEFORE_START, date=fr_day(day), started_on=fr_day(started_on)
    )
    await reply(update, text)
    kept = {k: v for k, v in draft.answers.items() if k != question}
    return await forms.begin(update, context, draft.kind, project.id, kept)


async def on_fix(update: Update, context: Context) -> int | None:
    """'Corriger la date de début / de fin': the right date is asked."""
    if await repeated_press(update, context):
        return None  # the form's question is already asked
    pressed = await _pressed(update, context, buttons.ACC_FIX)
    if pressed is None:
        return forms.END
    project, (field,), query = pressed
    if field == "steps":
        await answer_query(query)
        await _step_menu(update, context, project)
        return forms.END  # a list of buttons, no form yet
    state = await forms.begin(update, context, f"acc_fix_{field}", project.id)
    await answer_query(query)
    return state


async def _step_menu(update: Update, context: Context, project: Project) -> None:
    """The dossier's recorded steps, one button each (its label and its date)."""
    content = context.bot_data.content
    async with context.bot_data.session_factory() as session:
        recorded_steps = await accompaniment.steps(session, project.id)
    rows = [
        [
            (
                content.render(
                    week.ACC_STEP_BUTTON,
                    milestone=content.label("milestones", str(item.data["milestone"])),
                    date=fr_day(date.fromisoformat(str(item.data["on"]))),
                ),
                buttons.ACC_FIX_STEP.pack(project.id, item.id),
            )
        ]
        for item in recorded_steps[-30:]
    ]
    await reply(
        update, content.render(week.ACC_CHOOSE_STEP, reference=project.reference), keyboard(rows)
    )


async def on_fix_step(update: Update, context: Context) -> int | None:
    """A recorded step chosen: its right date is asked."""
    if await repeated_press(update, context):
        return None  # the form's question is already asked
    pressed = await _pressed(update, context, buttons.ACC_FIX_STEP)
    if pressed is None:
        return forms.END
    project, (step_id,), query = pressed
    async with context.bot_data.session_factory() as session:
        found = await accompaniment.step(session, project.id, int(step_id))
    if found is None:
        await answer_query(query, context.bot_data.content.render(texts.STALE_BUTTON))
        return forms.END
    state = await forms.begin(update, context, "acc_fix_step", project.id, {"step": found.id})
    await answer_query(query)
    return state


async def _complete_fix_step(
    update: Update, context: Context, draft: FormDraft, answers: dict[str, Any]
) -> int | None:
    """A step's corrected date: stored if inside the accompaniment, else refused and asked
    again."""
    project = await _form_project(update, context, draft)
    if project is None:
        return None
    data = context.bot_data
    content = data.content
    day = date.fromisoformat(str(answers["on"]))
    step_id = int(answers["step"])
    async with data.transaction() as session:
        fresh = await projects.get_project(session, project.id)
        assert fresh is not None
        found = await accompaniment.step(session, project.id, step_id)
        was = date.fromisoformat(str(found.data["on"])) if found is not None else None
        milestone = content.label("milestones", str(found.data["milestone"])) if found else ""
        refused = await accompaniment.correct_step(
            session, data.config, fresh, step_id, day, user_info(update), data.clock.now()
        )
    if was is None:  # the step is gone (its dossier's data erased meanwhile)
        await reply(update, content.render(texts.STALE_BUTTON))
        return None
    if refused is not None:
        await reply(update, content.render(week.ACC_FIX_REFUSED[refused], date=fr_day(day)))
        return await forms.begin(update, context, draft.kind, project.id, {"step": step_id})
    fixed = content.render(
        week.ACC_STEP_FIXED,
        milestone=milestone,
        reference=project.reference or "",
        was=fr_day(was),
        to=fr_day(day),
    )
    await reply(update, fixed)
    text, markup = await menu(context, fresh)
    await reply(update, text, markup)
    return None


async def _complete_fix(
    update: Update, context: Context, draft: FormDraft, answers: dict[str, Any]
) -> int | None:
    """A corrected date: stored if it fits the accompaniment's other dates, else refused and
    asked again."""
    project = await _form_project(update, context, draft)
    if project is None:
        return None
    data = context.bot_data
    content = data.content
    field = "start" if draft.kind == "acc_fix_start" else "end"
    day = date.fromisoformat(str(answers["started_on" if field == "start" else "ended_on"]))
    async with data.transaction() as session:
        fresh = await projects.get_project(session, project.id)
        assert fresh is not None
        before = await accompaniment.latest(session, project.id)
        was = (before.started_on if field == "start" else before.ended_on) if before else None
        refused = await accompaniment.correct(
            session, data.config, fresh, field, day, user_info(update), data.clock.now()
        )
        planned = await reviews.open_reviews_of_project(session, project.id)
        assignees = await projects.people_by_id(
            session, {r.assignee_id for r in planned if r.assignee_id}
        )
    if refused is not None or was is None:
        reason = week.ACC_FIX_REFUSED[refused or accompaniment.BEFORE_START]
        await reply(update, content.render(reason, date=fr_day(day)))
        if was is None:
            return None
        return await forms.begin(update, context, draft.kind, project.id)  # asked again
    lines = [
        content.render(
            week.ACC_FIXED,
            field=content.render(week.ACC_FIELD[field]),
            reference=project.reference or "",
            was=fr_day(was),
            to=fr_day(day),
        )
    ]
    if field == "end" and planned:
        lines.append(content.render(week.ACC_FIXED_REVIEWS))
        lines += [
            content.render(
                t.ACC_REVIEW_LINE,
                number=review.number,
                date=fr_date(review.due_at, data.config.tz),
                assignee=display_name(data.config, assignees.get(review.assignee_id or 0)),
            )
            for review in planned
        ]
    await reply(update, "\n".join(lines))
    text, markup = await menu(context, fresh)
    await reply(update, text, markup)
    return None


async def _refresh_cards(context: Context, project: Project, status_line: Html) -> None:
    await update_cards(context, project, status_line, project.status in ACTIVE)


def accompaniment_completers() -> dict[str, forms.Completer]:
    """What storing each accompaniment form does (wired by app.py)."""
    return {
        "acc_start": _complete_start,
        "acc_milestone": _complete_milestone,
        "acc_end": _complete_end,
        "acc_fix_start": _complete_fix,
        "acc_fix_end": _complete_fix,
        "acc_fix_step": _complete_fix_step,
    }


def accompaniment_handlers() -> list[Any]:
    """Accompaniment buttons that do not open a form."""
    return [
        button(buttons.ACCOMPANIMENT, on_menu),
        button(buttons.ACC_MILESTONES, on_milestone_menu),
        button(buttons.ACC_VOLUNTEERS, on_volunteer_menu),
        button(buttons.ACC_VOLUNTEER, on_volunteer),
    ]


def accompaniment_form_entries() -> list[Any]:
    """Accompaniment buttons that open a form: part of the forms conversation."""
    return [
        button(buttons.ACC_START, on_start),
        button(buttons.ACC_MILESTONE, on_milestone),
        button(buttons.ACC_END, on_end),
        button(buttons.ACC_FIX, on_fix),
        button(buttons.ACC_FIX_STEP, on_fix_step),
    ]
