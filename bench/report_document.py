"""Benchmark of the Word activity report: one year of bench.stats' activity, 100,000 events.

    .venv/bin/python -m bench.report_document

Measured in this process, best of 3 runs after a warm-up, on SQLite: the /rapport figures
(services.stats.compute_report, the baseline), what the document gathers
(services.activity_report.gather: the same figures through compute_stats, plus the events held,
quotes, missions and projects per month), and the building of the .docx (template, four charts
at 200 dpi). Printed: the seconds, the document's size, and the ratio of the whole document
(gather + build) to /rapport's figures, both measured in the same run.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.stats import LAST_YEAR, NOW, build_sqlite
from pes21_bot.db.session import make_engine, make_session_factory
from pes21_bot.domain.periods import Period
from pes21_bot.domain.scope import Scope
from pes21_bot.domain.vocabulary import PROGRAMMES
from pes21_bot.messages.report_document import TEMPLATE
from pes21_bot.runner import CONTENT_DIR, ROOT, load_all
from pes21_bot.services import activity_report, report_document, stats

RUNS = 3


async def _best(action: Callable[[], Awaitable[object]]) -> float:
    await action()  # warm-up: caches, matplotlib's fonts
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        await action()
        times.append(time.perf_counter() - began)
    return min(times)


async def measure(url: str) -> None:
    """Print the figures of one run."""
    config, content = load_all(ROOT / "config.yaml", CONTENT_DIR)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    scope = Scope(PROGRAMMES, everything=True)
    period = Period.year_of(LAST_YEAR)

    async def figures() -> None:
        async with factory() as session:
            await stats.compute_report(session, config, period, scope, NOW)

    async def gather() -> activity_report.ActivityReport:
        async with factory() as session:
            return await activity_report.gather(session, config, period, scope, NOW)

    report = await gather()
    size = 0

    async def build() -> None:
        nonlocal size
        payload = report_document.build(TEMPLATE, content, config, report, NOW.date())
        size = len(payload)

    figures_s = await _best(figures)
    gather_s = await _best(gather)
    build_s = await _best(build)
    await engine.dispose()
    print(f"/rapport figures (compute_report): {figures_s:.2f} s")
    print(f"document, gathering (compute_stats + lists): {gather_s:.2f} s")
    print(f"document, building the .docx: {build_s:.2f} s ({size / 1024:.0f} KB)")
    print(f"ratio document / /rapport figures: {(gather_s + build_s) / figures_s:.2f}")


def main() -> None:
    """Build one year of activity, then measure."""
    with tempfile.TemporaryDirectory(prefix="pes21-bench-docx-") as folder:
        path = Path(folder) / "bench.db"
        built = build_sqlite(path, 1, 100_000)
        print(f"database: 1 year, 100,000 events, built in {built:.0f} s")
        asyncio.run(measure(f"sqlite+aiosqlite:///{path}"))


if __name__ == "__main__":
    main()
