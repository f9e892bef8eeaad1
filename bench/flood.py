"""Benchmark: another person's answer time while one chat floods the bot (issue 18).

The bot runs in its own process over the HTTP fake Bot API, with Telegram's limits on both sides
(the bot's rate limiter, the fake's flood control: 30 messages/s overall, 20/min per group; a
private chat may take 2 a second). A probe sends /aide every 0.5 s the whole time, in turn from
four people (each at 30 a minute, within the per-person pace of config.yaml). Phases, each
measured for 15 s:

1. idle (the baseline of the same run);
2. one person sends 1,000 private messages at once;
3. one person presses a menu button 1,000 times;
4. 200 commands in a group the bot is in, from 20 people who are not of the team.

For each phase: the probe's p50, p99 and max answer time, and its p99 over the idle p99.
Targets: max under 2 s and p99 under twice the idle p99.

    .venv/bin/python -m bench.flood
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.bot_process import spawn_pes21
from bench.common import percentile, start_fake
from pes21_bot.fake_telegram import FakeBotApi, FakeUser, Limits

PROBE_EVERY = 0.5
PROBES = 4
PHASE_S = 15.0
SETTLE_S = 3.0
MAX_TARGET = 2.0
RATIO_TARGET = 2.0
FLOOD = 1000
GROUP_COMMANDS = 200
GROUP_PEOPLE = 20
ANSWER_TIMEOUT = 120.0


async def _probe(
    users: list[FakeUser], samples: list[tuple[float, float]], stop: asyncio.Event
) -> None:
    """/aide every PROBE_EVERY seconds, people in turn; (moment sent, answer time) of each."""
    turn = 0
    while not stop.is_set():
        user = users[turn % len(users)]
        turn += 1
        sent = time.perf_counter()
        user.send_command("/aide")
        await user.expect("Voici ce que", timeout=ANSWER_TIMEOUT)
        samples.append((sent, time.perf_counter() - sent))
        await asyncio.sleep(max(0.0, PROBE_EVERY - (time.perf_counter() - sent)))


def _private_flood(api: FakeBotApi) -> None:
    flooder = api.user(810_001, first_name="Flot")
    for n in range(FLOOD):
        flooder.send_text(f"message {n}")


async def _prepare_presses(api: FakeBotApi) -> FakeUser:
    presser = api.user(810_002, first_name="Appui")
    presser.send_command("/start")
    await presser.expect("Bienvenue", timeout=ANSWER_TIMEOUT)
    return presser


def _presses(presser: FakeUser) -> None:
    for _ in range(FLOOD):
        presser.press("💡 J'ai une idée de projet")


def _group_flood(api: FakeBotApi) -> None:
    group = api.group(-100_810_003, "Quartier")
    people = [api.user(820_000 + n, first_name=f"Voisin{n}") for n in range(GROUP_PEOPLE)]
    for n in range(GROUP_COMMANDS):
        people[n % GROUP_PEOPLE].send_command("/start", chat=group)


def _figures(values: list[float]) -> tuple[int, float, float, float]:
    return (
        len(values),
        percentile(values, 0.5) * 1000,
        percentile(values, 0.99) * 1000,
        max(values, default=float("nan")) * 1000,
    )


async def _drained(api: FakeBotApi) -> None:
    """Until the bot fetched every update, then a short calm."""
    await api.wait_idle(timeout=ANSWER_TIMEOUT)
    await asyncio.sleep(SETTLE_S)


async def bench(folder: Path) -> int:
    """Start the bot, run the phases, print the table; exit code 1 when a target is missed."""
    api, server, base_url, _config = await start_fake(
        Limits(private_chat_rate=2.0, private_chat_burst=10)
    )
    process = await spawn_pes21(base_url, f"sqlite+aiosqlite:///{folder / 'flood.db'}", paced=True)
    samples: list[tuple[float, float]] = []
    stop = asyncio.Event()
    phases: list[tuple[str, float, float]] = []
    try:
        await api.wait_for_call("getUpdates", timeout=60)
        presser = await _prepare_presses(api)
        probes = [api.user(810_100 + n, first_name=f"Sonde{n}") for n in range(PROBES)]
        probe = asyncio.create_task(_probe(probes, samples, stop))
        await asyncio.sleep(SETTLE_S)
        floods: list[tuple[str, Callable[[], None]]] = [
            ("idle", lambda: None),
            (f"{FLOOD} private messages", lambda: _private_flood(api)),
            (f"{FLOOD} button presses", lambda: _presses(presser)),
            (f"{GROUP_COMMANDS} group commands", lambda: _group_flood(api)),
        ]
        for name, flood in floods:
            start = time.perf_counter()
            flood()
            await asyncio.sleep(PHASE_S)
            phases.append((name, start, time.perf_counter()))
            await _drained(api)
        stop.set()
        await probe
    finally:
        process.terminate()
        await process.wait()
        await server.stop()
    return _report(api, samples, phases)


def _report(
    api: FakeBotApi, samples: list[tuple[float, float]], phases: list[tuple[str, float, float]]
) -> int:
    def between(start: float, end: float) -> list[float]:
        return [latency for sent, latency in samples if start <= sent < end]

    _, _, idle_p99, _ = _figures(between(phases[0][1], phases[0][2]))
    print(f"Flood benchmark: a probe's /aide every {PROBE_EVERY}s while one chat floods the bot")
    print(f"{'phase':<26}{'answers':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'p99/idle':>10}")
    ok = True
    for name, start, end in phases:
        count, p50, p99, top = _figures(between(start, end))
        ratio = p99 / idle_p99
        ok = ok and top < MAX_TARGET * 1000 and ratio < RATIO_TARGET
        print(f"{name:<26}{count:>8}{p50:>9.0f}{p99:>9.0f}{top:>9.0f}{ratio:>10.2f}")
    too_old = [c for c in api.calls_to("answerCallbackQuery") if c.status == 400]
    print(f"acknowledgements refused as too old: {len(too_old)}")
    print(
        f"target: max < {MAX_TARGET:.0f} s and p99 < {RATIO_TARGET:.0f} x idle p99: "
        f"{'OK' if ok else 'NOT MET'}"
    )
    return 0 if ok else 1


def main() -> None:
    """Command line entry point."""
    argparse.ArgumentParser(description=__doc__).parse_args()
    with tempfile.TemporaryDirectory(prefix="pes21-flood-") as folder:
        raise SystemExit(asyncio.run(bench(Path(folder))))


if __name__ == "__main__":
    main()
