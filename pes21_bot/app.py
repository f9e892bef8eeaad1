"""The one place where the Application is assembled and every handler registered, in order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    PersistenceInput,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from pes21_bot import access, alerts, buttons, texts, watchdog
from pes21_bot.clock import Clock, SystemClock
from pes21_bot.concurrency import Pace, PerChatUpdateProcessor
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
    fair,
    form_engine,
    forms,
    imports,
    intake,
    mission,
    recorded,
    relay,
    report_document,
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
    Flow,
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
from pes21_bot.reachability import ReachabilityRequest
from pes21_bot.services.people import Role
from pes21_bot.telegram_http import AiohttpRequest, retry_seconds
from pes21_bot.texts import week

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
    """PTB's AIORateLimiter (30 messages/s overall, 20/min per group), fairer under 429s.

    PTB's own retry makes every request wait after any 429; here only the chat that got it
    waits, and acknowledgements of button presses skip the limiter altogether (Telegram does
    not count them as messages, and a late one is refused). PTB reads ``rate_limit_args=0`` as
    "use the default", so a negative value asks for a single try that lets a 429 through: the
    reminder dispatcher then postpones the row in the database rather than holding every other
    send while it sleeps.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._paused_until: dict[object, float] = {}

    async def _chat_turn(self, chat_id: object) -> None:
        """Wait out the 429 this chat got (other chats go on)."""
        until = self._paused_until.get(chat_id)
        if until is None:
            return
        wait = until - asyncio.get_running_loop().time()
        if wait > 0:
            await asyncio.sleep(wait)
        elif self._paused_until.get(chat_id) == until:
            del self._paused_until[chat_id]

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Pace the request; retry a 429 for its own chat only (never with a negative arg)."""
        if endpoint == "answerCallbackQuery":
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        group: int | str | bool = False
        if (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str):
            group = chat_id
        tries = (
            1
            if rate_limit_args is not None and rate_limit_args < 0
            else 1 + (rate_limit_args or self._max_retries)
        )
        for attempt in range(tries):
            await self._chat_turn(chat_id)
            try:
                return await self._run_request(
                    chat=chat_id is not None,
                    group=group,
                    allow_paid_broadcast=bool(data.get("allow_paid_broadcast", False)),
                    callback=callback,
                    args=args,
                    kwargs=kwargs,
                )
            except RetryAfter as exc:
                if attempt == tries - 1:
                    raise
                wait = retry_seconds(exc) + 0.1
                logger.info("429 for one chat: its sends wait %.1f s", wait)
                self._paused_until[chat_id] = asyncio.get_running_loop().time() + wait
        raise AssertionError("unreachable")


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
    local_mode: bool = False,
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
    processor = PerChatUpdateProcessor(
        MAX_CONCURRENT_UPDATES,
        Pace(config.fairness.queued_per_chat, config.fairness.messages_per_minute),
    )
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
        .concurrent_updates(processor)
    )
    if rate_limiter:  # off only in benchmarks that measure the bot's own capacity
        builder = builder.rate_limiter(
            RateLimiter(overall_max_rate=OVERALL_RATE, max_retries=3)  # type: ignore[arg-type]
        )
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:  # where files people send are downloaded (/import), off Telegram
        builder = builder.base_file_url(base_file_url)
    if local_mode:  # a telegram-bot-api server run with --local: files are read from its disk
        builder = builder.local_mode(True)
    polling: BaseRequest = ReachabilityRequest(
        get_updates_request or AiohttpRequest(connection_pool_size=1), clock
    )
    if heartbeats is not None:
        polling = BeatingRequest(polling, lambda: heartbeats.beat(POLLING))
    builder = builder.request(request or AiohttpRequest()).get_updates_request(polling)
    application = builder.build()
    if heartbeats is not None:
        attach(application, heartbeats)
        # A start after the watchdog ended a stuck run tells the admins, once.
        assert application.job_queue is not None
        application.job_queue.run_once(watchdog.report_restart, 0, name="restart-report")
    application.bot_data.setup(config, content, session_factory, clock or SystemClock())
    processor.on_dropped = fair.dropped_notifier(application)
    # The team works fast on purpose (cards, panels): the per-person pace is for the public.
    processor.unpaced = lambda user_id: fair.is_team(application.bot_data.config, user_id)
    # Once stopping, updates still waiting for their turn are left: SIGTERM ends in seconds.
    processor.accepting = lambda: application.running

    private = filters.ChatType.PRIVATE
    flows = _form_flows()
    handlers = [
        # An edited message is never a new message: it corrects a form's answer or a message
        # passed on to the team, or is left alone (first, so that no other handler takes it).
        MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, _edited(flows)),
        # In groups the bot only invites people to write privately; it stores nothing there.
        MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, common.group_message),
        # An admin's file is an /import upload, even while a form is open (handlers/imports.py).
        *imports.document_handlers(
            lambda user_id: access.staff_may(
                access.COMMANDS["import"], application.bot_data.config, user_id, None
            )
        ),
        # Every form (short forms first, then the intake) owns free text while one is open.
        _forms_conversation(flows),
        command("start", _start),
        button(buttons.MENU, welcome.on_menu),
        button(buttons.FAQ, welcome.on_faq),
        *staff_handlers(),
        *dossier.dossier_handlers(),
        *team_start.team_menu_handlers(
            {
                "dossiers": dossier.my_projects,
                "cherche": dossier.search_command,
                "mes_bilans": reviews.my_reviews,
                "profil": volunteers.profile,
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
        *report_document.report_document_handlers(),
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
    # Before everything: strangers' groups (issue 18) get little of the bot's time.
    application.add_handler(
        MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, fair.strangers_gate), group=-3
    )
    application.add_handler(
        ChatMemberHandler(fair.bot_membership, ChatMemberHandler.MY_CHAT_MEMBER), group=-3
    )
    for handler, group in activity_handlers():
        application.add_handler(handler, group)
    application.add_error_handler(common.error_handler)
    schedule_jobs(application)
    retention_job.use_senders(application, retention_job.Senders(announce_erasure, send_notice))
    schedule_backup(application)
    return application


async def _start(update: Update, context: Context) -> None:
    """/start: the own menu of staff, coordinators, admins and volunteers, else the welcome."""
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
    if await intake.typed_consent(update, context):
        return
    message = update.effective_message
    if message is not None and message.text is None:
        await common.not_text(update, context)
        return
    assert update.effective_user is not None
    roles = await user_roles(context, update.effective_user.id)
    if team_start.is_team(roles):  # their own menu, never the holder's
        hint = context.bot_data.content.render(week.TEAM_NUDGE)
        await team_start.team_start(update, context, roles, hint)
    else:
        await welcome.nudge(update, context)


def _edited(flows: list[Flow]) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """The handler of edited messages in private chats."""

    async def edited(update: Update, context: Context) -> None:
        if await form_engine.edited_answer(update, context, flows):
            return
        await relay.edited_message(update, context)  # else an edit changes nothing

    return edited


def _form_flows() -> list[Flow]:
    """Every form kind, in priority order: short forms, recorded dossiers, then the intake."""
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
    return [short_forms, recorded.FLOW, intake.FLOW]


def _forms_conversation(flows: list[Flow]) -> Any:
    """The one conversation of every form, with each form kind's hooks and openers."""
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
    return build_form_conversation(flows, composition)


async def _post_init(application: Application) -> None:
    data: BotData = application.bot_data
    alerts.install(application)
    await refresh_team(data)  # config.yaml merged with the team changed by chat
    await agenda.seed_agenda(data)  # contenus/agenda.yaml, imported once per entry
    await common.register_commands(application.bot, data.config, data.content)
