"""Shared helpers of the benchmarks: timing, percentiles, peak memory, printing."""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
from typing import Any

from pes21_bot.config import Config
from pes21_bot.fake_telegram import FakeBotApi, FakeBotApiServer, Limits
from pes21_bot.runner import ROOT, load_all

BOT_TOKEN = "42:BENCH"


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the values fall (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def median(values: list[float]) -> float:
    """The median, NaN when empty."""
    return statistics.median(values) if values else float("nan")


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_worker(module: str, args: list[str]) -> dict[str, Any]:
    """Run `python -m module args` in a fresh process; it prints one JSON line last."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(f"{module} {' '.join(args)} failed ({result.returncode})")
    last = result.stdout.strip().splitlines()[-1]
    data: dict[str, Any] = json.loads(last)
    return data


async def start_fake(
    limits: Limits | None = None,
) -> tuple[FakeBotApi, FakeBotApiServer, str, Config]:
    """The HTTP fake Bot API (no flood control unless `limits` say), the team's chats opened."""
    api = FakeBotApi(
        token=BOT_TOKEN, bot_username="bench_bot", limits=limits or Limits(flood_control=False)
    )
    server = FakeBotApiServer(api)
    base_url = await server.start()
    config, _ = load_all(ROOT / "config.yaml", ROOT / "contenus")
    for member in [*config.staff, *config.admins]:
        api.user(member.id, first_name=member.name)
    return api, server, base_url, config
