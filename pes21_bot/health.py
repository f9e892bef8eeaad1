"""Container health check: config and content load, and the database answers."""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy import text

from pes21_bot.config import ConfigError, read_environment
from pes21_bot.content import ContentError
from pes21_bot.db.session import make_engine
from pes21_bot.runner import CONTENT_DIR, load_all


async def _database_answers(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


def main() -> int:
    """Exit 0 when healthy, 1 otherwise (with a one-line reason, never a secret)."""
    env = read_environment()
    try:
        load_all(env.config_path, CONTENT_DIR)
        asyncio.run(_database_answers(env.database_url))
    except (ConfigError, ContentError) as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        print(f"unhealthy: database unreachable ({type(exc).__name__})", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
