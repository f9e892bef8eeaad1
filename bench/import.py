"""Benchmark: an admin imports 100,000 dossier rows while 20 holders answer the questionnaire.

The bot runs in its own process over the HTTP fake, as in production, on a fresh SQLite
database. The admin sends the filled template (one "Dossiers" sheet of ROWS rows), waits for
the dry run, presses "Importer" and waits for the end. Printed: the dry run's and the import's
duration, rows written per second, the bot process's peak memory (VmHWM; target < 300 MB), and
the holders' p50/p99 answer times while idle and during the import, with the ratio of the two
p99 (the bot keeps answering others meanwhile).

    .venv/bin/python -m bench.import
    .venv/bin/python -m bench.import --rows 10000   (a quicker run)
"""

from __future__ import annotations

import argparse
import asyncio
import io
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import openpyxl

from bench.bot_process import spawn_pes21
from bench.common import start_fake
from bench.isolation import HOLDERS, THINK, Timings
from bench.isolation import _figures as figures
from bench.isolation import _writer as holder_answering
from pes21_bot.fake_telegram import BotMessage, FakeUser

ROWS = 100_000
IDLE_S = 10.0
TARGET_RSS_MB = 300
TARGET_RATIO = 2.0
TIMEOUT_S = 1800.0
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRAMMES = ("Bénéfices'Créa", "Accueil en amont", "DLA", "Générateur BFC", "CRDVA")
HEADER = ["Clé", "Dispositif", "Date du premier contact", "Commune", "Code postal", "Source"]


def build_workbook(rows: int) -> bytes:
    """A "Dossiers" sheet of `rows` rows spread over 2023, written as Excel would."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Dossiers")
    sheet.append(HEADER)
    first = date(2023, 1, 1)
    for index in range(rows):
        sheet.append(
            [
                f"B-{index:06d}",
                PROGRAMMES[index % len(PROGRAMMES)],
                first + timedelta(days=index % 365),
                "Dijon",
                "21000",
                "téléphone",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def peak_rss_of(pid: int) -> float:
    """A process's peak resident memory (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _until(admin: FakeUser, contains: str) -> BotMessage:
    while True:
        message = await admin.next_message(timeout=TIMEOUT_S)
        if contains in message.content:
            return message


async def bench(folder: Path, rows: int) -> int:
    """Start the bot, measure idle answers, then the import; exit code 1 when a target is missed."""
    began = time.perf_counter()
    data = build_workbook(rows)
    took = time.perf_counter() - began
    print(f"workbook of {rows:,} rows: {len(data) / 1e6:.1f} MB in {took:.0f}s", flush=True)
    path = folder / "import.db"
    api, server, base_url, config = await start_fake()
    admin = api.user(config.admins[0].id, first_name=config.admins[0].name)
    process = await spawn_pes21(base_url, f"sqlite+aiosqlite:///{path}")
    timings, stop = Timings(), asyncio.Event()
    try:
        await api.wait_for_call("getUpdates", timeout=60)
        holders = [
            asyncio.create_task(holder_answering(api, i, timings, stop)) for i in range(HOLDERS)
        ]
        await asyncio.sleep(3)  # warm-up: every holder is in a questionnaire
        idle_start = time.perf_counter()
        await asyncio.sleep(IDLE_S)
        idle_end = time.perf_counter()
        rss_idle = peak_rss_of(process.pid)

        sent = time.perf_counter()
        admin.send_document("dossiers.xlsx", data, XLSX)
        dry_run = await _until(admin, "Essai d'import")
        planned = time.perf_counter()
        if "Importer" not in str(dry_run.reply_markup):
            print(f"unexpected dry run: {dry_run.content[:300]}", flush=True)
            return 1
        admin.press("Importer", dry_run)
        pressed = time.perf_counter()
        done = await _until(admin, "Import terminé")
        ended = time.perf_counter()
        stop.set()
        await asyncio.gather(*holders)
        rss_peak = peak_rss_of(process.pid)
    finally:
        process.terminate()
        await process.wait()
        await server.stop()

    _, idle_p50, idle_p99 = figures(timings.between(idle_start, idle_end))
    count, p50, p99 = figures(timings.between(sent, ended))
    ratio = p99 / idle_p99
    rate = rows / (ended - pressed)
    ok = rss_peak < TARGET_RSS_MB and ratio <= TARGET_RATIO
    print(
        "\n".join(
            [
                f"Import of {rows:,} dossier rows while {HOLDERS} holders answer "
                f"({THINK}s between answers)",
                f"dry run (download, read, plan): {planned - sent:.1f}s",
                f"import (read again, plan, write): {ended - pressed:.1f}s, {rate:,.0f} rows/s "
                f"({done.content[:60]!r})",
                f"bot process peak RSS: {rss_idle:.0f} MB before, {rss_peak:.0f} MB after "
                f"(target < {TARGET_RSS_MB} MB)",
                f"holders idle: p50 {idle_p50:.0f} ms, p99 {idle_p99:.0f} ms; during the import: "
                f"{count} answers, p50 {p50:.0f} ms, p99 {p99:.0f} ms, ratio {ratio:.2f} "
                f"(target <= {TARGET_RATIO})",
                f"targets: {'OK' if ok else 'NOT MET'}",
            ]
        ),
        flush=True,
    )
    return 0 if ok else 1


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=ROWS)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory(prefix="pes21-import-") as folder:
        raise SystemExit(asyncio.run(bench(Path(folder), rows)))


if __name__ == "__main__":
    main()
