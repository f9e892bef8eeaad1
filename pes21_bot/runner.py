"""Start-up steps shared by the real bot, the simulator and the tests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, Update
from telegram.error import InvalidToken, RetryAfter, TelegramError

from pes21_bot.access import all_commands
from pes21_bot.app import build_application
from pes21_bot.clock import SystemClock
from pes21_bot.config import Config, Environment, load_config
from pes21_bot.content import Content, load_content
from pes21_bot.db.migrate import upgrade_to_head
from pes21_bot.db.session import make_engine, make_session_factory
from pes21_bot.heartbeat import Heartbeats
from pes21_bot.services import outbox, team
from pes21_bot.telegram_http import AiohttpRequest, retry_seconds
from pes21_bot.watchdog import Watchdog
from pes21_bot.watchdog import limits as watchdog_limits

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "contenus"

# Start-up retries while Telegram cannot be reached: 1 s, 2 s, 4 s... up to a minute apart.
FIRST_RETRY_DELAY = 1.0
MAX_RETRY_DELAY = 60.0


def load_all(config_path: Path, content_dir: Path) -> tuple[Config, Content]:
    """Validated config and content (raises ConfigError or ContentError)."""
    config = load_config(config_path)
    content = load_content(content_dir, required_commands=all_commands(), pole=config.pole)
    return config, content


async def team_report(config: Config, database_url: str) -> list[str]:
    """bot.py --check on the team: config.yaml against the chat's changes, unreachable cards."""
    lines: list[str] = []
    rows = []
    unreachable: list[tuple[int, str]] = []
    url = make_url(database_url)
    # --check must not create an empty SQLite file where the bot has not run yet.
    absent = url.get_backend_name() == "sqlite" and not await asyncio.to_thread(
        Path(url.database or "").exists
    )
    if not absent:
        engine = make_engine(database_url)
        try:
            async with make_session_factory(engine)() as session:
                rows = await team.rows(session)
                unreachable = await outbox.unreachable_staff(session, config)
        except SQLAlchemyError as exc:
            lines.append(
                "Attention : équipe de la base non lue (base pas encore créée ?) / "
                f"team not read from the database: {type(exc).__name__}"
            )
        finally:
            await engine.dispose()
    lines += [
        f"Conflit config.yaml / chat (le chat l'emporte) : {c}"
        for c in team.conflicts(config, rows)
    ]
    lines += [
        f"Attention : programmes.{p} : personne ne reçoit ses dossiers (aucun·e salarié·e, pas "
        "de groupe) ; invitez quelqu'un avec /invitation salarie / nobody receives its projects"
        for p in team.unstaffed(team.merge(config, rows))
    ]
    lines += [
        f"Attention : {name} ({telegram_id}) ne reçoit pas ses fiches : le bot n'a jamais été "
        "ouvert dans sa conversation, ou a été bloqué ; il faut ouvrir le bot et appuyer une fois "
        "sur Démarrer / cannot be reached by the bot"
        for telegram_id, name in unreachable
    ]
    return lines


def use_uvloop() -> None:
    """Run the bot's event loop on uvloop: +14 % updates per second in bench/intake.py."""
    try:
        import uvloop
    except ImportError:  # not built for Windows: asyncio's own loop works, a little slower
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


async def wait_for_telegram(
    token: str,
    base_url: str | None = None,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Return once getMe answers; until then log one line per failure and back off.

    A server without network at boot (or Telegram down) must not end in a traceback and a
    restart loop. A refused token is no network problem: InvalidToken is raised at once.
    """
    delay = FIRST_RETRY_DELAY
    while True:
        request = AiohttpRequest(connection_pool_size=1)
        bot = (
            Bot(token, base_url=base_url, request=request)
            if base_url
            else Bot(token, request=request)
        )
        try:
            async with bot:  # initialize() calls getMe
                return
        except InvalidToken:
            raise
        except TelegramError as exc:
            wait = retry_seconds(exc) if isinstance(exc, RetryAfter) else delay
            logger.warning(
                "Telegram injoignable, nouvel essai dans %.0f s / "
                "Telegram unreachable, retrying in %.0f s (%s)",
                wait,
                wait,
                type(exc).__name__,
            )
            await sleep(wait)
            delay = min(delay * 2, MAX_RETRY_DELAY)


def run_polling(config: Config, content: Content, env: Environment) -> int:
    """Migrate the database, wait for Telegram, then long-poll until stopped."""
    assert env.token is not None
    try:
        asyncio.run(wait_for_telegram(env.token, env.base_url))
    except InvalidToken:
        logger.error("Jeton Telegram refusé (TELEGRAM_BOT_TOKEN) / Telegram token refused")
        return 2
    upgrade_to_head(env.database_url)
    engine = make_engine(env.database_url)
    heartbeats = Heartbeats(Path(config.operations.heartbeat_dir), SystemClock())
    application = build_application(
        config,
        content,
        make_session_factory(engine),
        token=env.token,
        base_url=env.base_url,
        base_file_url=env.base_file_url,
        local_mode=env.local_mode,
        heartbeats=heartbeats,
    )
    # Apart from the event loop: ends a stuck bot (Docker restarts it) and a stop too slow.
    guard = Watchdog(heartbeats.folder, watchdog_limits(config), lambda: application.running)
    heartbeats.listeners.append(guard.beat)
    guard.start()
    logger.info("bot starting (long polling)")
    use_uvloop()
    # Telegram answered just now; should it drop in the moment before polling starts, PTB's own
    # bootstrap retries (quietly) instead of exiting.
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1)
    finally:
        guard.stop()
    return 0
