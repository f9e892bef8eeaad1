# Image du bot : Python slim, utilisateur non root, données dans un volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite+aiosqlite:////app/data/pes21.db

WORKDIR /app

RUN groupadd --system --gid 10001 pes21 && useradd --system --uid 10001 --gid 10001 --home-dir /app pes21

COPY pyproject.toml README.md ./
COPY pes21_bot ./pes21_bot
RUN pip install --no-cache-dir .

COPY bot.py alembic.ini config.yaml ./
COPY migrations ./migrations
COPY contenus ./contenus

RUN mkdir -p /app/data && chown 10001:10001 /app/data
VOLUME ["/app/data"]

USER 10001:10001

# The bot is healthy while its configuration, content and database answer.
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
  CMD ["python", "-m", "pes21_bot.health"]

# Migrations first, then the bot (long polling). config.yaml and contenus/ may be mounted read-only.
CMD ["sh", "-c", "python -m pes21_bot.db.migrate && exec python bot.py"]
