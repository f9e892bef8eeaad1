"""The one place where the Application is assembled and every handler registered, in order."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    PersistenceInput,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from pes21_bot import access, alerts, buttons, texts
from pes21_bot.clock import Clock, SystemClock
from pes21_bot.concurrency import PerChatUpdateProcessor
from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.context import BotData, Context
from pes21_bot.db.persistence import SqlPersistence
from pes21_bot.db.session import SessionFactory
from pes21_bot.handlers import (
    accompaniment,
    agenda,
    common,
    dossier,
    forms,
    imports,
    intake,
    mission,
    recorded,
    relay,
    reviews,
    satisfaction,
    team_start,
    volunteers,
    welcome,
)
from pes21_bot.handlers.access import button, command, user_roles
from pes21_bot.handlers.activity import activity_handlers
from pes21_bot.handlers.backup import backup_handlers
from pes21_bot.handlers.figures import figure_handlers, stats_command
from pes21_bot.handlers.form_engine import (
    CONFIRM_CANCEL,
    END,
    Composition,
    build_form_conversation,
)
from pes21_bot.handlers.holder import holder_completers, holder_form_entries, holder_handlers
from pes21_bot.handlers.staff import staff_handlers
from pes21_bot.handlers.team import join_team, refresh_team, staff_invitation, team_handlers
from pes21_bot.handlers.ui import answer_query, kick, send_notice
from pes21_bot.heartbeat import POLLING, BeatingRequest, Heartbeats, attach
from pes21_bot.jobs import retention as retention_job
from pes21_bot.jobs import schedule_jobs
from pes21_bot.jobs.backup import schedule_backup
from pes21_bot.messages.delivery import missed_cards
from pes21_bot.messages.erasure import announce_erasure
from pes21_bot.services.people import Role
from pes21_bot.telegram_http import AiohttpRequest

logger = logging.getLogger(__name__)

# Enough to overlap many people's database and Telegram waits; one chat stays sequential.
# Updates waiting for SQLite's write lock (held by another process) keep their place: with
# too few places, people who only read would wait behind them (bench/isolation.py).
MAX_CONCURRENT_UPDATES = 64


# Telegram allows about 30 messages/s overall; pacing just under it leaves room for the jitter
# between our clock and Telegram's, so bulk sends (reminders) get no 429 at all.
OVERALL_RATE = 29

# A form left open this long is closed (it stays resumable from its database draft).
FORM_TIMEOUT = timedelta(hours=12)


class RateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (30 messages/s overall, 20/min per group), plus a no-retry mode.

    PTB reads ``rate_limit_args=0`` as "use the default", so a negative value asks for a single
    try that lets a 429 through: the reminder dispatcher then postpones the row in the database
    rather than holding every other send while it sleeps.
    """

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Pace the request; with a negative rate_limit_args, do not retry on RetryAfter."""
        if rate_limit_args is None or rate_limit_args >= 0:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        chat_id = data.get("chat_id")
        group = chat_id if isinstance(chat_id, int) and chat_id < 0 else False
        return await self._run_request(
            chat=chat_id is not None,
            group=group,
            allow_paid_broadcast=bool(data.get("allow_paid_broadcast", False)),
            callback=callback,
            args=args,
            kwargs=kwargs,
        )


async def _stale_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    logger.info("unhandled button %r", (query.data or "")[:64])
    await answer_query(query, context.bot_data.content.render(texts.STALE_BUTTON))


def build_application(
    config: Config,
    content: Content,
    session_factory: SessionFactory,
    *,
    token: str,
    base_url: str | None = None,
    base_file_url: str | None = None,
    clock: Clock | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    persistence_interval: float = 5.0,
    rate_limiter: bool = True,
    heartbeats: Heartbeats | None = None,
) -> Application:
    """Build the bot: shared state, persistence, rate limiter and every handler.

    With `heartbeats` (the real bot), every getUpdates round and reminder tick is stamped for
    the container's health check.
    """
    builder = (
        ApplicationBuilder()
        .token(token)
        .context_types(ContextTypes(bot_data=BotData))
        .persistence(
            SqlPersistence(
                session_factory,
                store_data=PersistenceInput(bot_data=False, callback_data=False),
                update_interval=persistence_interval,
            )
        )
        .post_init(_post_init)
        .concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES))
    )
    if rate_limiter:  # off only in benchmarks that measure the bot's own capacity
        builder = builder.rate_limiter(
            RateLimiter(overall_max_rate=OVERALL_RATE, max_retries=3)  # type: ignore[arg-type]
        )
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:  # where files people send are downloaded (/import), off Telegram
        builder = builder.base_file_url(base_file_url)
    polling: BaseRequest = get_updates_request or AiohttpRequest(connection_pool_size=1)
    if heartbeats is not None:
        polling = BeatingRequest(polling, lambda: heartbeats.beat(POLLING))
    builder = builder.request(request or AiohttpRequest()).get_updates_request(polling)
    application = builder.build()
    if heartbeats is not None:
        attach(application, heartbeats)
    application.bot_data.setup(config, content, session_factory, clock or SystemClock())

    private = filters.ChatType.PRIVATE
    handlers = [
        # In groups the bot only invites people to write privately; it stores nothing there.
        MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, common.group_message),
        # An admin's file is an /import upload, even while a form is open (handlers/imports.py).
        *imports.document_handlers(
            lambda user_id: access.staff_may(
                access.COMMANDS["import"], application.bot_data.config, user_id, None
            )
        ),
        # Every form (short forms first, then the intake) owns free text while one is open.
        _forms_conversation(),
        command("start", _start),
        button(buttons.MENU, welcome.on_menu),
        button(buttons.FAQ, welcome.on_faq),
        *staff_handlers(),
        *dossier.dossier_handlers(),
        *team_start.team_menu_handlers(
            {
                "dossiers": dossier.my_projects,
                "stats": stats_command,
                "aide": common.help_command,
            }
        ),
        *accompaniment.accompaniment_handlers(),
        *mission.mission_handlers(),
        *volunteers.volunteer_handlers(staff_invitation),
        *reviews.review_handlers(),
        *holder_handlers(),
        # Issue 10: answers in the team groups and the relay's buttons (handlers/relay.py); a
        # holder's message with no form open is relayed from _idle_message.
        *relay.relay_handlers(),
        *figure_handlers(),
        *backup_handlers(),
        *team_handlers(),
        # The agenda (issue 11): /agenda, registrations, /presences; /atelier and the walk-ins
        # form open in the forms conversation (agenda_form_entries, agenda_completers).
        *agenda.agenda_handlers(),
        *recorded.recorded_handlers(),
        *imports.import_handlers(),
        command("aide", common.help_command),
        # Last: whatever no handler above took.
        MessageHandler(private & filters.COMMAND, common.unknown_command),
        MessageHandler(private & ~filters.COMMAND, common.not_text),
        CallbackQueryHandler(_stale_button),
    ]
    application.add_handlers(handlers)
    # Groups run in order and one handler at most per group: the chat gate first (it may stop
    # the update), then the activity note, the handlers above (group 0), the activity store.
    application.add_handler(TypeHandler(Update, common.button_chat_gate), group=-2)
    for handler, group in activity_handlers():
        application.add_handler(handler, group)
    application.add_error_handler(common.error_handler)
    schedule_jobs(application)
    retention_job.use_senders(application, retention_job.Senders(announce_erasure, send_notice))
    schedule_backup(application)
    return application


async def _start(update: Update, context: Context) -> None:
    """/start: the team's own menu for staff, coordinators and admins, else the welcome."""
    assert update.effective_user is not None
    code = recorded.start_link_code(context.args)
    if code is not None:  # t.me/<bot>?start=lier-CODE: a dossier recorded by staff
        await recorded.link(update, context, code)
        return
    roles = await user_roles(context, update.effective_user.id)
    if team_start.is_team(roles):
        # Cards that could not reach this person before they opened the bot, then the menu.
        missed = (
            await missed_cards(context, update.effective_user.id) if Role.STAFF in roles else []
        )
        # Not a holder's first contact: nothing is counted.
        await team_start.team_start(update, context, roles)
        kick(context, missed)
    else:
        await welcome.start(update, context)


async def _restart_from_form(update: Update, context: Context) -> int:
    """/start inside a form: the welcome (which offers to resume), drafts kept, state reset."""
    await _start(update, context)
    return END


async def _idle_message(update: Update, context: Context) -> None:
    """A message while no form is open: the menu again (or the 'text only' notice)."""
    if await relay.private_message(update, context):
        return
    message = update.effective_message
    if message is not None and message.text is None:
        await common.not_text(update, context)
    else:
        await welcome.nudge(update, context)


def _forms_conversation() -> Any:
    """The one conversation of every form, with each form kind's hooks and openers."""
    short_forms = forms.short_form_flow(
        {
            **reviews.review_completers(),
            **accompaniment.accompaniment_completers(),
            **volunteers.volunteer_completers(),
            **holder_completers(),
            **agenda.agenda_completers(),
            **mission.mission_completers(),
            **satisfaction.survey_completers(),
        }
    )
    composition = Composition(
        entry_points=[
            *reviews.review_form_entries(),
            *volunteers.volunteer_form_entries(join_team),
            *accompaniment.accompaniment_form_entries(),
            *holder_form_entries(),
            *agenda.agenda_form_entries(),
            *mission.mission_form_entries(),
            *satisfaction.survey_form_entries(),
            *recorded.recorded_form_entries(),
            *intake.intake_entry_points(),
        ],
        extra_states={CONFIRM_CANCEL: intake.confirm_cancel_handlers()},
        on_start=_restart_from_form,
        no_draft_text=_idle_message,
        no_draft_command=intake.no_draft,
    )
    return build_form_conversation([short_forms, recorded.FLOW, intake.FLOW], composition)


async def _post_init(application: Application) -> None:
    data: BotData = application.bot_data
    alerts.install(application)
    await refresh_team(data)  # config.yaml merged with the team changed by chat
    await agenda.seed_agenda(data)  # contenus/agenda.yaml, imported once per entry
    await common.register_commands(application.bot, data.config, data.content)
