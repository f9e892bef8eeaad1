"""A tiny PTB bot used by the end-to-end tests (importable, or run as a separate process)."""

from __future__ import annotations

import asyncio
import sys

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Oui", callback_data="yes"),
                InlineKeyboardButton("Non", callback_data="no"),
            ]
        ]
    )
    args = " ".join(context.args or [])
    await update.effective_message.reply_text(
        f"<b>Bienvenue</b> ({args or 'direct'})", parse_mode="HTML", reply_markup=keyboard
    )


async def _report(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_document(
        InputFile(b"nom;montant\nA;12\n", filename="rapport.csv"), caption="Rapport"
    )


async def _echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(f"Écho : {update.effective_message.text}")


async def _button(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Noté")
    await query.edit_message_text(f"Choix : {query.data}")


def build_application(builder: ApplicationBuilder) -> Application:
    """Add the handlers of the test bot to an application built from ``builder``."""
    application = builder.build()
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CommandHandler("rapport", _report))
    application.add_handler(CallbackQueryHandler(_button))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    return application


async def _main(token: str, base_url: str) -> None:
    application = build_application(ApplicationBuilder().token(token).base_url(base_url))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=10)
        await asyncio.Event().wait()  # run until the parent terminates us


if __name__ == "__main__":
    asyncio.run(_main(sys.argv[1], sys.argv[2]))
