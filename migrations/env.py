"""Alembic environment: the project's async engine and the models' metadata.

The database URL comes from ``config.attributes["url"]`` (set by pes21_bot.db.migrate), then
``-x url=...`` on the command line, then the DATABASE_URL environment variable, then the
project default. It is only ever logged with its password masked.
"""

from __future__ import annotations

import asyncio
import logging
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from pes21_bot.db.migrate import database_url_from_env, migration_context_options, safe_url
from pes21_bot.db.models import Base
from pes21_bot.db.session import make_engine

config = context.config

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

log = logging.getLogger("alembic.env")

target_metadata = Base.metadata


def database_url() -> str:
    """Return the URL to migrate, by order of precedence."""
    url = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    return str(url) if url else database_url_from_env()


def run_migrations_offline() -> None:
    """Emit the migrations as SQL (``alembic upgrade --sql``) without connecting."""
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **migration_context_options(),
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    """Run the migrations on a synchronous connection (called through run_sync)."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch operations copy a table, drop the original and rename the copy: with foreign keys
        # enforced, that DROP would fire ON DELETE actions on the referencing rows. The pragma is
        # ignored inside a transaction, so set it on the raw driver connection before any BEGIN.
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.close()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        **migration_context_options(),
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migrations left dangling foreign keys: {broken[:10]}")


async def run_async_migrations() -> None:
    """Open the project's async engine and run the migrations on one connection."""
    url = database_url()
    log.info("Migrating %s", safe_url(url))
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())
