# Image du bot : Python slim, utilisateur non root, données dans un volume.
# Bookworm: its postgresql-client-15 matches the postgres:15 server of compose.yaml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite+aiosqlite:////app/data/pes21.db \
    HOME=/home/pes21 \
    MPLCONFIGDIR=/home/pes21/.cache/matplotlib

WORKDIR /app

# pg_dump and pg_restore for the backups of the PostgreSQL database (pes21_bot/services/backup.py).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

# A real home the bot can write to: matplotlib keeps its font cache there.
RUN groupadd --system --gid 10001 pes21 \
    && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /home/pes21 pes21

# The exact versions of requirements.lock, the same as `make` installs.
COPY pyproject.toml README.md requirements.lock ./
COPY pes21_bot ./pes21_bot
RUN pip install --no-cache-dir --constraint requirements.lock .

COPY bot.py alembic.ini config.yaml ./
COPY migrations ./migrations
COPY contenus ./contenus

RUN mkdir -p /app/data && chown 10001:10001 /app/data
VOLUME ["/app/data"]

USER 10001:10001

# Healthy while config, content and database answer and both heartbeats (polling loop and
# reminder job) are fresh. A short interval shows "healthy" within about 15 s of a good start
# (both heartbeats beat within 10 s); failures during the start period do not count.
HEALTHCHECK --interval=15s --timeout=10s --start-period=60s --retries=3 \
  CMD ["python", "-m", "pes21_bot.health"]

# bot.py migrates the database itself (once), then long-polls. config.yaml and contenus/ may be
# mounted read-only.
CMD ["python", "bot.py"]
