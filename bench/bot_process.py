"""A bot process for the benchmarks: the PES 21 bot or a bare echo bot, polling a fake API.

python -m bench.bot_process pes21 http://127.0.0.1:PORT/bot sqlite+aiosqlite:///bench.db
python -m bench.bot_process echo http://127.0.0.1:PORT/bot
"""

from __future__ import annotations

import asyncio
import cProfile
import logging
import os
import sys
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CallbackContext, MessageHandler, filters

from bench.common import BOT_TOKEN
from pes21_bot.app import build_application
from pes21_bot.db.migrate import upgrade_to_head
from pes21_bot.db.session import make_engine, make_session_factory
from pes21_bot.runner import CONTENT_DIR, ROOT, load_all, use_uvloop

TOKEN = BOT_TOKEN
# Set (to anything) to run the bot without its scheduled jobs: on a database seeded with a
# backlog of unclaimed projects they would re-announce thousands, not what is measured.
NO_JOBS = "PES21_BENCH_NO_JOBS"
# Set to pace sends as in production (Telegram's limits are then on in the fake too).
PACED = "PES21_BENCH_PACED"


async def _echo(update: Update, _context: CallbackContext[Any, Any, Any, Any]) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "")


def build(kind: str, base_url: str, database_url: str | None) -> Application:
    """The application to benchmark."""
    if kind == "echo":
        app = ApplicationBuilder().token(TOKEN).base_url(base_url).build()
        app.add_handler(MessageHandler(filters.TEXT, _echo))
        return app
    assert database_url is not None
    config, content = load_all(ROOT / "config.yaml", CONTENT_DIR)
    upgrade_to_head(database_url)
    app = build_application(
        config,
        content,
        make_session_factory(make_engine(database_url)),
        token=TOKEN,
        base_url=base_url,
        # The fake serves files under /file/bot<token>/ next to its /bot<token>/ methods.
        base_file_url=base_url.removesuffix("/bot") + "/file/bot",
        # Measures the bot's own capacity: Telegram's caps are switched off on the fake too
        # (unless the benchmark measures the bot under Telegram's limits: bench/flood.py).
        rate_limiter=bool(os.environ.get(PACED)),
    )
    if os.environ.get(NO_JOBS) and app.job_queue is not None:
        for job in app.job_queue.jobs():
            job.schedule_removal()
    return app


async def spawn_pes21(
    base_url: str, database_url: str, *, paced: bool = False, jobs: bool = False
) -> asyncio.subprocess.Process:
    """The PES 21 bot in a process of its own, polling the fake (scheduled jobs only if asked)."""
    env = {**os.environ}
    if not jobs:
        env[NO_JOBS] = "1"
    if paced:
        env[PACED] = "1"
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.bot_process",
        "pes21",
        base_url,
        database_url,
        cwd=str(ROOT),
        env=env,
    )


def main() -> None:
    """Run until SIGTERM."""
    logging.basicConfig(level=logging.WARNING)
    kind, base_url = sys.argv[1], sys.argv[2]
    database_url = sys.argv[3] if len(sys.argv) > 3 else None
    if kind == "pes21":
        use_uvloop()  # as bot.py does in production
    app = build(kind, base_url, database_url)
    profile_to = os.environ.get("PES21_BENCH_PROFILE")
    if not profile_to:
        app.run_polling(poll_interval=0, timeout=5)
        return
    # Where the bot's CPU goes: `python -m pstats <file>` afterwards.
    profiler = cProfile.Profile()
    profiler.runcall(app.run_polling, poll_interval=0, timeout=5)
    profiler.dump_stats(profile_to)


if __name__ == "__main__":
    main()
