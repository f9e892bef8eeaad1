"""/import (admins): the template, the file sent back, its dry run, then the import itself.

The file is read in a worker thread; the dry run keeps only the file's Telegram id (in the
admin's user data), and "Importer" downloads, reads and plans it again: what is written is
what the database holds at that moment, and a restart in between loses nothing. The import
runs in the background (the admin's chat stays free), reading the file batch by batch; its
progress message carries "Arrêter l'import", and the bot stopping ends it the same way, after
a whole batch: sending the file again finishes the job.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, MessageHandler, filters

from pes21_bot import buttons
from pes21_bot.buttons import MAX_ID
from pes21_bot.context import BotData, Context
from pes21_bot.db.session import READER_SWITCH_INTERVAL
from pes21_bot.domain.imports import ParsedRow, Sheet
from pes21_bot.handlers.access import button, command
from pes21_bot.handlers.ui import (
    answer_query,
    edit_elsewhere,
    edit_or_send,
    reply,
    set_markup,
    user_info,
)
from pes21_bot.messages import imports as m
from pes21_bot.services import imports
from pes21_bot.services.imports import FileUnreadable, ImportLabels, ParsedFile, Plan, Writer
from pes21_bot.services.people import ensure_person
from pes21_bot.services.uploads import UploadRefused, check_declared_size, received
from pes21_bot.texts import import_limits as tl
from pes21_bot.texts import imports as t

logger = logging.getLogger(__name__)

PENDING = "import"  # the user-data entry of the dry run waiting for "Importer"
# The progress message is edited every this many rows (reading, then writing).
PROGRESS_EVERY = 5000
# One import at a time: two would only wait for each other's batches.
_running = asyncio.Lock()
# The running import's stop request, by the token of its dry run.
_stops: dict[int, asyncio.Event] = {}


def _labels(data: BotData) -> ImportLabels:
    return imports.labels_of(data.content, data.config)


async def import_command(update: Update, context: Context) -> None:
    """/import: send the template and say what to do with it."""
    data = context.bot_data
    content = data.content
    labels = _labels(data)
    header = [
        content.render(k) for k in (t.NOTES_SHEET_COLUMN, t.NOTES_COLUMN, t.NOTES_EXPLANATION)
    ]
    workbook = await asyncio.to_thread(
        imports.template_workbook, labels, content.render(t.NOTES_SHEET), header
    )
    chat = update.effective_chat
    assert chat is not None
    await chat.send_document(
        workbook,
        filename=content.render(t.TEMPLATE_NAME),
        caption=content.render(t.TEMPLATE, limit=m.size_limit()),
        parse_mode="HTML",
    )


def _read_upload(
    raw: bytes,
    labels: ImportLabels,
    today: date,
    progress: Callable[[int], None],
    limits: imports.Limits,
) -> ParsedFile:
    with received(raw) as upload:
        return imports.read_file(upload.path, upload.kind, labels, today, progress, limits)


async def _edit(
    context: Context, message: Message | None, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    if message is not None:
        await edit_elsewhere(context, message.chat_id, message.message_id, text, markup)


async def _download(context: Context, file_id: str, size: int | None) -> bytes:
    check_declared_size(size)
    file = await context.bot.get_file(file_id)
    return bytes(await file.download_as_bytearray())


async def _planned(
    update: Update, context: Context, file_id: str, size: int | None, status: Message | None
) -> tuple[Plan, bytes] | None:
    """Download, read and plan the file (and its bytes); None once a refusal was shown."""
    data = context.bot_data
    labels = _labels(data)
    content = data.content
    try:
        raw = await _download(context, file_id, size)
    except UploadRefused as problem:
        await reply(update, m.refused(content, labels, problem))
        return None
    except TelegramError as exc:
        logger.info("import file not downloaded: %s", exc)
        await reply(update, content.render(t.DOWNLOAD_FAILED))
        return None
    loop = asyncio.get_running_loop()

    def progress(count: int) -> None:  # called in the reading thread
        if count % PROGRESS_EVERY == 0:
            text = content.render(t.READ_PROGRESS, count=count)
            asyncio.run_coroutine_threadsafe(_edit(context, status, text), loop)

    today = data.clock.now().astimezone(data.config.tz).date()
    # As for exports (db/session.py read_apart): a short switch interval keeps the bot's
    # thread answering while the reading thread parses.
    if sys.getswitchinterval() > READER_SWITCH_INTERVAL:
        sys.setswitchinterval(READER_SWITCH_INTERVAL)
    try:
        parsed = await asyncio.to_thread(
            _read_upload, raw, labels, today, progress, imports.limits_of(data.config)
        )
    except (UploadRefused, FileUnreadable) as problem:
        await reply(update, m.refused(content, labels, problem))
        return None
    async with data.session_factory() as session:
        return await imports.plan(session, parsed), raw


async def on_document(update: Update, context: Context) -> None:
    """A file from an admin: read it and show the dry run (nothing is written yet)."""
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    data = context.bot_data
    content = data.content
    status = await reply(update, content.render(t.READING))
    planned = await _planned(update, context, document.file_id, document.file_size, status)
    if planned is None:
        return
    plan = planned[0]
    text = m.dry_run(content, _labels(data), plan)
    if plan.error_count or plan.new_count == 0:
        await reply(update, text)
        return
    token = secrets.randbelow(MAX_ID) + 1
    assert context.user_data is not None
    context.user_data[PENDING] = {
        "token": token,
        "file_id": document.file_id,
        "size": document.file_size,
    }
    await reply(update, text, m.confirm_keyboard(content, token))


async def on_button(update: Update, context: Context) -> None:
    """ "Importer": read the file again and write it by batches, in the background (the admin
    may go on, and stop it); "Annuler": forget it; "Arrêter l'import": stop the running one."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    data = context.bot_data
    content = data.content
    parsed = buttons.IMPORT.parse(query.data)
    if parsed is not None and parsed.action == "stop":
        await _stop(update, context, parsed.target)
        return
    pending: dict[str, Any] | None = context.user_data.get(PENDING)
    if parsed is None or pending is None or pending.get("token") != parsed.target:
        await answer_query(query)
        await edit_or_send(query, content.render(t.EXPIRED))
        return
    if parsed.action == "cancel":
        context.user_data.pop(PENDING, None)
        await answer_query(query)
        await edit_or_send(query, content.render(t.CANCELLED))
        return
    if _running.locked():
        await answer_query(query, content.render(t.BUSY))
        return
    await _running.acquire()  # not locked: taken at once, before anything else runs
    context.user_data.pop(PENDING, None)  # one press imports once
    token = parsed.target
    stop = _stops[token] = asyncio.Event()

    async def run() -> None:
        try:
            await _import(update, context, pending, token, stop)
        finally:
            _stops.pop(token, None)
            _running.release()

    context.application.create_task(run(), update=update, name="import")
    await answer_query(query)
    await set_markup(query, None)


async def _stop(update: Update, context: Context, token: int) -> None:
    """The running import's "Arrêter l'import": it stops after the batch being written."""
    query = update.callback_query
    assert query is not None
    content = context.bot_data.content
    stop = _stops.get(token)
    if stop is None:
        await answer_query(query, content.render(tl.NOT_RUNNING))
        await set_markup(query, None)
        return
    stop.set()
    await answer_query(query, content.render(tl.STOPPING))


async def _import(
    update: Update,
    context: Context,
    pending: dict[str, Any],
    token: int,
    stop: asyncio.Event,
) -> None:
    data = context.bot_data
    content = data.content
    status = await reply(update, content.render(t.READING))
    planned = await _planned(update, context, pending["file_id"], pending.get("size"), status)
    if planned is None:
        return
    plan, raw = planned
    del planned  # the bytes go once written to the temporary folder
    if plan.error_count or plan.new_count == 0:  # the database changed since the dry run
        await reply(update, m.dry_run(content, _labels(data), plan))
        return
    now = data.clock.now()
    async with data.transaction() as session:
        actor_id = (await ensure_person(session, user_info(update), now)).id
    stop_button = m.stop_keyboard(content, token)
    await _edit(context, status, m.progress(content, 0, plan.new_count), stop_button)
    shown = 0

    async def progress(done: int, total: int) -> None:
        nonlocal shown
        if done - shown >= PROGRESS_EVERY or done == total:
            shown = done
            await _edit(context, status, m.progress(content, done, total), stop_button)

    def stopping() -> bool:
        # The button, or the bot shutting down (SIGTERM): stop at a batch's end.
        return stop.is_set() or not context.application.running

    writer = Writer(data.config, actor_id, now)
    today = now.astimezone(data.config.tz).date()
    with ExitStack() as files:
        upload = await asyncio.to_thread(files.enter_context, received(raw))
        del raw  # read from disk from now on
        rows = imports.batches(
            upload.path,
            upload.kind,
            _labels(data),
            today,
            imports.limits_of(data.config),
            imports.BATCH_ROWS,
        )
        files.callback(rows.close)

        async def next_batch() -> tuple[Sheet, list[ParsedRow]] | None:
            return await asyncio.to_thread(next, rows, None)

        try:
            created = await imports.apply(
                data.session_factory, writer, plan.new_count, next_batch, progress, stopping
            )
        except imports.ImportCancelled as cancelled:
            logger.info("import stopped after %s rows", cancelled.created)
            await _edit(context, status, m.progress(content, cancelled.created, plan.new_count))
            key = tl.STOPPED if stop.is_set() else tl.INTERRUPTED
            await reply(update, content.render(key, created=cancelled.created))
            return
        except imports.ImportStopped as stopped:
            logger.exception("import stopped")
            await _edit(context, status, m.progress(content, stopped.created, plan.new_count))
            await reply(update, content.render(t.FAILED, created=stopped.created))
            return
    await _edit(context, status, m.progress(content, created, plan.new_count))
    await reply(update, content.render(t.DONE, created=created))


def import_handlers() -> list[Any]:
    """/import and its buttons (the access table says: admins only)."""
    return [command("import", import_command), button(buttons.IMPORT, on_button)]


def document_handlers(may_import: Callable[[int], bool]) -> list[BaseHandler[Any, Any, Any]]:
    """A file from someone the role table lets /import, before the forms (which would answer
    "text only"); others' go on."""

    class _FromAdmin(filters.MessageFilter):
        def filter(self, message: Message) -> bool:
            return message.from_user is not None and may_import(message.from_user.id)

    admin_document = filters.ChatType.PRIVATE & filters.Document.ALL & _FromAdmin()
    return [MessageHandler(admin_document, on_document)]
