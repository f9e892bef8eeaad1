"""Benchmark: holders keep their answer times while an admin exports, and while SQLite is locked.

The year of bench.stats (10,000 dossiers, 100,000 events) is built; the bot runs in its own
process over the HTTP fake, as in production. 20 holders answer the idea questionnaire (a
short pause between answers, as people do) the whole time:

1. idle, then during `/export 2025`, `/export 2025 csv`, `/stats 2025` and `/graphique 2025`
   (each repeated for at least 10 s): the holders' p50/p99 answer time in each phase, and the
   ratio of each p99 to the idle p99 (target <= 2);
2. another process holds SQLite's write lock for 5 s: holders who only read (/aide, /suivi)
   keep answering, those who answer questions wait, and no answer is lost.

    .venv/bin/python -m bench.isolation
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sqlalchemy import func, select

from bench.bot_process import spawn_pes21
from bench.common import percentile, start_fake
from bench.intake import STEPS, reply_to_step, send_step
from bench.stats import build_sqlite
from pes21_bot.db.models import Person, Project
from pes21_bot.db.session import make_engine, make_session_factory
from pes21_bot.fake_telegram import BotMessage, FakeBotApi, FakeUser

HOLDERS = 20
THINK = 0.3  # seconds between a holder's answers
IDLE_S = 10.0
PHASE_S = 10.0
LOCK_S = 5.0
TARGET_RATIO = 2.0
COMMAND_TIMEOUT = 600.0
FIRST_USER_ID = 700_000
YEAR = "2025"
COMMANDS: list[tuple[str, str, Callable[[BotMessage], bool]]] = [
    ("/export", YEAR, lambda m: m.document is not None),
    ("/export", f"{YEAR} csv", lambda m: m.document is not None),
    ("/stats", YEAR, lambda m: "D'où viennent" in (m.text or "")),
    ("/graphique", YEAR, lambda m: m.photo is not None),
]


@dataclass
class Timings:
    """Answer times, each with the moment the step was sent."""

    samples: list[tuple[float, float]] = field(default_factory=list)

    def between(self, start: float, end: float) -> list[float]:
        """Answer times of the steps sent in [start, end)."""
        return [latency for sent, latency in self.samples if start <= sent < end]


async def _timed(timings: Timings, act: Callable[[], object], wait: Awaitable[object]) -> None:
    sent = time.perf_counter()
    act()
    await wait
    timings.samples.append((sent, time.perf_counter() - sent))


async def _writer(api: FakeBotApi, index: int, timings: Timings, stop: asyncio.Event) -> int:
    """A holder answering questionnaires one after another; returns how many were sent."""
    submitted = 0
    round_ = 0
    while not stop.is_set():
        user = api.user(FIRST_USER_ID + index * 1000 + round_, first_name=f"H{index}")
        round_ += 1
        for kind, value in STEPS:
            await _timed(timings, partial(send_step, user, kind, value), reply_to_step(user, kind))
            await asyncio.sleep(THINK)
        submitted += 1
    return submitted


async def _reader(user: FakeUser, timings: Timings, stop: asyncio.Event) -> None:
    """A holder who only reads: /aide and /suivi in turn."""
    while not stop.is_set():
        for command, mark in (("/aide", "/"), ("/suivi", "")):
            await _timed(timings, partial(user.send_command, command), user.expect(mark, 120))
            await asyncio.sleep(THINK)


async def _command(
    admin: FakeUser, command: str, args: str, done: Callable[[BotMessage], bool]
) -> None:
    admin.send_command(command, args)
    while not done(await admin.next_message(timeout=COMMAND_TIMEOUT)):
        pass


def _figures(values: list[float]) -> tuple[int, float, float]:
    return len(values), percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000


async def _heavy_commands(api: FakeBotApi, admin: FakeUser) -> tuple[bool, list[str]]:
    timings, stop = Timings(), asyncio.Event()
    holders = [asyncio.create_task(_writer(api, i, timings, stop)) for i in range(HOLDERS)]
    await asyncio.sleep(3)  # warm-up: every holder is in a questionnaire
    phases: list[tuple[str, float, float, float]] = []
    start = time.perf_counter()
    await asyncio.sleep(IDLE_S)
    phases.append(("idle", start, time.perf_counter(), 0.0))
    for command, args, done in COMMANDS:
        start = time.perf_counter()
        runs: list[float] = []
        while not runs or time.perf_counter() - start < PHASE_S:
            began = time.perf_counter()
            await _command(admin, command, args, done)
            runs.append(time.perf_counter() - began)
        phases.append((f"{command} {args}", start, time.perf_counter(), min(runs)))
    stop.set()
    await asyncio.gather(*holders)
    _, idle_p50, idle_p99 = _figures(timings.between(phases[0][1], phases[0][2]))
    lines = [
        f"Isolation: {HOLDERS} holders answering ({THINK}s between answers) while an admin runs "
        "heavy commands on the 10,000-dossier year",
        f"{'phase':<22}{'command s':>10}{'answers':>9}{'p50 ms':>9}{'p99 ms':>9}{'p99/idle':>10}",
    ]
    ok = True
    for name, began, ended, seconds in phases:
        count, p50, p99 = _figures(timings.between(began, ended))
        ratio = p99 / idle_p99
        ok = ok and (name == "idle" or ratio <= TARGET_RATIO)
        shown = f"{seconds:.1f}" if seconds else "-"
        lines.append(f"{name:<22}{shown:>10}{count:>9}{p50:>9.0f}{p99:>9.0f}{ratio:>10.2f}")
    verdict = "OK" if ok else "ABOVE TARGET"
    lines.append(f"target: p99 during each command <= {TARGET_RATIO} x idle p99: {verdict}")
    del idle_p50
    return ok, lines


LOCKER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("COMMIT")
print("released", flush=True)
"""


async def _locked_database(api: FakeBotApi, path: Path) -> tuple[bool, list[str]]:
    half = HOLDERS // 2
    reads, writes, stop = Timings(), Timings(), asyncio.Event()
    readers = [
        asyncio.create_task(
            _reader(api.user(FIRST_USER_ID - 1 - i, first_name=f"R{i}"), reads, stop)
        )
        for i in range(half)
    ]
    writers = [asyncio.create_task(_writer(api, HOLDERS + i, writes, stop)) for i in range(half)]
    await asyncio.sleep(3)
    idle_start = time.perf_counter()
    await asyncio.sleep(LOCK_S)
    idle_end = time.perf_counter()
    locker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LOCKER, str(path), str(LOCK_S), stdout=asyncio.subprocess.PIPE
    )
    assert locker.stdout is not None
    await locker.stdout.readline()
    locked = time.perf_counter()
    await locker.stdout.readline()
    released = time.perf_counter()
    await locker.wait()
    await asyncio.sleep(3)
    stop.set()
    submitted = sum(await asyncio.gather(*writers))
    await asyncio.gather(*readers)
    stored = await _stored_intakes(path)

    _, _, idle_p99 = _figures(reads.between(idle_start, idle_end))
    count, p50, p99 = _figures(reads.between(locked, released))
    waiting = writes.between(locked, released)
    longest_wait = max(waiting, default=0.0)
    ok = p99 <= TARGET_RATIO * idle_p99 and stored == submitted
    lines = [
        f"Write lock held by another process for {LOCK_S:.0f}s ({half} readers, {half} writers)",
        f"readers (/aide, /suivi) idle: p99 {idle_p99:.0f} ms; while locked: "
        f"{count} answers, p50 {p50:.0f} ms, p99 {p99:.0f} ms, ratio {p99 / idle_p99:.2f}",
        f"writers: {len(waiting)} answers sent while locked, longest wait "
        f"{longest_wait:.1f} s (lock held {released - locked:.1f} s)",
        f"questionnaires sent {submitted}, stored {stored}: "
        f"{'nothing lost' if stored == submitted else 'LOST ANSWERS'}",
        f"target: readers' p99 <= {TARGET_RATIO} x idle, nothing lost: {'OK' if ok else 'NOT MET'}",
    ]
    return ok, lines


async def _stored_intakes(path: Path) -> int:
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with make_session_factory(engine)() as session:
            found = await session.execute(
                select(func.count())
                .select_from(Project)
                .join(Person, Person.id == Project.holder_id)
                .where(Person.telegram_id >= FIRST_USER_ID + HOLDERS * 1000)
                .where(Project.status == "routed")
            )
            return int(found.scalar_one())
    finally:
        await engine.dispose()


async def bench(folder: Path) -> int:
    """Build the year, start the bot, run both cases; exit code 1 when a target is missed."""
    path = folder / "isolation.db"
    print(f"building the year: {build_sqlite(path, 1, 100_000):.0f}s", flush=True)
    api, server, base_url, config = await start_fake()
    admin = api.user(config.admins[0].id, first_name=config.admins[0].name)
    process = await spawn_pes21(base_url, f"sqlite+aiosqlite:///{path}")
    try:
        await api.wait_for_call("getUpdates", timeout=60)
        heavy_ok, heavy = await _heavy_commands(api, admin)
        print("\n".join(heavy), flush=True)
        lock_ok, lock = await _locked_database(api, path)
        print("\n".join(lock), flush=True)
    finally:
        process.terminate()
        await process.wait()
        await server.stop()
    return 0 if heavy_ok and lock_ok else 1


def main() -> None:
    """Command line entry point."""
    argparse.ArgumentParser(description=__doc__).parse_args()
    with tempfile.TemporaryDirectory(prefix="pes21-isolation-") as folder:
        raise SystemExit(asyncio.run(bench(Path(folder))))


if __name__ == "__main__":
    main()
