"""Benchmark of the statistics: /stats and /export of one year on a big database.

    .venv/bin/python -m bench.stats                    # SQLite: 1,000,000 and 100,000 events
    .venv/bin/python -m bench.stats --events 200000    # smaller (and faster) run
    .venv/bin/python -m bench.stats --postgres         # also PostgreSQL (DATABASE_URL's server,
                                                       # else a throwaway local server)

Every year of the generated database has the same activity: 10,000 projects and 100,000 events
(intake, routing, claims, accompaniments, milestones, structures, jobs, reviews with hours
and km). The big database holds `--events` events (10 years by default); the small one a
tenth of them (1 year): the same year is measured on both, so the ratio of their times shows
whether the cost follows the period (about 1x) or the table (about 10x).

Measured, each in a fresh process (best of 5 runs after a warm-up): a plain `SELECT count(*)`
over the whole events table, the computation of one year's /stats figures
(services.stats.compute_stats, which includes the comparison with the year before) and of the
activity-report figures alone (compute_report), `/stats <year>` end to end through the fake
Bot API, and `/export <year>` end to end with the process's peak RSS.
Targets: figures <= 1x the full count; big/small <= 2x; /export peak RSS < 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.common import peak_rss_mb, run_worker
from pes21_bot.clock import FakeClock
from pes21_bot.db.migrate import upgrade_to_head
from pes21_bot.db.session import make_engine, make_session_factory
from pes21_bot.domain.milestones import (
    DLA_COLLECTIVE_ENGINEERING,
    DLA_DIAGNOSTIC,
    DLA_FOLLOW_UP,
    DLA_INDIVIDUAL_ENGINEERING,
    DLA_WELCOMED,
)
from pes21_bot.domain.periods import Period
from pes21_bot.domain.scope import Scope
from pes21_bot.domain.vocabulary import PROGRAMMES
from pes21_bot.runner import CONTENT_DIR, ROOT, load_all
from pes21_bot.services import events as ev
from pes21_bot.services import stats

EVENTS_PER_YEAR = 100_000
PROJECTS_PER_YEAR = 10_000
LAST_YEAR = 2025  # the measured year; "now" is in March of the year after
NOW = datetime(LAST_YEAR + 1, 3, 10, 9, 30, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
RUNS = 5
RSS_TARGET_MB = 300
SOURCES = ["flyer_marche", "site_web", "salon_ess", "partenaire", None, None, None]
SECTORS = ["food", "culture", "environment", "trade", "care", "digital", "mobility", None]
COMMUNES = [
    ("Dijon", "21000"),
    ("Beaune", "21200"),
    ("Chenôve", "21300"),
    ("Talant", "21240"),
    ("Quetigny", "21800"),
    ("Montbard", "21500"),
    ("Auxonne", "21130"),
    ("Besançon", "25000"),
    ("Lyon", "69003"),
    (None, None),
]
LEGAL_FORMS = ["association", "scop", "scic", "esus"]
JOB_KINDS = ["cdi", "cdd", "part_time", "contrat_aide"]
VOLUNTEERS = 40

# --- Building the database -----------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    # The text SQLAlchemy stores in SQLite for a UTC DateTime.
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


class Generator:
    """Projects, events and reviews of `years` years ending with LAST_YEAR, in time order."""

    def __init__(self, years: int, total_events: int, seed: int = 21) -> None:
        self.years = years
        self.total_events = total_events
        self.projects_count = PROJECTS_PER_YEAR * years
        self.random = random.Random(seed)
        self.start = datetime(LAST_YEAR - years + 1, 1, 1, tzinfo=PARIS).astimezone(UTC)
        self.span = datetime(LAST_YEAR + 1, 1, 1, tzinfo=PARIS).astimezone(UTC) - self.start

    def _project_events(
        self, project_id: int, when: datetime, programme: str, path: str, source: str | None
    ) -> Iterator[tuple[datetime, str, int | None, int | None, str | None, dict[str, Any]]]:
        rnd = self.random
        minute = timedelta(minutes=1)
        yield when - 30 * minute, ev.BOT_STARTED, None, None, None, {"source": source}
        yield when - 25 * minute, ev.CONSENT_GIVEN, None, None, None, {"path": path}
        yield when - 24 * minute, ev.INTAKE_STARTED, None, project_id, None, {"path": path}
        data: dict[str, Any]
        for number in range(2):
            data = {"question": f"q{number}"}
            yield when - (20 - number) * minute, ev.QUESTION_ANSWERED, None, project_id, None, data
        data = {"path": path, "source": source}
        yield when, ev.INTAKE_COMPLETED, None, project_id, programme, data
        data = {"score": rnd.randint(0, 100), "criteria": []}
        yield when, ev.ROUTED, None, project_id, programme, data
        if rnd.random() < 0.03:
            previous, programme = programme, rnd.choice(PROGRAMMES)
            yield (
                when + timedelta(days=1),
                ev.REDIRECTED,
                None,
                project_id,
                programme,
                {"previous": previous},
            )
        if rnd.random() < 0.2:
            data = {"reason": "no_answer"}
            yield when + timedelta(days=8), ev.CLOSED, None, project_id, programme, data
            return
        claimed = when + timedelta(hours=rnd.randint(1, 240))
        yield claimed, ev.CLAIMED, None, project_id, programme, {}
        if rnd.random() < 0.6:
            return
        started = claimed + timedelta(days=rnd.randint(1, 30))
        data = {"started_on": started.date().isoformat()}
        yield started, ev.ACCOMPANIMENT_STARTED, None, project_id, programme, data
        if programme == "dla":
            for offset, milestone in enumerate(
                (DLA_WELCOMED, DLA_DIAGNOSTIC, DLA_INDIVIDUAL_ENGINEERING, DLA_FOLLOW_UP)
            ):
                data = {"milestone": milestone, "on": started.date().isoformat()}
                if milestone == DLA_DIAGNOSTIC:
                    data["jobs_consolidated"] = rnd.randint(1, 40)
                day = started + timedelta(days=20 * (offset + 1))
                yield day, ev.MILESTONE, None, project_id, programme, data
            if rnd.random() < 0.3:
                data = {"milestone": DLA_COLLECTIVE_ENGINEERING, "action": f"A{rnd.randint(1, 9)}"}
                yield started + timedelta(days=50), ev.MILESTONE, None, project_id, programme, data
        ended = started + timedelta(days=rnd.randint(60, 200))
        data = {"outcome": "structure_created", "ended_on": ended.date().isoformat()}
        yield ended, ev.ACCOMPANIMENT_ENDED, None, project_id, programme, data
        if rnd.random() < 0.5:
            data = {"legal_form": rnd.choice(LEGAL_FORMS), "name": f"Structure {project_id}"}
            yield ended, ev.STRUCTURE_CREATED, None, project_id, programme, data
            data = {
                "count": rnd.randint(1, 4),
                "kind": rnd.choice(JOB_KINDS),
                "origin": "accompaniment",
            }
            yield ended, ev.JOBS_CREATED, None, project_id, programme, data
        done = ended + timedelta(days=180 + rnd.randint(0, 30))
        data = {
            "review_id": project_id,
            "situation": "active",
            "jobs_created": 0,
            "satisfaction": rnd.randint(1, 5),
            "hours": rnd.choice([0.5, 1, 1.5, 2, 3]),
            "km": rnd.randint(0, 60),
        }
        volunteer = 1 + rnd.randrange(VOLUNTEERS)
        yield done, ev.REVIEW_DONE, volunteer, project_id, programme, data

    def rows(self) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """('project', row), ('event', row) and ('review', row) tuples, project by project."""
        rnd = self.random
        produced = 0
        budget = self.total_events
        for index in range(self.projects_count):
            project_id = index + 1
            when = self.start + self.span * ((index + rnd.random()) / self.projects_count)
            programme = rnd.choice(PROGRAMMES)
            path = {"generateur": "local_authority", "crdva": "crdva", "dla": "dla"}.get(
                programme, "idea"
            )
            source = rnd.choice(SOURCES)
            commune, postal_code = rnd.choice(COMMUNES)
            year = when.astimezone(PARIS).year
            answers = {"name": f"Porteur {project_id}", "email": f"p{project_id}@example.org"}
            yield (
                "project",
                (
                    project_id,
                    f"PES-{year}-{project_id:06d}",
                    year,
                    project_id,
                    path,
                    "routed",
                    json.dumps(answers),
                    programme,
                    rnd.choice(SECTORS) if path == "idea" else None,
                    commune,
                    postal_code,
                    None if postal_code is None else postal_code.startswith("21"),
                    source,
                    when,
                    when,
                    when,
                ),
            )
            for moment, kind, actor, pid, prog, data in self._project_events(
                project_id, when, programme, path, source
            ):
                if produced >= budget:
                    break
                if moment > NOW:
                    continue  # the future of the last projects has not happened yet
                produced += 1
                yield "event", (moment, kind, actor, pid, prog, json.dumps(data))
                if kind == ev.ACCOMPANIMENT_ENDED:
                    due = moment + timedelta(days=182)
                    yield "review", (project_id, 1, due, "open" if due > NOW else "done")
        # Pad with first contacts that led nowhere, spread over the years, to the exact total.
        left = budget - produced
        for number in range(max(0, left)):
            moment = self.start + self.span * ((number + 0.5) / left)
            padding = json.dumps({"source": rnd.choice(SOURCES)})
            yield "event", (moment, ev.BOT_STARTED, None, None, None, padding)


PROJECT_COLUMNS = (
    "id, reference, year, seq, path, status, answers, programme, sector, commune, postal_code,"
    " in_cote_dor, source, created_at, submitted_at, updated_at"
)
EVENT_COLUMNS = "occurred_at, kind, actor_id, project_id, programme, data"
REVIEW_COLUMNS = "project_id, number, due_at, state, details"


def build_sqlite(path: Path, years: int, total_events: int) -> float:
    """Create and fill a SQLite database; returns the seconds it took."""
    began = time.perf_counter()
    if path.exists():
        path.unlink()
    upgrade_to_head(f"sqlite+aiosqlite:///{path}")
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    _people_sqlite(connection)
    batches: dict[str, list[tuple[Any, ...]]] = {"project": [], "event": [], "review": []}
    statements = {
        "project": f"INSERT INTO projects ({PROJECT_COLUMNS}) VALUES ({','.join('?' * 16)})",
        "event": f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?,?,?,?,?,?)",
        "review": f"INSERT INTO reviews ({REVIEW_COLUMNS}) VALUES (?,?,?,?,'{{}}')",
    }

    def flush(kind: str) -> None:
        connection.executemany(statements[kind], batches[kind])
        batches[kind].clear()

    for kind, row in Generator(years, total_events).rows():
        batches[kind].append(tuple(_stamp(v) if isinstance(v, datetime) else v for v in row))
        if len(batches[kind]) >= 20_000:
            flush(kind)
    for kind in batches:
        flush(kind)
    connection.commit()
    connection.close()
    return time.perf_counter() - began


def _people_sqlite(connection: sqlite3.Connection) -> None:
    stamp = _stamp(NOW)
    connection.executemany(
        "INSERT INTO people (id, telegram_id, first_name, role, created_at, last_seen_at)"
        " VALUES (?, ?, ?, 'volunteer', ?, ?)",
        [(i, 700_000 + i, f"Bénévole {i}", stamp, stamp) for i in range(1, VOLUNTEERS + 1)],
    )


async def build_postgres(url: str, years: int, total_events: int) -> float:
    """Create and fill a PostgreSQL database with COPY; returns the seconds it took."""
    import asyncpg  # type: ignore[import-untyped]

    began = time.perf_counter()
    await asyncio.to_thread(upgrade_to_head, url)
    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        database=parsed.database,
        password=parsed.password,
    )
    try:
        await connection.copy_records_to_table(
            "people",
            columns=["id", "telegram_id", "first_name", "role", "created_at", "last_seen_at"],
            records=[
                (i, 700_000 + i, f"Bénévole {i}", "volunteer", NOW, NOW)
                for i in range(1, VOLUNTEERS + 1)
            ],
        )
        columns = {
            "project": [c.strip() for c in PROJECT_COLUMNS.split(",")],
            "event": [c.strip() for c in EVENT_COLUMNS.split(",")],
            "review": ["project_id", "number", "due_at", "state", "details"],
        }
        tables = {"project": "projects", "event": "events", "review": "reviews"}
        batches: dict[str, list[tuple[Any, ...]]] = {k: [] for k in tables}

        async def flush(kind: str) -> None:
            await connection.copy_records_to_table(
                tables[kind], columns=columns[kind], records=batches[kind]
            )
            batches[kind].clear()

        async def flush_all() -> None:
            for kind in tables:  # projects first: events and reviews refer to them
                if batches[kind]:
                    await flush(kind)

        for kind, row in Generator(years, total_events).rows():
            batches[kind].append((*row, "{}") if kind == "review" else row)
            if len(batches[kind]) >= 50_000:
                await flush_all()
        await flush_all()
        for table in ("projects", "people"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
            )
        # What autovacuum does on a live server: visibility map and planner statistics.
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()
    return time.perf_counter() - began


# --- Measuring (in fresh processes) --------------------------------------------------------


async def _timed(action: Any, runs: int = RUNS) -> float:
    """Best of `runs` after a warm-up: the machine may be shared, the best run is the cost."""
    await action()  # warm-up: caches, prepared statements
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        await action()
        times.append(time.perf_counter() - began)
    return min(times)


async def _bot(url: str) -> Any:
    from pes21_bot.app import build_application
    from pes21_bot.fake_telegram import FakeBotApi, FakeRequest
    from pes21_bot.fake_telegram.limits import Limits

    config, content = load_all(ROOT / "config.yaml", CONTENT_DIR)
    engine = make_engine(url)
    api = FakeBotApi(
        token="123456:BENCH", bot_username="pes21_bench_bot", limits=Limits(flood_control=False)
    )
    for member in config.admins:
        api.user(member.id, first_name=member.name)
    app = build_application(
        config,
        content,
        make_session_factory(engine),
        token=api.token,
        clock=FakeClock(NOW),
        request=FakeRequest(api),
        get_updates_request=FakeRequest(api),
        rate_limiter=False,
    )
    # The reminder job would plan thousands of reminders for the synthetic backlog of
    # unclaimed projects: not what this benchmark measures.
    assert app.job_queue is not None
    for job in app.job_queue.jobs():
        job.schedule_removal()
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    admin = api.user(config.admins[0].id, first_name=config.admins[0].name)
    return app, api, admin, engine


async def _stop(app: Any, engine: Any) -> None:
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    await engine.dispose()


async def measure_queries(url: str) -> dict[str, Any]:
    """Full count, one year's figures, and /stats end to end."""
    config, _content = load_all(ROOT / "config.yaml", CONTENT_DIR)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    scope = Scope(PROGRAMMES, everything=True)
    period = Period.year_of(LAST_YEAR)
    result: dict[str, Any] = {}

    async def count() -> None:
        async with factory() as session:
            result["events"] = (await session.execute(text("SELECT count(*) FROM events"))).scalar()

    async def figures() -> None:
        async with factory() as session:
            found = await stats.compute_stats(session, config, period, scope, NOW)
            result["welcomed"] = found.totals.welcomed

    async def report() -> None:
        async with factory() as session:
            await stats.compute_report(session, config, period, scope)

    result["count_s"] = await _timed(count)
    result["figures_s"] = await _timed(figures)
    result["report_s"] = await _timed(report)
    await engine.dispose()

    app, _api, admin, bot_engine = await _bot(url)

    async def stats_command() -> None:
        admin.send_command("/stats", str(LAST_YEAR))
        await admin.expect("Statistiques", timeout=300)
        await admin.expect("D'où viennent", timeout=300)

    result["stats_s"] = await _timed(stats_command)
    await _stop(app, bot_engine)
    return result


async def measure_export(url: str) -> dict[str, Any]:
    """/export of one year end to end, and this process's peak memory."""
    app, _api, admin, engine = await _bot(url)
    began = time.perf_counter()
    admin.send_command("/export", str(LAST_YEAR))
    sent = await admin.expect("Données", timeout=300)
    seconds = time.perf_counter() - began
    assert sent.document is not None
    await _stop(app, engine)
    return {"export_s": seconds, "export_bytes": sent.document.size, "peak_rss_mb": peak_rss_mb()}


# --- Orchestration -------------------------------------------------------------------------


def _measure(url: str) -> dict[str, Any]:
    began = time.perf_counter()
    found = run_worker("bench.stats", ["--measure", url])
    found.update(run_worker("bench.stats", ["--measure-export", url]))
    print(f"  measured in {time.perf_counter() - began:.0f}s", flush=True)
    return found


def _print(backend: str, sizes: dict[int, dict[str, Any]]) -> None:
    big, small = max(sizes), min(sizes)
    print(f"\n{backend}")
    print(
        f"{'events':>10} {'count(*)':>10} {'figures':>10} {'report':>10} {'/stats':>10}"
        f" {'/export':>10} {'file':>8} {'peak RSS':>9} {'build':>8}"
    )
    for n in sorted(sizes):
        r = sizes[n]
        print(
            f"{n:>10,} {r['count_s'] * 1000:>8.1f}ms {r['figures_s'] * 1000:>8.1f}ms"
            f" {r['report_s'] * 1000:>8.1f}ms {r['stats_s'] * 1000:>8.1f}ms"
            f" {r['export_s']:>9.2f}s {r['export_bytes'] / 1e6:>6.1f}MB"
            f" {r['peak_rss_mb']:>7.0f}MB {r['build_s']:>7.1f}s"
        )
    b, s = sizes[big], sizes[small]
    for name, key in (("/stats figures", "figures_s"), ("report figures", "report_s")):
        ratio_count = b[key] / b["count_s"]
        ratio_scale = b[key] / s[key]
        print(
            f"{name}: {ratio_count:.1f}x the full count at {big:,} events (target <= 1x)"
            f" {'OK' if ratio_count <= 1 else 'MISSED'}; at {big:,} / at {small:,} events:"
            f" {ratio_scale:.2f}x (target <= 2x) {'OK' if ratio_scale <= 2 else 'MISSED'}"
        )
    print(f"/stats end to end at {big:,} / at {small:,} events: {b['stats_s'] / s['stats_s']:.2f}x")
    print(
        "(/stats figures include the comparison with the year before, which is empty in the"
        " one-year database)"
    )
    rss = max(r["peak_rss_mb"] for r in sizes.values())
    print(
        f"/export peak RSS: {rss:.0f} MB (target < {RSS_TARGET_MB} MB)"
        f" {'OK' if rss < RSS_TARGET_MB else 'MISSED'}"
    )


def _sizes(total: int) -> list[tuple[int, int]]:
    years = max(1, total // EVENTS_PER_YEAR)
    small_years = max(1, years // 10)
    return [(total, years), (small_years * EVENTS_PER_YEAR, small_years)]


def run_sqlite(total: int, folder: Path) -> None:
    """Build both SQLite databases, measure, print."""
    sizes: dict[int, dict[str, Any]] = {}
    for events_count, years in _sizes(total):
        path = folder / f"stats-{events_count}.db"
        build = build_sqlite(path, years, events_count)
        print(
            f"SQLite: {events_count:,} events over {years} year(s) built in {build:.1f}s",
            flush=True,
        )
        sizes[events_count] = {"build_s": build, **_measure(f"sqlite+aiosqlite:///{path}")}
    _print("SQLite", sizes)


def run_postgres(total: int) -> None:
    """Build both PostgreSQL databases (own server or a throwaway one), measure, print."""
    server: Any = None
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgresql"):
        from tests.postgres import PostgresServer, find_postgres_bindir

        bindir = find_postgres_bindir()
        if bindir is None:
            print("PostgreSQL: no DATABASE_URL and no local server binaries; skipped")
            return
        server = PostgresServer(bindir)
        server.start()
    try:
        sizes: dict[int, dict[str, Any]] = {}
        for events_count, years in _sizes(total):
            name = f"pes21_bench_{events_count}_{uuid.uuid4().hex[:6]}"
            url = server.create_database(name) if server else _create_database(base, name)
            build = asyncio.run(build_postgres(url, years, events_count))
            print(f"PostgreSQL: {events_count:,} events over {years} year(s) built in {build:.1f}s")
            sizes[events_count] = {"build_s": build, **_measure(url)}
            if server is None:
                _drop_database(base, name)
        _print("PostgreSQL", sizes)
    finally:
        if server is not None:
            server.stop()


def _admin_command(base: str, statement: str) -> None:
    async def run() -> None:
        engine = make_engine(base).execution_options(isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(statement))
        await engine.dispose()

    asyncio.run(run())


def _create_database(base: str, name: str) -> str:
    # A database of its own next to DATABASE_URL's: the bench never touches real data.
    _admin_command(base, f'CREATE DATABASE "{name}"')
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def _drop_database(base: str, name: str) -> None:
    _admin_command(base, f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    """Parse the options and run the benchmark (or one measuring worker)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the big base")
    parser.add_argument("--postgres", action="store_true", help="also measure PostgreSQL")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--measure-export", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure_queries(args.measure))))
        return
    if args.measure_export:
        print(json.dumps(asyncio.run(measure_export(args.measure_export))))
        return
    with tempfile.TemporaryDirectory(prefix="pes21-bench-stats-") as folder:
        run_sqlite(args.events, Path(folder))
    if args.postgres or os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        run_postgres(args.events)


if __name__ == "__main__":
    main()
