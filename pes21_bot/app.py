"""The one place where the Application is assembled and every handler registered, in order."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PersistenceInput,
    filters,
)
from telegram.request import BaseRequest

from pes21_bot import texts
from pes21_bot.clock import Clock, SystemClock
from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.context import BotData, Context
from pes21_bot.db.persistence import SqlPersistence
from pes21_bot.db.session import SessionFactory
from pes21_bot.handlers import common, welcome
from pes21_bot.handlers.holder import holder_handlers
from pes21_bot.handlers.intake import build_intake_conversation
from pes21_bot.handlers.staff import staff_handlers
from pes21_bot.handlers.ui import answer_query

logger = logging.getLogger(__name__)


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
    clock: Clock | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    persistence_interval: float = 5.0,
) -> Application:
    """Build the bot: shared state, persistence, rate limiter and every handler."""
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
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_post_init)
    )
    if base_url:
        builder = builder.base_url(base_url)
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    application.bot_data.setup(config, content, session_factory, clock or SystemClock())

    private = filters.ChatType.PRIVATE
    handlers = [
        # In groups the bot only invites people to write privately; it stores nothing there.
        MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, common.group_message),
        # The intake comes before generic handlers: it owns free text while a draft is open.
        build_intake_conversation(),
        CommandHandler("start", welcome.start, filters=private),
        CallbackQueryHandler(welcome.on_menu, pattern=r"^m:"),
        CallbackQueryHandler(welcome.on_faq, pattern=r"^f:"),
        *staff_handlers(),
        *holder_handlers(),
        CommandHandler("aide", common.help_command, filters=private),
        # Last: whatever no handler above took.
        MessageHandler(private & filters.COMMAND, common.unknown_command),
        MessageHandler(private & ~filters.COMMAND, common.not_text),
        CallbackQueryHandler(_stale_button),
    ]
    application.add_handlers(handlers)
    application.add_error_handler(common.error_handler)
    return application


async def _post_init(application: Application) -> None:
    data: BotData = application.bot_data
    await common.register_commands(application.bot, data.config, data.content)
