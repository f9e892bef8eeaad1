"""Container health check: config, content and database answer, and the bot is alive.

Alive means both heartbeats (pes21_bot.heartbeat) are fresh: the polling loop finished a
getUpdates round and the reminder job ran within a few of their intervals. A bot whose polling
is stuck, or whose jobs stopped, is reported unhealthy although its database answers.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from pes21_bot.config import Config, ConfigError, read_environment
from pes21_bot.content import ContentError
from pes21_bot.db.session import make_engine
from pes21_bot.heartbeat import POLLING, POLLING_INTERVAL, REMINDERS, stale_beats
from pes21_bot.runner import CONTENT_DIR, load_all


async def _database_answers(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


def liveness_problems(config: Config, now: datetime) -> list[str]:
    """Heartbeats missing or too old, one line each (empty: alive)."""
    intervals = {
        POLLING: POLLING_INTERVAL,
        REMINDERS: timedelta(seconds=config.reminders.interval_seconds),
    }
    return stale_beats(Path(config.operations.heartbeat_dir), now, intervals)


def main() -> int:
    """Exit 0 when healthy, 1 otherwise (with a one-line reason, never a secret)."""
    env = read_environment()
    try:
        config, _content = load_all(env.config_path, CONTENT_DIR)
        asyncio.run(_database_answers(env.database_url))
    except (ConfigError, ContentError) as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        print(f"unhealthy: database unreachable ({type(exc).__name__})", file=sys.stderr)
        return 1
    problems = liveness_problems(config, datetime.now(UTC))
    if problems:
        print(f"unhealthy: {'; '.join(problems)}", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
