"""Benchmark: N holders complete an intake concurrently through the HTTP fake Bot API.

The fake and the simulated holders run in this process; the bot runs in its own process, as in
production. Prints updates/s, p50/p95 time from a holder's message to the bot's reply, the
bot's peak RSS, and the same figures for a bare PTB echo bot on the same fake, with the ratio.
Also Bot API calls per second against the echo bot's: each intake update makes about two calls
and each echo update one, so that ratio is the bot's own overhead (target >= 0.9).

    .venv/bin/python -m bench.intake                 # 1,000 holders
    .venv/bin/python -m bench.intake --holders 200
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.common import percentile, start_fake
from pes21_bot.db.models import Project
from pes21_bot.db.session import make_engine, make_session_factory
from pes21_bot.fake_telegram import BotMessage, FakeUser
from pes21_bot.runner import ROOT

TARGET_RATIO = 0.5
TARGET_CALLS_RATIO = 0.9
STEP_TIMEOUT = 120.0
FIRST_USER_ID = 900_000

# A whole idea intake, as a holder types or presses it.
STEPS: list[tuple[str, str]] = [
    ("command", "/start"),
    ("press", "💡 J'ai une idée de projet"),
    ("press", "✅ J'accepte"),
    ("text", "Camille Exemple"),
    ("text", "camille@example.org"),
    ("text", "06 12 34 56 78"),
    ("text", "21000"),
    ("text", "Dijon"),
    ("text", "Une épicerie coopérative de quartier tenue par ses habitant·es."),
    ("press", "Agriculture, alimentation"),
    ("press", "Le projet se structure"),
    ("text", "4"),
    ("press", "SCIC"),
    ("tick", "Financement"),
    ("press", "✔️ Valider"),
    ("text", "3"),
    ("press", "Temps plein"),
    ("press", "📨 Envoyer"),
]
REPLY_MARKS = ("Question ", "Récapitulatif", "Bienvenue", "Acceptez-vous", "dossier est enregistré")


async def _reply(user: FakeUser) -> BotMessage:
    """The bot's answer to a step: the next question, the recap, the consent, the reference."""
    while True:
        message = await user.next_message(timeout=STEP_TIMEOUT)
        if not message.edited and any(mark in (message.text or "") for mark in REPLY_MARKS):
            return message


def send_step(user: FakeUser, kind: str, value: str) -> None:
    """Type or press one step of the questionnaire."""
    if kind == "command":
        user.send_command(value)
    elif kind == "text":
        user.send_text(value)
    else:
        user.press(value)


async def reply_to_step(user: FakeUser, kind: str) -> BotMessage:
    """The bot's answer to one step."""
    if kind == "tick":  # a tick edits the question in place
        return await user.next_message(timeout=STEP_TIMEOUT)
    return await _reply(user)


async def _holder(user: FakeUser, latencies: list[float]) -> None:
    for kind, value in STEPS:
        started = time.perf_counter()
        send_step(user, kind, value)
        await reply_to_step(user, kind)
        latencies.append(time.perf_counter() - started)


async def _echo_holder(user: FakeUser, latencies: list[float]) -> None:
    for _ in STEPS:
        started = time.perf_counter()
        user.send_text("bonjour")
        await user.next_message(timeout=STEP_TIMEOUT)
        latencies.append(time.perf_counter() - started)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(kind: str, holders: int) -> dict[str, Any]:
    """One bot process against the fake with `holders` concurrent people."""
    api, server, base_url, _config = await start_fake()
    with tempfile.TemporaryDirectory() as folder:
        db_url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        args = [kind, base_url] + ([db_url] if kind == "pes21" else [])
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.bot_process", *args, cwd=str(ROOT)
        )
        try:
            await api.wait_for_call("getUpdates", timeout=60)
            users = [api.user(FIRST_USER_ID + i, first_name=f"P{i}") for i in range(holders)]
            latencies: list[float] = []
            play = _holder if kind == "pes21" else _echo_holder
            bot_cpu = _cpu_seconds(process.pid)
            own_cpu = time.process_time()
            started = time.perf_counter()
            results = await asyncio.gather(
                *(play(user, latencies) for user in users), return_exceptions=True
            )
            elapsed = time.perf_counter() - started
            bot_cpu = _cpu_seconds(process.pid) - bot_cpu
            own_cpu = time.process_time() - own_cpu
            peak = _peak_rss_mb(process.pid)
            calls = collections.Counter(c.method for c in api.calls if c.method != "getUpdates")
        finally:
            process.terminate()
            await process.wait()
            await server.stop()
        errors = [r for r in results if isinstance(r, BaseException)]
        lost = 0
        if kind == "pes21":
            engine = make_engine(db_url)
            async with make_session_factory(engine)() as session:
                routed = await session.execute(
                    select(func.count()).select_from(Project).where(Project.status == "routed")
                )
                lost = holders - int(routed.scalar_one())
            await engine.dispose()
    updates = len(STEPS) * holders
    return {
        "kind": kind,
        "updates_per_s": updates / elapsed,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "peak_rss_mb": peak,
        "bot_cpu_pct": 100 * bot_cpu / elapsed,
        "fake_cpu_pct": 100 * own_cpu / elapsed,
        "errors": len(errors),
        "first_error": repr(errors[0])[:300] if errors else None,
        "lost": lost,
        "calls_per_update": {m: round(n / updates, 2) for m, n in calls.most_common()},
        "calls_per_s": sum(calls.values()) / elapsed,
    }


async def bench(holders: int) -> int:
    """Both bots, then the comparison; exit code 1 when below target."""
    echo = await run("echo", holders)
    pes21 = await run("pes21", holders)
    print(f"Intake benchmark: {holders} holders x {len(STEPS)} updates, HTTP fake Bot API")
    print(
        f"{'bot':<7}{'updates/s':>11}{'p50 ms':>9}{'p95 ms':>9}{'RSS MB':>8}"
        f"{'bot CPU':>9}{'fake CPU':>10}{'errors':>8}{'lost':>6}"
    )
    for row in (pes21, echo):
        print(
            f"{row['kind']:<7}{row['updates_per_s']:>11.1f}{row['p50_ms']:>9.1f}"
            f"{row['p95_ms']:>9.1f}{row['peak_rss_mb']:>8.1f}{row['bot_cpu_pct']:>8.0f}%"
            f"{row['fake_cpu_pct']:>9.0f}%{row['errors']:>8}{row['lost']:>6}"
        )
    ratio = pes21["updates_per_s"] / echo["updates_per_s"]
    calls_ratio = pes21["calls_per_s"] / echo["calls_per_s"]
    ok = ratio >= TARGET_RATIO and not pes21["errors"] and not pes21["lost"]
    verdict = "OK" if ok else "BELOW TARGET"
    print(f"ratio pes21/echo updates/s: {ratio:.2f} (target >= {TARGET_RATIO}) {verdict}")
    calls_ok = calls_ratio >= TARGET_CALLS_RATIO
    print(
        f"Bot API calls/s: pes21 {pes21['calls_per_s']:.1f}, echo {echo['calls_per_s']:.1f}, "
        f"ratio {calls_ratio:.2f} (target >= {TARGET_CALLS_RATIO}) "
        f"{'OK' if calls_ok else 'BELOW TARGET'}"
    )
    ok = ok and calls_ok
    for row in (pes21, echo):
        calls = ", ".join(f"{m} {n}" for m, n in row["calls_per_update"].items())
        print(f"Bot API calls per update ({row['kind']}): {calls}")
    if pes21["first_error"]:
        print(f"first error: {pes21['first_error']}")
    return 0 if ok else 1


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--holders", type=int, default=1000)
    raise SystemExit(asyncio.run(bench(parser.parse_args().holders)))


if __name__ == "__main__":
    main()
